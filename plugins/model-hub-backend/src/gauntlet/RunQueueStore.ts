import { randomUUID } from 'node:crypto';
import { ModelTier } from '@internal/plugin-model-hub-common';
import { Knex } from 'knex';
import { NewGauntletResult, ResultStore } from './ResultStore';
import { insertedId, Timestamp, toDate, toIso } from './storeTime';
import { GauntletRun, GauntletRunStatus, GauntletRunTrigger } from './types';

interface RunRow {
  id: number;
  entity_ref: string;
  version: string;
  tier: string;
  trigger: string;
  trigger_reason: string | null;
  requested_by: string | null;
  status: string;
  claimed_by: string | null;
  claimed_at: Timestamp | null;
  lease_owner: string | null;
  lease_expires_at: Timestamp | null;
  retried_at: Timestamp | null;
  attempts: number;
  queued_at: Timestamp;
  started_at: Timestamp | null;
  finished_at: Timestamp | null;
  duration_ms: number | null;
  entity_sha256: string | null;
  files_sha256: string | null;
  config_sha256: string | null;
  inputs_sha256: string | null;
  check_versions: string | null;
  error: string | null;
}

/** A run to enqueue. */
export interface NewGauntletRun {
  entityRef: string;
  version: string;
  tier: ModelTier;
  trigger: GauntletRunTrigger;
  triggerReason?: string;
  requestedBy?: string;
  /**
   * Queue only when the newest run of this model version and tier (any
   * status) is still this one, `null` for none: a caller that decided from
   * an earlier read (the refresh) must not add a second run when another
   * replica queued, started or finished one since.
   */
  ifNewestRunId?: number | null;
}

/** The input hashes of an executed run. */
export interface GauntletRunInputs {
  entitySha256: string;
  filesSha256: string;
  configSha256: string;
  inputsSha256: string;
  checkVersions: Record<string, string>;
}

/** A run claimed by a runner, with the token that proves the claim. */
export type ClaimedRun = GauntletRun & { claimToken: string };

/**
 * Gauntlet runs, which are also the work queue (`gauntlet_runs`): enqueue,
 * atomic claims, completion and failure, and run history.
 */
export class RunQueueStore {
  readonly #db: Knex;
  readonly #results: ResultStore;

  constructor(db: Knex, results: ResultStore) {
    this.#db = db;
    this.#results = results;
  }

