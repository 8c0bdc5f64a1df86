import { AuditorService, LoggerService } from '@backstage/backend-plugin-api';
import { Entity, stringifyEntityRef } from '@backstage/catalog-model';
import { ModelTier, ModelVersion } from '@internal/plugin-model-hub-common';
import { GauntletVersionSource } from './catalogAccess';
import { GauntletConfig } from './config';
import { GauntletStore } from './GauntletStore';
import { requestedTierOf } from './runInputs';
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

/** A model's full gauntlet state for its latest sealed version. */
export interface GauntletEvaluation extends EffectiveTierDecision {
  entityRef: string;
  version: string | null;
  resultsByTier: Partial<Record<ModelTier, GauntletResult[]>>;
  activeRuns: GauntletRun[];
  approvals: PromotionRequest[];
  waivers: GauntletWaiver[];
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

  constructor(options: {
    store: GauntletStore;
    versions: GauntletVersionSource;
    gauntletConfig: GauntletConfig;
    logger: LoggerService;
    auditor?: AuditorService;
    clock: () => Date;
  }) {
    this.#store = options.store;
    this.#versions = options.versions;
    this.#gc = options.gauntletConfig;
    this.#logger = options.logger;
    this.#auditor = options.auditor;
    this.#clock = options.clock;
  }

  /** The latest sealed version of a model, if any. */
  async latestSealedVersion(
    entityRef: string,
  ): Promise<ModelVersion | undefined> {
    const versions = await this.#versions.listVersions(entityRef);
    return versions.find(v => v.state === 'sealed');
  }

  /** Computes the gauntlet state of a model for its latest sealed version. */
  async evaluate(entity: Entity): Promise<GauntletEvaluation> {
    const entityRef = stringifyEntityRef(entity).toLocaleLowerCase('en-US');
    const now = this.#clock();
    const requestedTier = requestedTierOf(entity);
    const [latest, approvals, waivers] = await Promise.all([
      this.latestSealedVersion(entityRef),
      this.#store.listPromotionRequests(entityRef),
      this.#store.listWaivers(entityRef, now),
    ]);
    const resultsByTier: Partial<Record<ModelTier, GauntletResult[]>> = {};
    let activeRuns: GauntletRun[] = [];
    if (latest) {
      for (const tier of tierChain(requestedTier)) {
        resultsByTier[tier] = await this.#store.latestResults(
          entityRef,
          latest.version,
          tier,
        );
      }
      activeRuns = await this.#store.activeRuns(entityRef, latest.version);
    }
    const decision = computeEffectiveTier({
      requestedTier,
      version: latest?.version,
      gates: this.#gc.gates,
      resultsByTier,
      waivers,
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
    };
  }

  /**
   * Recomputes and stores the effective tier of a model; a change is
   * recorded with the auditor (`gauntlet-tier-change`).
   */
  async updateTier(entity: Entity): Promise<GauntletEvaluation> {
    const evaluation = await this.evaluate(entity);
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
