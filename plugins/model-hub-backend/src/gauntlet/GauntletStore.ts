import { randomUUID } from 'node:crypto';
import {
  DatabaseService,
  resolvePackagePath,
} from '@backstage/backend-plugin-api';
import { ConflictError, NotFoundError } from '@backstage/errors';
import { JsonObject } from '@backstage/types';
import { ModelTier } from '@internal/plugin-model-hub-common';
import { GauntletCheckResult, GauntletCheckStatus } from './nodeApi';
import { Knex } from 'knex';
import {
  GauntletResult,
  GauntletRun,
  GauntletRunStatus,
  GauntletRunTrigger,
  GauntletWaiver,
  PromotionRequest,
  PromotionRequestState,
} from './types';

const migrationsDir = resolvePackagePath(
  '@internal/plugin-model-hub-backend',
  'migrations',
);

type Timestamp = Date | string | number;

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

interface ResultRow {
  id: number;
  run_id: number;
  entity_ref: string;
  version: string;
  tier: string;
  check_id: string;
  check_version: string;
  status: string;
  summary: string;
  reason: string | null;
  evidence: string;
  metrics: string | null;
  config_sha256: string;
  inputs_sha256: string;
  started_at: Timestamp;
  finished_at: Timestamp;
  duration_ms: number;
}

interface PromotionRow {
  id: number;
  entity_ref: string;
  tier: string;
  state: string;
  comment: string | null;
  requested_by: string;
  requested_at: Timestamp;
  decided_by: string | null;
  decided_at: Timestamp | null;
  decision_comment: string | null;
}

interface WaiverRow {
  id: number;
  entity_ref: string;
  check_id: string;
  version: string | null;
  reason: string;
  approved_by: string;
  created_at: Timestamp;
  expires_at: Timestamp;
}

interface TierRow {
  entity_ref: string;
  requested_tier: string;
  effective_tier: string | null;
  version: string | null;
  reason: string;
  updated_at: Timestamp;
}

/** A run to enqueue. */
export interface NewGauntletRun {
  entityRef: string;
  version: string;
  tier: ModelTier;
  trigger: GauntletRunTrigger;
  triggerReason?: string;
  requestedBy?: string;
}

/** The input hashes of an executed run. */
export interface GauntletRunInputs {
  entitySha256: string;
  filesSha256: string;
  configSha256: string;
  inputsSha256: string;
  checkVersions: Record<string, string>;
}

/** A check result to store with its timing. */
export interface NewGauntletResult {
  checkId: string;
  checkVersion: string;
  result: GauntletCheckResult;
  startedAt: Date;
  finishedAt: Date;
}

/** A run claimed by a runner, with the token that proves the claim. */
export type ClaimedRun = GauntletRun & { claimToken: string };

/** A stored effective tier. */
export interface StoredTier {
  entityRef: string;
  requestedTier: ModelTier;
  effectiveTier: ModelTier | null;
  version: string | null;
  reason: string;
  updatedAt: string;
}

/**
 * Persists the gauntlet: runs (the work queue too), results, promotion
 * requests, waivers and effective tiers. Claims queued runs atomically so
 * that several runners on one database execute each run once.
 */
export class GauntletStore {
  readonly #db: Knex;

  /** Connects to the plugin database and runs the migrations (unless skipped). */
  static async create(options: {
    database: DatabaseService;
  }): Promise<GauntletStore> {
    const client = await options.database.getClient();
    if (!options.database.migrations?.skip) {
      await client.migrate.latest({ directory: migrationsDir });
    }
    return new GauntletStore(client);
  }

  /** Wraps an already migrated knex client (tests with several connections). */
  static fromClient(client: Knex): GauntletStore {
    return new GauntletStore(client);
  }

  private constructor(db: Knex) {
    this.#db = db;
  }

