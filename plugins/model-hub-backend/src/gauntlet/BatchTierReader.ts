import { Entity, stringifyEntityRef } from '@backstage/catalog-model';
import { ModelTier, ModelVersion } from '@internal/plugin-model-hub-common';
import { GauntletVersionSource } from './catalogAccess';
import { Knex } from 'knex';
import { ApprovalBinding, ApprovalRow, toApproval } from './ApprovalStore';
import { GauntletConfig } from './config';
import { applyFourEyes } from './fourEyes';
import { PromotionRow, toPromotion } from './PromotionStore';
import { ResultRow, toResult } from './ResultStore';
import { manifestSha256, requestedTierOf } from './runInputs';
import { toIso, Timestamp } from './storeTime';
import {
  computeEffectiveTier,
  EffectiveTierDecision,
  tierChain,
} from './tiers';
import { GauntletResult, GauntletWaiver } from './types';
import { toWaiver, WaiverRow } from './WaiverStore';
import { foldCase } from '../service/foldCase';

/** The effective tier of one model, as computed in a batch. */
export interface BatchedTier extends EffectiveTierDecision {
  entityRef: string;
  /** The latest sealed version, or null. */
  version: string | null;
}

/**
 * One model's effective tier with what it was decided from: the results of
 * its latest sealed version per tier of its chain, and its waivers (four-eyes
 * applied). What stewardship's compliance rules read.
 */
export interface BatchedEvaluation extends BatchedTier {
  resultsByTier: Partial<Record<ModelTier, GauntletResult[]>>;
  waivers: GauntletWaiver[];
}

/** Refs per `IN (…)` list: below every supported database's parameter limit. */
const CHUNK = 500;

const lower = foldCase;

/** The lower-cased entity ref of an entity. */
export function modelRefOf(entity: Entity): string {
  return lower(stringifyEntityRef(entity));
}

function groupBy<T>(rows: T[], key: (row: T) => string): Map<string, T[]> {
  const out = new Map<string, T[]>();
  for (const row of rows) {
    const k = key(row);
    const list = out.get(k);
    if (list) list.push(row);
    else out.set(k, [row]);
  }
  return out;
}

/**
 * Computes the effective tiers of many models with a fixed number of
 * queries per 500 models (today's per-model evaluation costs about eight):
 * latest sealed versions, latest results per check, active runs,
 * promotions, waivers and approvals are each read for the whole batch, and
 * the same pure rules as the per-model evaluation (`computeEffectiveTier`,
 * `applyFourEyes`) decide in memory. Read-only: nothing is persisted.
 */
export class BatchTierReader {
  readonly #db: Knex;
  readonly #gc: GauntletConfig;
  readonly #versions: GauntletVersionSource;

  constructor(
    db: Knex,
    gauntletConfig: GauntletConfig,
    versions: GauntletVersionSource,
  ) {
    this.#db = db;
    this.#gc = gauntletConfig;
    this.#versions = versions;
  }

