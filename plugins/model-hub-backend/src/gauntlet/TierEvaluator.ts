import { AuditorService, LoggerService } from '@backstage/backend-plugin-api';
import { Entity, stringifyEntityRef } from '@backstage/catalog-model';
import { ModelTier, ModelVersion } from '@internal/plugin-model-hub-common';
import { GauntletVersionSource, SealedManifest } from './catalogAccess';
import { GauntletConfig } from './config';
import { ModelCache } from '../database/ModelCache';
import { ApprovalBinding } from './ApprovalStore';
import { decisionsAt, DecisionRows } from './DecisionReader';
import { applyFourEyes } from './fourEyes';
import { GauntletStore } from './GauntletStore';
import { manifestSha256, requestedTierOf } from './runInputs';
import {
  computeEffectiveTier,
  EffectiveTierDecision,
  tierChain,
} from './tiers';
import {
  GauntletResult,
  GauntletRun,
  GauntletWaiver,
  PromotionRequest,
} from './types';

/**
 * What evaluating a model reads from the database, for a requested tier:
 * rows only, with no clock applied.
 */
export interface EvaluationReads {
  latest: SealedManifest | undefined;
  decisions: DecisionRows;
  runs: { active: GauntletRun[]; latestCompleted?: GauntletRun };
  tierResults: GauntletResult[][];
}

/** A model's full gauntlet state for its latest sealed version. */
export interface GauntletEvaluation extends EffectiveTierDecision {
  entityRef: string;
  version: string | null;
  resultsByTier: Partial<Record<ModelTier, GauntletResult[]>>;
  activeRuns: GauntletRun[];
  approvals: PromotionRequest[];
  waivers: GauntletWaiver[];
  /** Distinct eligible approvers a promotion or waiver needs. */
  requiredApprovals: number;
  /** What approvals given now bind to; undefined before a completed run. */
  binding?: ApprovalBinding;
  /** Approvals that stopped counting, not yet recorded as invalidated. */
  invalidations: Array<{ id: number; reason: string }>;
}

/**
 * Computes a model's effective tier from its stored results, waivers and
 * approvals, and records it (auditing every change).
 */
export class TierEvaluator {
  readonly #store: GauntletStore;
  readonly #versions: GauntletVersionSource;
  readonly #gc: GauntletConfig;
  readonly #logger: LoggerService;
  readonly #auditor?: AuditorService;
  readonly #clock: () => Date;
  readonly #answerCache?: ModelCache<GauntletEvaluation>;

  constructor(options: {
    store: GauntletStore;
    versions: GauntletVersionSource;
    gauntletConfig: GauntletConfig;
    logger: LoggerService;
    auditor?: AuditorService;
    clock: () => Date;
    /**
     * The gauntlet GET's evaluations per model and requested tier, each
     * kept until its model changes or the clock changes it (see
     * `evaluationValidUntil`).
     */
    answerCache?: ModelCache<GauntletEvaluation>;
  }) {
    this.#answerCache = options.answerCache;
    this.#store = options.store;
    this.#versions = options.versions;
    this.#gc = options.gauntletConfig;
    this.#logger = options.logger;
    this.#auditor = options.auditor;
    this.#clock = options.clock;
  }

  /**
   * The latest sealed version of a model, if any: read alone when the
   * source can (the GET route is read under load, and a model's full list
   * carries every version's files), else found in the list.
   */
  async latestSealedVersion(
    entityRef: string,
  ): Promise<ModelVersion | undefined> {
    if (this.#versions.latestSealedVersions) {
      const latest = await this.#versions.latestSealedVersions([entityRef]);
      return latest.get(entityRef);
    }
    const versions = await this.#versions.listVersions(entityRef);
    return versions.find(v => v.state === 'sealed');
  }