  /**
   * Queues a run, unless an identical one (same model, version and tier) is
   * already queued: then that one is returned with `created: false`.
   */
  async enqueue(
    run: NewGauntletRun,
    now: Date,
  ): Promise<{ created: boolean; run: GauntletRun }> {
    return this.#db.transaction(async tx => {
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
      const id = typeof inserted === 'object' ? inserted.id : inserted;
      const row = await tx<RunRow>('gauntlet_runs').where({ id }).first();
      return { created: true, run: toRun(row!) };
    });
  }

  /**
   * Atomically claims the oldest queued run (or one whose claim is older
   * than `leaseMs`, from a runner that died) for `runnerId`. One UPDATE
   * statement decides: on PostgreSQL the candidate row is locked with
   * `FOR UPDATE SKIP LOCKED`, so concurrent claimers take different rows;
   * on SQLite the statement holds the database write lock. The status
   * condition is re-checked by the UPDATE itself, and the random claim token
   * identifies the claimed row. Returns undefined when there is no work.
   */
  async claimNext(
    runnerId: string,
    now: Date,
    leaseMs: number,
    maxAttempts: number,
  ): Promise<ClaimedRun | undefined> {
    const token = `${runnerId}:${randomUUID()}`.slice(0, 255);
    const staleBefore = new Date(now.getTime() - leaseMs);
    const isPg = this.#db.client.config.client === 'pg';
    const claimable = (qb: Knex.QueryBuilder) =>
      qb
        .where('status', 'queued')
        .orWhere(q =>
          q
            .where('status', 'running')
            .andWhere('claimed_at', '<', staleBefore)
            .andWhere('attempts', '<', maxAttempts),
        );
    for (let attempt = 0; attempt < 5; attempt++) {
      let candidate = this.#db('gauntlet_runs')
        .select('id')
        .where(claimable)
        .orderBy('id')
        .limit(1);
      if (isPg) candidate = candidate.forUpdate().skipLocked();
      const updated = await this.#db('gauntlet_runs')
        .where('id', '=', candidate)
        .andWhere(claimable)
        .update({
          status: 'running',
          claimed_by: token,
          claimed_at: now,
          started_at: now,
          attempts: this.#db.raw('attempts + 1'),
        });
      if (updated > 0) {
        const row = await this.#db<RunRow>('gauntlet_runs')
          .where({ claimed_by: token })
          .first();
        return row ? { ...toRun(row), claimToken: token } : undefined;
      }
      const [{ count }] = await this.#db('gauntlet_runs')
        .where(claimable)
        .count({ count: '*' });
      if (Number(count) === 0) return undefined;
      // Another runner took the candidate between our read and write; retry.
    }
    return undefined;
  }

  /** Marks runs stuck past the lease with too many attempts as failed. */
  async failExhausted(
    now: Date,
    leaseMs: number,
    maxAttempts: number,
  ): Promise<number> {
    return this.#db('gauntlet_runs')
      .where('status', 'running')
      .andWhere('claimed_at', '<', new Date(now.getTime() - leaseMs))
      .andWhere('attempts', '>=', maxAttempts)
      .update({
        status: 'failed',
        finished_at: now,
        error: `abandoned after ${maxAttempts} attempts (runner stopped without finishing)`,
      });
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
      for (const r of results) {
        await tx('gauntlet_results').insert({
          run_id: runId,
          entity_ref: run.entity_ref,
          version: run.version,
          tier: run.tier,
          check_id: r.checkId,
          check_version: r.checkVersion,
          status: r.result.status,
          summary: r.result.summary,
          reason: r.result.reason ?? null,
          evidence: JSON.stringify(r.result.evidence),
          metrics: r.result.metrics ? JSON.stringify(r.result.metrics) : null,
          config_sha256: inputs.configSha256,
          inputs_sha256: inputs.inputsSha256,
          started_at: r.startedAt,
          finished_at: r.finishedAt,
          duration_ms: Math.max(
            0,
            r.finishedAt.getTime() - r.startedAt.getTime(),
          ),
        });
      }
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
    run.results = (
      await this.#db<ResultRow>('gauntlet_results')
        .where({ run_id: id })
        .orderBy('id')
    ).map(toResult);
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
    const results = await this.#db<ResultRow>('gauntlet_results')
      .whereIn(
        'run_id',
        rows.map(r => r.id),
      )
      .orderBy('id');
    return rows.map(row => ({
      ...toRun(row),
      results: results.filter(r => r.run_id === row.id).map(toResult),
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

  /** The latest result of each check for a model version and tier. */
  async latestResults(
    entityRef: string,
    version: string,
    tier: ModelTier,
  ): Promise<GauntletResult[]> {
    const rows = await this.#db<ResultRow>('gauntlet_results')
      .where({ entity_ref: entityRef, version, tier })
      .orderBy('id', 'desc');
    const latest = new Map<string, GauntletResult>();
    for (const row of rows) {
      if (!latest.has(row.check_id)) latest.set(row.check_id, toResult(row));
    }
    return [...latest.values()].sort((a, b) =>
      a.checkId.localeCompare(b.checkId),
    );
  }

  /**
   * Creates a pending promotion request.
   * @throws ConflictError when one is already pending for the model
   */
  async createPromotionRequest(options: {
    entityRef: string;
    tier: ModelTier;
    comment?: string;
    requestedBy: string;
    now: Date;
  }): Promise<PromotionRequest> {
    return this.#db.transaction(async tx => {
      const pending = await tx<PromotionRow>('gauntlet_promotion_requests')
        .where({ entity_ref: options.entityRef, state: 'pending' })
        .first();
      if (pending) {
        throw new ConflictError(
          `${options.entityRef} already has pending promotion request ${pending.id} (to ${pending.tier})`,
        );
      }
      const [inserted] = await tx('gauntlet_promotion_requests')
        .insert({
          entity_ref: options.entityRef,
          tier: options.tier,
          state: 'pending',
          comment: options.comment ?? null,
          requested_by: options.requestedBy,
          requested_at: options.now,
        })
        .returning('id');
      const id = typeof inserted === 'object' ? inserted.id : inserted;
      return toPromotion(
        (await tx<PromotionRow>('gauntlet_promotion_requests')
          .where({ id })
          .first())!,
      );
    });
  }

  /**
   * Approves or rejects a pending promotion request of the model.
   * @throws NotFoundError when there is no such request for the model
   * @throws ConflictError when it was already decided
   */
  async decidePromotionRequest(options: {
    entityRef: string;
    id: number;
    state: Exclude<PromotionRequestState, 'pending'>;
    decidedBy: string;
    comment?: string;
    now: Date;
  }): Promise<PromotionRequest> {
    return this.#db.transaction(async tx => {
      const row = await tx<PromotionRow>('gauntlet_promotion_requests')
        .where({ id: options.id, entity_ref: options.entityRef })
        .first();
      if (!row) {
        throw new NotFoundError(
          `${options.entityRef} has no promotion request ${options.id}`,
        );
      }
      const updated = await tx('gauntlet_promotion_requests')
        .where({ id: options.id, state: 'pending' })
        .update({
          state: options.state,
          decided_by: options.decidedBy,
          decided_at: options.now,
          decision_comment: options.comment ?? null,
        });
      if (updated === 0) {
        throw new ConflictError(
          `Promotion request ${options.id} of ${options.entityRef} was already ${row.state}`,
        );
      }
      return toPromotion(
        (await tx<PromotionRow>('gauntlet_promotion_requests')
          .where({ id: options.id })
          .first())!,
      );
    });
  }

  /** Promotion requests of a model, newest first. */
  async listPromotionRequests(entityRef: string): Promise<PromotionRequest[]> {
    const rows = await this.#db<PromotionRow>('gauntlet_promotion_requests')
      .where({ entity_ref: entityRef })
      .orderBy('id', 'desc');
    return rows.map(toPromotion);
  }

  /** Records a waiver. */
  async createWaiver(options: {
    entityRef: string;
    checkId: string;
    version?: string;
    reason: string;
    approvedBy: string;
    expiresAt: Date;
    now: Date;
  }): Promise<GauntletWaiver> {
    const [inserted] = await this.#db('gauntlet_waivers')
      .insert({
        entity_ref: options.entityRef,
        check_id: options.checkId,
        version: options.version ?? null,
        reason: options.reason,
        approved_by: options.approvedBy,
        created_at: options.now,
        expires_at: options.expiresAt,
      })
      .returning('id');
    const id = typeof inserted === 'object' ? inserted.id : inserted;
    const row = await this.#db<WaiverRow>('gauntlet_waivers')
      .where({ id })
      .first();
    return toWaiver(row!, options.now);
  }

  /** Waivers of a model, newest first, each marked active or not at `now`. */
  async listWaivers(entityRef: string, now: Date): Promise<GauntletWaiver[]> {
    const rows = await this.#db<WaiverRow>('gauntlet_waivers')
      .where({ entity_ref: entityRef })
      .orderBy('id', 'desc');
    return rows.map(r => toWaiver(r, now));
  }

  /** The stored effective tier of a model. */
  async getTier(entityRef: string): Promise<StoredTier | undefined> {
    const row = await this.#db<TierRow>('gauntlet_tiers')
      .where({ entity_ref: entityRef })
      .first();
    return row ? toTier(row) : undefined;
  }

  /**
   * Stores the effective tier; returns the previous one when the tier or
   * requested tier changed (`changed: true`), so callers can audit it.
   */
  async setTier(
    tier: Omit<StoredTier, 'updatedAt'>,
    now: Date,
  ): Promise<{ changed: boolean; previous?: StoredTier }> {
    const previous = await this.getTier(tier.entityRef);
    const changed =
      !previous ||
      previous.effectiveTier !== tier.effectiveTier ||
      previous.requestedTier !== tier.requestedTier;
    if (
      !previous ||
      changed ||
      previous.reason !== tier.reason ||
      previous.version !== tier.version
    ) {
      await this.#db('gauntlet_tiers')
        .insert({
          entity_ref: tier.entityRef,
          requested_tier: tier.requestedTier,
          effective_tier: tier.effectiveTier,
          version: tier.version,
          reason: tier.reason.slice(0, 10_000),
          updated_at: now,
        })
        .onConflict('entity_ref')
        .merge();
    }
    return { changed, previous };
  }
}

