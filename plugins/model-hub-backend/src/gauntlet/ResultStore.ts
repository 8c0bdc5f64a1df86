import { JsonObject } from '@backstage/types';
import { ModelTier } from '@internal/plugin-model-hub-common';
import { Knex } from 'knex';
import { GauntletCheckResult, GauntletCheckStatus } from './nodeApi';
import { Timestamp, toIso } from './storeTime';
import { GauntletResult } from './types';

/** A `gauntlet_results` row. */
export interface ResultRow {
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

/** A check result to store with its timing. */
export interface NewGauntletResult {
  checkId: string;
  checkVersion: string;
  result: GauntletCheckResult;
  startedAt: Date;
  finishedAt: Date;
}

/** Check results of gauntlet runs (`gauntlet_results`). */
export class ResultStore {
  readonly #db: Knex;

  constructor(db: Knex) {
    this.#db = db;
  }

  /** Inserts the results of a run inside the caller's transaction. */
  static async insert(
    tx: Knex | Knex.Transaction,
    run: { id: number; entityRef: string; version: string; tier: string },
    hashes: { configSha256: string; inputsSha256: string },
    results: NewGauntletResult[],
  ): Promise<void> {
    for (const r of results) {
      await tx('gauntlet_results').insert({
        run_id: run.id,
        entity_ref: run.entityRef,
        version: run.version,
        tier: run.tier,
        check_id: r.checkId,
        check_version: r.checkVersion,
        status: r.result.status,
        summary: r.result.summary,
        reason: r.result.reason ?? null,
        evidence: JSON.stringify(r.result.evidence),
        metrics: r.result.metrics ? JSON.stringify(r.result.metrics) : null,
        config_sha256: hashes.configSha256,
        inputs_sha256: hashes.inputsSha256,
        started_at: r.startedAt,
        finished_at: r.finishedAt,
        duration_ms: Math.max(
          0,
          r.finishedAt.getTime() - r.startedAt.getTime(),
        ),
      });
    }
  }

  /** The results of the given runs, in insertion order. */
  async ofRuns(runIds: number[]): Promise<GauntletResult[]> {
    if (runIds.length === 0) return [];
    const rows = await this.#db<ResultRow>('gauntlet_results')
      .whereIn('run_id', runIds)
      .orderBy('id');
    return rows.map(toResult);
  }

  /** The latest result of each check for a model version and tier. */
  async latest(
    entityRef: string,
    version: string,
    tier: ModelTier,
  ): Promise<GauntletResult[]> {
    return (await this.latestOfTiers(entityRef, version, [tier]))[0];
  }

  /**
   * {@link ResultStore.latest} for several tiers of one version in one
   * query (a model's tier chain), in the order of `tiers`.
   */
  async latestOfTiers(
    entityRef: string,
    version: string,
    tiers: readonly ModelTier[],
  ): Promise<GauntletResult[][]> {
    if (tiers.length === 0) return [];
    const rows = await this.#db<ResultRow>('gauntlet_results')
      .where({ entity_ref: entityRef, version })
      .whereIn('tier', tiers)
      .orderBy('id', 'desc');
    return tiers.map(tier => {
      const latest = new Map<string, GauntletResult>();
      for (const row of rows) {
        if (row.tier === tier && !latest.has(row.check_id)) {
          latest.set(row.check_id, toResult(row));
        }
      }
      return [...latest.values()].sort((a, b) =>
        a.checkId.localeCompare(b.checkId),
      );
    });
  }
}

/** Maps a `gauntlet_results` row (batched readers share it). */
export function toResult(row: ResultRow): GauntletResult {
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