  /**
   * Queues a run, unless an identical one (same model, version and tier) is
   * already queued: then that one is returned with `created: false`. On
   * PostgreSQL concurrent enqueues of one model version and tier (a seal on
   * one replica, the refresh on another) are serialized by a transaction
   * advisory lock, since under READ COMMITTED both would see no queued row
   * and insert one each; SQLite serializes writers already.
   */
  async enqueue(
    run: NewGauntletRun,
    now: Date,
  ): Promise<{ created: boolean; run: GauntletRun }> {
    return this.#db.transaction(async tx => {
      if (this.#db.client.config.client === 'pg') {
        await tx.raw('select pg_advisory_xact_lock(hashtext(?))', [
          `model-hub-gauntlet-enqueue:${run.entityRef}@${run.version}#${run.tier}`,
        ]);
      }
      const existing = await tx<RunRow>('gauntlet_runs')
        .where({
          entity_ref: run.entityRef,
          version: run.version,
          tier: run.tier,
          status: 'queued',
        })
        .first();
      if (existing) {
        return { created: false, run: toRun(existing) };
      }
      // A seal has one run: any run of the version and tier is it (the
      // refresh may have queued it, and a worker taken it, between the seal
      // and this call). A conditional enqueue yields to any newer run.
      if (run.trigger === 'sealed' || run.ifNewestRunId !== undefined) {
        const newest = await tx<RunRow>('gauntlet_runs')
          .where({
            entity_ref: run.entityRef,
            version: run.version,
            tier: run.tier,
          })
          .orderBy('id', 'desc')
          .first();
        if (
          newest &&
          (run.trigger === 'sealed' ||
            Number(newest.id) !== (run.ifNewestRunId ?? null))
        ) {
          return { created: false, run: toRun(newest) };
        }
      }
      const [inserted] = await tx('gauntlet_runs')
        .insert({
          entity_ref: run.entityRef,
          version: run.version,
          tier: run.tier,
          trigger: run.trigger,
          trigger_reason: run.triggerReason?.slice(0, 1024) ?? null,
          requested_by: run.requestedBy ?? null,
          status: 'queued',
          attempts: 0,
          queued_at: now,
        })
        .returning('id');
      const id = insertedId(inserted);
      const row = await tx<RunRow>('gauntlet_runs').where({ id }).first();
      return { created: true, run: toRun(row!) };
    });
  }

  /**
   * Atomically claims the oldest queued run for `runnerId` and gives it a
   * lease until `now + leaseMs`. One UPDATE statement decides: on PostgreSQL
   * the candidate row is locked with `FOR UPDATE SKIP LOCKED`, so concurrent
   * claimers take different rows; on SQLite the conditional UPDATE holds the
   * database write lock and re-checks `status = 'queued'`. The random claim
   * token identifies the claimed row. Returns undefined when there is no work.
   * Runs whose lease expired come back only through {@link recoverExpired}.
   */
  async claimNext(
    runnerId: string,
    now: Date,
    leaseMs: number,
  ): Promise<ClaimedRun | undefined> {
    const token = `${runnerId}:${randomUUID()}`.slice(0, 255);
    const isPg = this.#db.client.config.client === 'pg';
    for (let attempt = 0; attempt < 5; attempt++) {
      let candidate = this.#db('gauntlet_runs')
        .select('id')
        .where('status', 'queued')
        .orderBy('id')
        .limit(1);
      if (isPg) candidate = candidate.forUpdate().skipLocked();
      const updated = await this.#db('gauntlet_runs')
        .where('id', '=', candidate)
        .andWhere('status', 'queued')
        .update({
          status: 'running',
          claimed_by: token,
          claimed_at: now,
          started_at: now,
          lease_owner: runnerId.slice(0, 255),
          lease_expires_at: new Date(now.getTime() + leaseMs),
          attempts: this.#db.raw('attempts + 1'),
        });
      if (updated > 0) {
        const row = await this.#db<RunRow>('gauntlet_runs')
          .where({ claimed_by: token })
          .first();
        return row ? { ...toRun(row), claimToken: token } : undefined;
      }
      const [{ count }] = await this.#db('gauntlet_runs')
        .where('status', 'queued')
        .count({ count: '*' });
      if (Number(count) === 0) return undefined;
      // Another runner took the candidate between our read and write; retry.
    }
    return undefined;
  }

  /**
   * Renews the lease of a claimed run (the runner's heartbeat). Returns false
   * when the claim is gone: the run was recovered after an expired lease, so
   * this runner must not store results.
   */
  async heartbeat(
    runId: number,
    claimToken: string,
    now: Date,
    leaseMs: number,
  ): Promise<boolean> {
    const updated = await this.#db('gauntlet_runs')
      .where({ id: runId, status: 'running', claimed_by: claimToken })
      .update({ lease_expires_at: new Date(now.getTime() + leaseMs) });
    return updated > 0;
  }

  /**
   * Recovers runs whose runner died (lease expired, no heartbeat): a run
   * with fewer than `maxAttempts` claims goes back to the queue, recorded as
   * retried (`retried_at`); otherwise it fails with the reason. Rows claimed
   * before leases existed count as expired `leaseMs` after their claim.
   * Every UPDATE re-checks the expiry, so a heartbeat that lands first wins.
   */
  async recoverExpired(
    now: Date,
    leaseMs: number,
    maxAttempts: number,
  ): Promise<{ requeued: number; failed: number }> {
    const expired = (qb: Knex.QueryBuilder) =>
      qb
        .where('status', 'running')
        .andWhere(q =>
          q
            .where('lease_expires_at', '<', now)
            .orWhere(legacy =>
              legacy
                .whereNull('lease_expires_at')
                .andWhere('claimed_at', '<', new Date(now.getTime() - leaseMs)),
            ),
        );
    const requeued = await this.#db('gauntlet_runs')
      .where(expired)
      .andWhere('attempts', '<', maxAttempts)
      .update({
        status: 'queued',
        claimed_by: null,
        lease_owner: null,
        lease_expires_at: null,
        retried_at: now,
      });
    const failed = await this.#db('gauntlet_runs')
      .where(expired)
      .andWhere('attempts', '>=', maxAttempts)
      .update({
        status: 'failed',
        finished_at: now,
        lease_expires_at: null,
        error: `gave up after ${maxAttempts} attempts: the runner holding the run stopped heartbeating each time (lease expired)`,
      });
    return { requeued, failed };
  }

  /**
   * Stores the results of a claimed run and completes it. Does nothing and
   * returns false when the claim was lost (the run was taken over).
   */
  async completeRun(
    runId: number,
    claimToken: string,
    inputs: GauntletRunInputs,
    results: NewGauntletResult[],
    finishedAt: Date,
  ): Promise<boolean> {
    return this.#db.transaction(async tx => {
      // Write first: on SQLite this takes the write lock at once instead of
      // upgrading a read lock, which can deadlock with another connection.
      const updated = await tx('gauntlet_runs')
        .where({ id: runId, status: 'running', claimed_by: claimToken })
        .update({
          status: 'completed',
          finished_at: finishedAt,
          entity_sha256: inputs.entitySha256,
          files_sha256: inputs.filesSha256,
          config_sha256: inputs.configSha256,
          inputs_sha256: inputs.inputsSha256,
          check_versions: JSON.stringify(inputs.checkVersions),
          lease_expires_at: null,
          error: null,
        });
      if (updated === 0) {
        return false;
      }
      const run = (await tx<RunRow>('gauntlet_runs')
        .where({ id: runId })
        .first())!;
      const startedAt = toDate(run.started_at ?? finishedAt);
      await tx('gauntlet_runs')
        .where({ id: runId })
        .update({
          duration_ms: Math.max(0, finishedAt.getTime() - startedAt.getTime()),
        });
      await ResultStore.insert(
        tx,
        {
          id: runId,
          entityRef: run.entity_ref,
          version: run.version,
          tier: run.tier,
        },
        inputs,
        results,
      );
      return true;
    });
  }

  /** Marks a claimed run failed (e.g. the model or version vanished). */
  async failRun(
    runId: number,
    claimToken: string,
    error: string,
    finishedAt: Date,
  ): Promise<void> {
    const query = this.#db<RunRow>('gauntlet_runs').where({
      id: runId,
      status: 'running',
      claimed_by: claimToken,
    });
    const run = await query.clone().first();
    if (!run) return;
    await query.update({
      status: 'failed',
      finished_at: finishedAt,
      lease_expires_at: null,
      duration_ms: Math.max(
        0,
        finishedAt.getTime() - toDate(run.started_at ?? finishedAt).getTime(),
      ),
      error: error.slice(0, 10_000),
    });
  }

  /** One run with its results. */
  async getRun(id: number): Promise<GauntletRun | undefined> {
    const row = await this.#db<RunRow>('gauntlet_runs').where({ id }).first();
    if (!row) return undefined;
    const run = toRun(row);
    run.results = await this.#results.ofRuns([run.id]);
    return run;
  }

  /** Runs of a model version (every tier), newest first, with their results. */
  async listRuns(
    entityRef: string,
    version: string,
    limit = 100,
  ): Promise<GauntletRun[]> {
    const rows = await this.#db<RunRow>('gauntlet_runs')
      .where({ entity_ref: entityRef, version })
      .orderBy('id', 'desc')
      .limit(limit);
    if (rows.length === 0) return [];
    const results = await this.#results.ofRuns(rows.map(r => Number(r.id)));
    return rows.map(row => ({
      ...toRun(row),
      results: results.filter(r => r.runId === Number(row.id)),
    }));
  }

  /** Queued or running runs of a model version. */
  async activeRuns(entityRef: string, version: string): Promise<GauntletRun[]> {
    const rows = await this.#db<RunRow>('gauntlet_runs')
      .where({ entity_ref: entityRef, version })
      .whereIn('status', ['queued', 'running'])
      .orderBy('id');
    return rows.map(toRun);
  }

  /**
   * A model version's queued and running runs, and its latest completed
   * run of `tier`, in one statement (a gauntlet evaluation needs both).
   */
  async activeAndLatestCompleted(
    entityRef: string,
    version: string,
    tier: ModelTier,
  ): Promise<{ active: GauntletRun[]; latestCompleted?: GauntletRun }> {
    const rows = await this.#db<RunRow>('gauntlet_runs')
      .where({ entity_ref: entityRef, version })
      .where(q =>
        q
          .whereIn('status', ['queued', 'running'])
          .orWhere(
            'id',
            this.#db('gauntlet_runs')
              .max('id')
              .where({ entity_ref: entityRef, version, tier })
              .where('status', 'completed'),
          ),
      )
      .orderBy('id');
    const runs = rows.map(toRun);
    return {
      active: runs.filter(r => r.status !== 'completed'),
      latestCompleted: runs.find(r => r.status === 'completed'),
    };
  }

  /** The id of the newest run (any status) of a model version for a tier. */
  async newestRunId(
    entityRef: string,
    version: string,
    tier: ModelTier,
  ): Promise<number | null> {
    const row = await this.#db('gauntlet_runs')
      .where({ entity_ref: entityRef, version, tier })
      .max({ id: 'id' })
      .first();
    return row?.id === null || row?.id === undefined ? null : Number(row.id);
  }

  /** The latest completed run of a model version for a tier. */
  async latestCompletedRun(
    entityRef: string,
    version: string,
    tier: ModelTier,
  ): Promise<GauntletRun | undefined> {
    const row = await this.#db<RunRow>('gauntlet_runs')
      .where({ entity_ref: entityRef, version, tier, status: 'completed' })
      .orderBy('id', 'desc')
      .first();
    return row ? toRun(row) : undefined;
  }
}