  /**
   * Computes the gauntlet state of a model for its latest sealed version;
   * `cached`: from the answer cache (the read route), else from the
   * database. An evaluation depends on the entity only through its ref and
   * requested tier, and on nothing of the caller, so one answer serves
   * every caller the route lets see the model. Cached answers are shared:
   * callers must not change them.
   */
  async evaluate(
    entity: Entity,
    options?: { cached?: boolean },
  ): Promise<GauntletEvaluation> {
    const entityRef = stringifyEntityRef(entity).toLocaleLowerCase('en-US');
    const requestedTier = requestedTierOf(entity);
    const compute = async () =>
      this.#evaluateReads(
        entityRef,
        requestedTier,
        await this.#read(entityRef, requestedTier),
      );
    if (options?.cached && this.#answerCache) {
      return this.#answerCache.get(
        entityRef,
        `gauntlet:${requestedTier}`,
        compute,
      );
    }
    return compute();
  }

  /** The evaluation of what was read, at the clock's now. */
  #evaluateReads(
    entityRef: string,
    requestedTier: ModelTier,
    reads: EvaluationReads,
  ): GauntletEvaluation {
    const now = this.#clock();
    const { latest, runs, tierResults } = reads;
    const decisions = decisionsAt(reads.decisions, now);
    const chain = latest ? tierChain(requestedTier) : [];
    const activeRuns = runs.active;
    const binding = latest && bindingOf(latest, runs.latestCompleted);
    const fourEyes = applyFourEyes({
      ...decisions,
      binding,
      requiredApprovals: this.#gc.requiredApprovals,
      now,
    });
    const approvals = fourEyes.promotions;
    const waivers = fourEyes.waivers;
    const resultsByTier: Partial<Record<ModelTier, GauntletResult[]>> = {};
    chain.forEach((tier, i) => {
      resultsByTier[tier] = tierResults[i];
    });
    const decision = computeEffectiveTier({
      requestedTier,
      version: latest?.version,
      gates: this.#gc.gates,
      resultsByTier,
      // Only waivers with enough valid approvals count (four-eyes).
      waivers: waivers.filter(w => w.state === 'approved'),
      approvals,
      runsActive: activeRuns.length > 0,
      now,
    });
    return {
      ...decision,
      entityRef,
      version: latest?.version ?? null,
      resultsByTier,
      activeRuns,
      approvals,
      waivers,
      requiredApprovals: this.#gc.requiredApprovals,
      binding,
      invalidations: fourEyes.invalidations,
    };
  }

  /** What evaluating the model for `requestedTier` reads from the database. */
  async #read(
    entityRef: string,
    requestedTier: ModelTier,
  ): Promise<EvaluationReads> {
    const [latest, decisions] = await Promise.all([
      this.#latestSealedManifest(entityRef),
      this.#store.decisions.readRows(entityRef),
    ]);
    // The reads that need the latest version run together: one round trip
    // of latency instead of one per tier (the GET route is read under load),
    // and one statement for the active runs and the binding's run.
    const chain = latest ? tierChain(requestedTier) : [];
    const [runs, tierResults] = latest
      ? await Promise.all([
          this.#store.runs.activeAndLatestCompleted(
            entityRef,
            latest.version,
            requestedTier,
          ),
          this.#store.latestResultsOfTiers(entityRef, latest.version, chain),
        ])
      : [{ active: [] as GauntletRun[] }, []];
    return { latest, decisions, runs, tierResults };
  }

  /**
   * The latest sealed version with its files' digests only, in one
   * statement when the source can (the GET route is read under load: no
   * scan results or aliases), else from the full version.
   */
  async #latestSealedManifest(
    entityRef: string,
  ): Promise<SealedManifest | undefined> {
    if (this.#versions.latestSealedManifest) {
      return this.#versions.latestSealedManifest(entityRef);
    }
    return this.latestSealedVersion(entityRef);
  }

  /**
   * Records what four-eyes decided on evaluation: invalidated approvals are
   * marked with their reason (kept as history), promotions that lost their
   * approvals go back to pending, waivers get the state their approvals give.
   */
  async #persistFourEyes(evaluation: GauntletEvaluation): Promise<void> {
    const now = this.#clock();
    if (evaluation.invalidations.length > 0) {
      await this.#store.approvals.invalidate(evaluation.invalidations, now);
      for (const i of evaluation.invalidations) {
        this.#logger.info(
          `Approval ${i.id} of ${evaluation.entityRef} invalidated: ${i.reason}`,
        );
      }
    }
    const stored = await this.#store.listPromotionRequests(
      evaluation.entityRef,
    );
    await this.#store.promotions.reopen(
      stored
        .filter(
          p =>
            p.state === 'approved' &&
            evaluation.approvals.find(e => e.id === p.id)?.state === 'pending',
        )
        .map(p => p.id),
    );
    const storedWaivers = await this.#store.listWaivers(
      evaluation.entityRef,
      now,
    );
    for (const w of evaluation.waivers) {
      const before = storedWaivers.find(s => s.id === w.id);
      if (
        before &&
        (before.state !== w.state || before.approvedBy !== w.approvedBy)
      ) {
        await this.#store.waivers.setState(
          w.id,
          w.state ?? 'pending',
          w.approvedBy,
        );
      }
    }
  }

  /**
   * Recomputes and stores the effective tier of a model; a change is
   * recorded with the auditor (`gauntlet-tier-change`).
   */
  async updateTier(entity: Entity): Promise<GauntletEvaluation> {
    const evaluation = await this.evaluate(entity);
    await this.#persistFourEyes(evaluation);
    const { changed, previous } = await this.#store.setTier(
      {
        entityRef: evaluation.entityRef,
        requestedTier: evaluation.requestedTier,
        effectiveTier: evaluation.effectiveTier,
        version: evaluation.version,
        reason: evaluation.reason,
      },
      this.#clock(),
    );
    if (changed) {
      this.#logger.info(
        `Effective tier of ${evaluation.entityRef}: ${
          previous?.effectiveTier ?? 'none'
        } -> ${evaluation.effectiveTier ?? 'none'} (${evaluation.reason})`,
      );
      if (this.#auditor) {
        const event = await this.#auditor.createEvent({
          eventId: 'gauntlet-tier-change',
          severityLevel: 'medium',
          meta: {
            entityRef: evaluation.entityRef,
            version: evaluation.version,
            requestedTier: evaluation.requestedTier,
            previousTier: previous?.effectiveTier ?? null,
            effectiveTier: evaluation.effectiveTier,
            reason: evaluation.reason,
          },
        });
        await event.success();
      }
    }
    return evaluation;
  }
}

/** What an approval given now binds to: version, manifest digest, latest completed run of the tier. */
function bindingOf(
  version: SealedManifest,
  run: GauntletRun | undefined,
): ApprovalBinding | undefined {
  if (!run) return undefined;
  return {
    version: version.version,
    manifestSha256: manifestSha256(version.files),
    runId: run.id,
    runFinishedAt: run.finishedAt,
  };
}
