import { ModelVersion } from '@internal/plugin-model-hub-common';
import { ModelActivity, ModelCompliance } from './rules';

/**
 * Where the stewardship engine learns about recent activity on models
 * (published versions, pulls), keyed by normalized model ref.
 */
export interface ModelActivitySource {
  /** Activity of the given models; models without activity may be left out. */
  getActivity(modelRefs: string[]): Promise<Record<string, ModelActivity>>;
}

/**
 * Where the stewardship engine learns about the gauntlet's results and
 * waivers, keyed by normalized model ref. Optional: without one, no
 * compliance tasks (failing checks, expiring waivers) are opened. The
 * gauntlet backend implements it.
 */
export interface ComplianceSource {
  /** Compliance state of the given models; models never checked may be left out. */
  getCompliance(
    modelRefs: string[],
    options: { now: Date },
  ): Promise<Record<string, ModelCompliance>>;
}

/**
 * Activity from the hub's own version records: the latest time any version
 * of a model was created or sealed becomes its `lastVersionAt`. Pulls are
 * not recorded by the version store yet, so `lastPullAt` stays unset.
 */
export function createVersionActivitySource(versions: {
  listVersions(entityRef: string): Promise<ModelVersion[]>;
}): ModelActivitySource {
  return {
    async getActivity(modelRefs) {
      const result: Record<string, ModelActivity> = {};
      const concurrency = 8;
      for (let i = 0; i < modelRefs.length; i += concurrency) {
        const batch = modelRefs.slice(i, i + concurrency);
        const lists = await Promise.all(
          batch.map(ref => versions.listVersions(ref)),
        );
        batch.forEach((ref, index) => {
          let latest: number | undefined;
          for (const version of lists[index]) {
            for (const at of [version.createdAt, version.sealedAt]) {
              const time = at ? Date.parse(at) : NaN;
              if (
                !Number.isNaN(time) &&
                (latest === undefined || time > latest)
              ) {
                latest = time;
              }
            }
          }
          if (latest !== undefined) {
            result[ref] = { lastVersionAt: new Date(latest) };
          }
        });
      }
      return result;
    },
  };
}