function toDate(value: Timestamp): Date {
  if (value instanceof Date) return value;
  if (typeof value === 'number') return new Date(value);
  if (/^\d+$/.test(value)) return new Date(Number(value));
  const normalized = /^\d{4}-\d{2}-\d{2} \d{2}:\d{2}:\d{2}(\.\d+)?$/.test(value)
    ? `${value.replace(' ', 'T')}Z`
    : value;
  return new Date(normalized);
}

/** Normalizes the timestamp shapes of the supported databases to ISO 8601. */
export function toIso(value: Timestamp): string {
  return toDate(value).toISOString();
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
  return run;
}

function toResult(row: ResultRow): GauntletResult {
  const result: GauntletResult = {
    id: Number(row.id),
    runId: Number(row.run_id),
    entityRef: row.entity_ref,
    version: row.version,
    tier: row.tier as ModelTier,
    checkId: row.check_id,
    checkVersion: row.check_version,
    status: row.status as GauntletCheckStatus,
    summary: row.summary,
    evidence: JSON.parse(row.evidence) as JsonObject,
    configSha256: row.config_sha256,
    inputsSha256: row.inputs_sha256,
    startedAt: toIso(row.started_at),
    finishedAt: toIso(row.finished_at),
    durationMs: Number(row.duration_ms),
  };
  if (row.reason) result.reason = row.reason;
  if (row.metrics) result.metrics = JSON.parse(row.metrics);
  return result;
}