  /** The latest sealed version of each model (batched when the source can). */
  async #latestSealed(refs: string[]): Promise<Map<string, ModelVersion>> {
    if (this.#versions.latestSealedVersions) {
      return this.#versions.latestSealedVersions(refs);
    }
    const out = new Map<string, ModelVersion>();
    for (const ref of refs) {
      const latest = (await this.#versions.listVersions(ref)).find(
        v => v.state === 'sealed',
      );
      if (latest) out.set(ref, latest);
    }
    return out;
  }

  /** The effective tiers of `entities`, keyed by lower-cased entity ref. */
  async read(
    entities: readonly Entity[],
    now: Date,
  ): Promise<Map<string, BatchedTier>> {
    return this.#read(entities, now, false);
  }

  /**
   * The effective tiers of `entities` with their results and waivers (the
   * same queries as {@link BatchTierReader.read}); callers with many models
   * pass them a chunk at a time to bound memory.
   */
  async readEvaluations(
    entities: readonly Entity[],
    now: Date,
  ): Promise<Map<string, BatchedEvaluation>> {
    return this.#read(entities, now, true) as Promise<
      Map<string, BatchedEvaluation>
    >;
  }

  async #read(
    entities: readonly Entity[],
    now: Date,
    details: boolean,
  ): Promise<Map<string, BatchedTier | BatchedEvaluation>> {
    const out = new Map<string, BatchedTier>();
    const byRef = new Map<string, Entity>();
    for (const e of entities) byRef.set(modelRefOf(e), e);
    const refs = [...byRef.keys()];
    for (let i = 0; i < refs.length; i += CHUNK) {
      const chunk = refs.slice(i, i + CHUNK);
      for (const tier of await this.#readChunk(chunk, byRef, now, details)) {
        out.set(tier.entityRef, tier);
      }
    }
    return out;
  }

  async #readChunk(
    refs: string[],
    byRef: Map<string, Entity>,
    now: Date,
    details: boolean,
  ): Promise<Array<BatchedTier | BatchedEvaluation>> {
    const db = this.#db;
    const [latest, promotions, waivers, approvals, results, active] =
      await Promise.all([
        this.#latestSealed(refs),
        db<PromotionRow>('gauntlet_promotion_requests')
          .whereIn('entity_ref', refs)
          .orderBy('id', 'desc'),
        db<WaiverRow>('gauntlet_waivers')
          .whereIn('entity_ref', refs)
          .orderBy('id', 'desc'),
        db<ApprovalRow>('gauntlet_approvals')
          .whereIn('entity_ref', refs)
          .orderBy('id'),
        db<ResultRow>('gauntlet_results').whereIn(
          'id',
          db('gauntlet_results')
            .max('id')
            .whereIn('entity_ref', refs)
            .groupBy('entity_ref', 'version', 'tier', 'check_id'),
        ),
        db('gauntlet_runs')
          .distinct('entity_ref', 'version')
          .whereIn('entity_ref', refs)
          .whereIn('status', ['queued', 'running']) as Promise<
          Array<{ entity_ref: string; version: string }>
        >,
      ]);
    const approvalsOf = groupBy(approvals, r => r.entity_ref);
    const bindings = await this.#bindings(
      [...approvalsOf.keys()].filter(r => latest.has(r)),
      latest,
      byRef,
    );
    const promotionsOf = groupBy(promotions, r => r.entity_ref);
    const waiversOf = groupBy(waivers, r => r.entity_ref);
    const resultsOf = groupBy(
      results,
      r => `${r.entity_ref}\u0000${r.version}\u0000${r.tier}`,
    );
    const activeSet = new Set(
      active.map(a => `${a.entity_ref}\u0000${a.version}`),
    );

    return refs.map(entityRef => {
      const requestedTier = requestedTierOf(byRef.get(entityRef)!);
      const version = latest.get(entityRef)?.version;
      const fourEyes = applyFourEyes({
        promotions: (promotionsOf.get(entityRef) ?? []).map(toPromotion),
        waivers: (waiversOf.get(entityRef) ?? []).map(w => toWaiver(w, now)),
        approvals: (approvalsOf.get(entityRef) ?? []).map(toApproval),
        binding: bindings.get(entityRef),
        requiredApprovals: this.#gc.requiredApprovals,
        now,
      });
      const resultsByTier: Partial<Record<ModelTier, GauntletResult[]>> = {};
      if (version) {
        for (const tier of tierChain(requestedTier)) {
          resultsByTier[tier] = (
            resultsOf.get(`${entityRef}\u0000${version}\u0000${tier}`) ?? []
          )
            .map(toResult)
            .sort((a, b) => a.checkId.localeCompare(b.checkId));
        }
      }
      const decision = computeEffectiveTier({
        requestedTier,
        version,
        gates: this.#gc.gates,
        resultsByTier,
        waivers: fourEyes.waivers.filter(w => w.state === 'approved'),
        approvals: fourEyes.promotions,
        runsActive:
          version !== undefined &&
          activeSet.has(`${entityRef}\u0000${version}`),
        now,
      });
      const tier = { ...decision, entityRef, version: version ?? null };
      return details
        ? { ...tier, resultsByTier, waivers: fourEyes.waivers }
        : tier;
    });
  }

  /**
   * What approvals bind to, for the models that have approvals only: the
   * manifest digest of the latest sealed version and the latest completed
   * run of the requested tier (one query for the whole chunk).
   */
  async #bindings(
    refs: string[],
    latest: Map<string, ModelVersion>,
    byRef: Map<string, Entity>,
  ): Promise<Map<string, ApprovalBinding>> {
    const out = new Map<string, ApprovalBinding>();
    if (refs.length === 0) return out;
    const db = this.#db;
    const runs: Array<{
      id: number;
      entity_ref: string;
      version: string;
      tier: string;
      finished_at: Timestamp | null;
    }> = await db('gauntlet_runs')
      .select('id', 'entity_ref', 'version', 'tier', 'finished_at')
      .whereIn(
        'id',
        db('gauntlet_runs')
          .max('id')
          .where('status', 'completed')
          .whereIn('entity_ref', refs)
          .groupBy('entity_ref', 'version', 'tier'),
      );
    for (const ref of refs) {
      const v = latest.get(ref)!;
      const tier = requestedTierOf(byRef.get(ref)!);
      const run = runs.find(
        r => r.entity_ref === ref && r.version === v.version && r.tier === tier,
      );
      if (!run) continue;
      const binding: ApprovalBinding = {
        version: v.version,
        manifestSha256: manifestSha256(v.files),
        runId: Number(run.id),
      };
      if (run.finished_at !== null && run.finished_at !== undefined) {
        binding.runFinishedAt = toIso(run.finished_at);
      }
      out.set(ref, binding);
    }
    return out;
  }
}
