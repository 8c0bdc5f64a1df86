import { LoggerService } from '@backstage/backend-plugin-api';
import { isModelEntity } from '@internal/plugin-model-hub-common';
import { stringifyEntityRef } from '@backstage/catalog-model';
import { GauntletCatalog } from './catalogAccess';
import { GauntletConfig } from './config';
import { GauntletStore } from './GauntletStore';
import { GauntletCheck } from './nodeApi';
import { entitySha256, requestedTierOf } from './runInputs';
import { staleness } from './staleness';
import { TierEvaluator } from './TierEvaluator';
import { tierChain } from './tiers';
import { GauntletRun } from './types';

/**
 * The scheduled refresh: re-queues runs whose results are outdated and
 * recomputes every model's tier.
 */
export class GauntletRefresher {
  constructor(
    private readonly options: {
      store: GauntletStore;
      checks: GauntletCheck[];
      catalog: GauntletCatalog;
      gauntletConfig: GauntletConfig;
      evaluator: TierEvaluator;
      logger: LoggerService;
      clock: () => Date;
    },
  ) {}

  /**
   * For every model's latest sealed version and tier, enqueues a run when
   * there is none, when a check's version, the policy (config hash) or the
   * entity changed since the latest run, or when its results are older than
   * `maxResultAgeDays`. Also recomputes every tier, so expired waivers take
   * effect. Returns the runs enqueued.
   */
  async refresh(): Promise<GauntletRun[]> {
    const { store, checks, catalog, evaluator, logger } = this.options;
    const gc = this.options.gauntletConfig;
    const now = this.options.clock();
    const maxAgeMs = gc.maxResultAgeDays * 24 * 3600 * 1000;
    const checkVersions = Object.fromEntries(
      checks.map(c => [c.id, c.version]),
    );
    const enqueued: GauntletRun[] = [];
    for (const entity of await catalog.getModels()) {
      if (!isModelEntity(entity)) continue;
      const entityRef = stringifyEntityRef(entity).toLocaleLowerCase('en-US');
      try {
        const latest = await evaluator.latestSealedVersion(entityRef);
        if (latest) {
          const tiers = tierChain(requestedTierOf(entity));
          // Read first: a run queued, started or finished after this read
          // (the seal's, from another replica) makes the enqueue below a
          // no-op instead of a second run.
          const newest = await Promise.all(
            tiers.map(t => store.newestRunId(entityRef, latest.version, t)),
          );
          const active = await store.activeRuns(entityRef, latest.version);
          for (const [i, tier] of tiers.entries()) {
            // A running run brings fresh results too: re-queueing it because
            // nothing has completed yet ran the gauntlet twice for one seal.
            if (active.some(r => r.tier === tier)) continue;
            const last = await store.latestCompletedRun(
              entityRef,
              latest.version,
              tier,
            );
            const why = staleness(last, {
              checkVersions,
              configSha256: gc.configSha256,
              entitySha256: entitySha256(entity),
              now,
              maxAgeMs,
            });
            if (!why) continue;
            const { created, run } = await store.enqueue(
              {
                entityRef,
                version: latest.version,
                tier,
                trigger: 'scheduled',
                triggerReason: why,
                ifNewestRunId: newest[i],
              },
              now,
            );
            if (created) {
              enqueued.push(run);
            }
          }
        }
        await evaluator.updateTier(entity);
      } catch (e) {
        logger.error(
          `Gauntlet refresh of ${entityRef} failed: ${(e as Error).message}`,
        );
      }
    }
    if (enqueued.length > 0) {
      logger.info(`Gauntlet refresh enqueued ${enqueued.length} run(s)`);
    }
    return enqueued;
  }
}