function toPromotion(row: PromotionRow): PromotionRequest {
  const p: PromotionRequest = {
    id: Number(row.id),
    entityRef: row.entity_ref,
    tier: row.tier as ModelTier,
    state: row.state as PromotionRequestState,
    requestedBy: row.requested_by,
    requestedAt: toIso(row.requested_at),
  };
  if (row.comment) p.comment = row.comment;
  if (row.decided_by) p.decidedBy = row.decided_by;
  if (row.decided_at !== null) p.decidedAt = toIso(row.decided_at);
  if (row.decision_comment) p.decisionComment = row.decision_comment;
  return p;
}

function toWaiver(row: WaiverRow, now: Date): GauntletWaiver {
  const expiresAt = toDate(row.expires_at);
  const w: GauntletWaiver = {
    id: Number(row.id),
    entityRef: row.entity_ref,
    checkId: row.check_id,
    reason: row.reason,
    approvedBy: row.approved_by,
    createdAt: toIso(row.created_at),
    expiresAt: expiresAt.toISOString(),
    active: expiresAt.getTime() > now.getTime(),
  };
  if (row.version) w.version = row.version;
  return w;
}

function toTier(row: TierRow): StoredTier {
  return {
    entityRef: row.entity_ref,
    requestedTier: row.requested_tier as ModelTier,
    effectiveTier: (row.effective_tier as ModelTier | null) ?? null,
    version: row.version,
    reason: row.reason,
    updatedAt: toIso(row.updated_at),
  };
}