function toRun(row: RunRow): GauntletRun {
  const run: GauntletRun = {
    id: Number(row.id),
    entityRef: row.entity_ref,
    version: row.version,
    tier: row.tier as ModelTier,
    trigger: row.trigger as GauntletRunTrigger,
    status: row.status as GauntletRunStatus,
    attempts: Number(row.attempts),
    queuedAt: toIso(row.queued_at),
  };
  if (row.trigger_reason) run.triggerReason = row.trigger_reason;
  if (row.requested_by) run.requestedBy = row.requested_by;
  if (row.started_at !== null) run.startedAt = toIso(row.started_at);
  if (row.finished_at !== null) run.finishedAt = toIso(row.finished_at);
  if (row.duration_ms !== null) run.durationMs = Number(row.duration_ms);
  if (row.inputs_sha256) {
    run.inputs = {
      entitySha256: row.entity_sha256!,
      filesSha256: row.files_sha256!,
      configSha256: row.config_sha256!,
      inputsSha256: row.inputs_sha256,
    };
  }
  if (row.check_versions) run.checkVersions = JSON.parse(row.check_versions);
  if (row.error) run.error = row.error;
  if (row.lease_owner) run.leaseOwner = row.lease_owner;
  if (row.lease_expires_at) run.leaseExpiresAt = toIso(row.lease_expires_at);
  if (row.retried_at) run.retriedAt = toIso(row.retried_at);
  return run;
}
