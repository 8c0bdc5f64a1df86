import { Entity, stringifyEntityRef } from '@backstage/catalog-model';
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
  /**
   * Compliance state of the given Model entities, keyed by normalized ref
   * (`model:default/x`); models never checked may be left out.
   */
  getCompliance(
    models: Entity[],
    options: { now: Date },
  ): Promise<Record<string, ModelCompliance>>;
}

/**
 * Activity from the hub's own version records: the latest time any version
 * of a model was created or sealed becomes its `lastVersionAt`. Pulls are
 * not recorded by the version store yet, so `lastPullAt` stays unset. With
 * `latestActivity` (the version store has it) that is one grouped query per
 * 500 models; otherwise each model's versions are listed.
 */
export function createVersionActivitySource(versions: {
  listVersions(entityRef: string): Promise<ModelVersion[]>;
  latestActivity?(entityRefs: string[]): Promise<Map<string, Date>>;
}): ModelActivitySource {
  return {
    async getActivity(modelRefs) {
      const result: Record<string, ModelActivity> = {};
      if (versions.latestActivity) {
        for (const [ref, at] of await versions.latestActivity(modelRefs)) {
          result[ref] = { lastVersionAt: at };
        }
        return result;
      }
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

/** The part of the gauntlet's evaluation of a model that stewardship reads. */
export interface GauntletEvaluationLike {
  /** The version evaluated (the latest sealed one), or null. */
  version: string | null;
  /** Latest results per tier of the tier chain. */
  resultsByTier: Partial<
    Record<
      string,
      Array<{
        checkId: string;
        version: string;
        status: 'pass' | 'warn' | 'fail' | 'error' | 'not-applicable';
        summary?: string;
        reason?: string;
      }>
    >
  >;
  /** Waivers of the model, active or not. */
  waivers: Array<{
    checkId: string;
    version?: string;
    expiresAt: string;
    reason?: string;
  }>;
}

const STATUS_RANK = ['fail', 'error', 'warn', 'pass', 'not-applicable'];

/** Models per batched gauntlet read (bounds what one read holds in memory). */
const COMPLIANCE_CHUNK = 500;

/** Where {@link createGauntletComplianceSource} reads the gauntlet's state. */
export type GauntletEvaluations =
  | { evaluate(entity: Entity): Promise<GauntletEvaluationLike> }
  | {
      /** Evaluations of many models at once, keyed by normalized ref. */
      readEvaluations(
        entities: Entity[],
        now: Date,
      ): Promise<Map<string, GauntletEvaluationLike>>;
    };

/**
 * A {@link ComplianceSource} over the gauntlet's evaluations: the results of
 * the latest sealed version (one per check, the worst when several tiers ran
 * the same check) and the waivers that apply to that version. Batched reads
 * (`readEvaluations`, a fixed number of queries per 500 models) are used when
 * given; otherwise one `evaluate(entity)` per model, and a model whose
 * evaluation fails is left out (and reported to `onError`).
 */
export function createGauntletComplianceSource(
  gauntlet: GauntletEvaluations,
  options: { onError?: (entityRef: string, error: unknown) => void } = {},
): ComplianceSource {
  return {
    async getCompliance(models, { now }) {
      const result: Record<string, ModelCompliance> = {};
      const add = (ref: string, evaluation: GauntletEvaluationLike) => {
        const compliance = toCompliance(evaluation);
        if (compliance) result[ref] = compliance;
      };
      if ('readEvaluations' in gauntlet) {
        for (let i = 0; i < models.length; i += COMPLIANCE_CHUNK) {
          const chunk = models.slice(i, i + COMPLIANCE_CHUNK);
          for (const [ref, evaluation] of await gauntlet.readEvaluations(
            chunk,
            now,
          )) {
            add(ref, evaluation);
          }
        }
        return result;
      }
      for (const entity of models) {
        const ref = stringifyEntityRef(entity).toLocaleLowerCase('en-US');
        try {
          add(ref, await gauntlet.evaluate(entity));
        } catch (error) {
          options.onError?.(ref, error);
        }
      }
      return result;
    },
  };
}

/** What stewardship keeps of one evaluation; undefined when nothing applies. */
function toCompliance(
  evaluation: GauntletEvaluationLike,
): ModelCompliance | undefined {
  const version = evaluation.version ?? undefined;
  const checks = new Map<string, ModelCompliance['checks'][number]>();
  for (const results of Object.values(evaluation.resultsByTier)) {
    for (const r of results ?? []) {
      if (version !== undefined && r.version !== version) continue;
      const previous = checks.get(r.checkId);
      if (
        previous &&
        STATUS_RANK.indexOf(previous.status) <= STATUS_RANK.indexOf(r.status)
      ) {
        continue;
      }
      const message = r.reason ?? r.summary;
      checks.set(r.checkId, {
        id: r.checkId,
        status: r.status,
        version: r.version,
        ...(message ? { message } : {}),
      });
    }
  }
  const waivers = evaluation.waivers
    .filter(w => !w.version || w.version === version)
    .map(w => ({
      checkId: w.checkId,
      expiresAt: new Date(w.expiresAt),
      ...(w.reason ? { reason: w.reason } : {}),
    }))
    .filter(w => !Number.isNaN(w.expiresAt.getTime()));
  if (checks.size === 0 && waivers.length === 0) return undefined;
  return {
    ...(version !== undefined ? { currentVersion: version } : {}),
    checks: [...checks.values()],
    waivers,
  };
}
