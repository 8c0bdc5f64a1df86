import { parseEntityRef, stringifyEntityRef } from '@backstage/catalog-model';
import { Config } from '@backstage/config';
import { JsonObject } from '@backstage/types';
import {
  isDatasetEntity,
  isModelEntity,
  ModelEntityV1alpha1,
} from '@internal/plugin-model-hub-common';
import { GauntletCheck, GauntletCheckContext } from '../check';
import { GauntletCheckResult } from '../types';
import { evaluateLicense, InheritedLicense } from './evaluateLicense';
import { IntendedUse, INTENDED_USES, readLicensePolicy } from './policy';

/**
 * The intended use assumed per tier when none is configured: official models
 * may end up in products (commercial); community and external models are
 * used inside the organisation (internal).
 */
export const DEFAULT_LICENSE_USE_BY_TIER: Record<string, IntendedUse> = {
  official: 'commercial',
  community: 'internal',
  external: 'internal',
};

/** Reads the intended use for a tier from `modelHub.gauntlet.license.intendedUse.<tier>`. */
export function readLicenseUse(config: Config, tier: string): IntendedUse {
  const configured = config.getOptionalString(
    `modelHub.gauntlet.license.intendedUse.${tier}`,
  );
  const use = configured ?? DEFAULT_LICENSE_USE_BY_TIER[tier] ?? 'commercial';
  if (!INTENDED_USES.includes(use as IntendedUse)) {
    throw new Error(
      `modelHub.gauntlet.license.intendedUse.${tier} must be one of ${INTENDED_USES.join(
        ', ',
      )}, got "${use}"`,
    );
  }
  return use as IntendedUse;
}

/** Longest base-model chain followed before giving up (guards against cycles and runaway chains). */
const MAX_BASE_MODEL_DEPTH = 25;

function normalizeRef(
  ref: string,
  defaultKind: string,
  defaultNamespace: string,
): string {
  return stringifyEntityRef(
    parseEntityRef(ref, { defaultKind, defaultNamespace }),
  );
}

/**
 * Collects the licenses a model inherits: every model up its `baseModel`
 * chain and every dataset in `trainingData` of the model and of its bases.
 * Entities missing from the catalog, or without a license, are reported as
 * unverifiable rather than skipped.
 */
export async function collectInheritedLicenses(
  entity: ModelEntityV1alpha1,
  catalog: GauntletCheckContext['catalog'],
): Promise<InheritedLicense[]> {
  const inherited: InheritedLicense[] = [];
  const seen = new Set<string>([stringifyEntityRef(entity)]);
  let model: ModelEntityV1alpha1 | undefined = entity;
  for (let depth = 0; model; depth++) {
    const namespace = model.metadata.namespace ?? 'default';
    for (const dataRef of model.spec.trainingData ?? []) {
      const ref = normalizeRef(dataRef, 'resource', namespace);
      if (seen.has(ref)) continue;
      seen.add(ref);
      const dataset = await catalog.getEntityByRef(ref);
      if (!dataset) {
        inherited.push({
          from: ref,
          unavailable: 'training dataset not found in the catalog',
        });
      } else if (
        !isDatasetEntity(dataset) ||
        typeof dataset.spec.dataset?.license !== 'string'
      ) {
        inherited.push({
          from: ref,
          unavailable:
            'training data is not a dataset Resource with spec.dataset.license',
        });
      } else {
        inherited.push({ from: ref, expression: dataset.spec.dataset.license });
      }
    }
    const baseRef = model.spec.baseModel?.ref;
    if (!baseRef) break;
    const ref = normalizeRef(baseRef, 'model', namespace);
    if (seen.has(ref)) {
      inherited.push({
        from: ref,
        unavailable: 'base model chain has a cycle',
      });
      break;
    }
    if (depth >= MAX_BASE_MODEL_DEPTH) {
      inherited.push({
        from: ref,
        unavailable: `base model chain is deeper than ${MAX_BASE_MODEL_DEPTH} models`,
      });
      break;
    }
    seen.add(ref);
    const base = await catalog.getEntityByRef(ref);
    if (!base) {
      inherited.push({
        from: ref,
        unavailable: 'base model not found in the catalog',
      });
      break;
    }
    if (!isModelEntity(base) || typeof base.spec?.license !== 'string') {
      inherited.push({
        from: ref,
        unavailable: 'base model is not a Model entity with spec.license',
      });
      break;
    }
    inherited.push({ from: ref, expression: base.spec.license });
    model = base;
  }
  return inherited;
}

/**
 * The `license` check: evaluates the model's SPDX license, together with the
 * licenses inherited from its base models and training datasets, against the
 * license policy for the tier's intended use. `allowed` passes (obligations
 * in the evidence), `review` warns (a human must confirm), `denied` and
 * `invalid` fail.
 */
export const licenseCheck: GauntletCheck = {
  id: 'license',
  title: 'License compliance',
  description:
    "Checks the model's SPDX license and everything it inherits from base models and training data against the license policy for the tier's intended use.",
  version: '1',
  async run(ctx: GauntletCheckContext): Promise<GauntletCheckResult> {
    const policyConfig = ctx.config.getOptionalConfig(
      'modelHub.gauntlet.license.policy',
    );
    const policy = readLicensePolicy(policyConfig);
    const use = readLicenseUse(ctx.config, ctx.tier);
    const inherited = await collectInheritedLicenses(ctx.entity, ctx.catalog);
    const result = evaluateLicense(
      { expression: ctx.entity.spec.license, inherited, use },
      policy,
    );
    const evidence = {
      expression: ctx.entity.spec.license,
      use,
      verdict: result.verdict,
      reasons: result.reasons,
      obligations: result.obligations,
      terms: result.terms,
      inherited: result.inherited,
    } as unknown as JsonObject;
    const head = result.reasons[0] ?? '';
    const summaries: Record<typeof result.verdict, string> = {
      allowed: `${ctx.entity.spec.license}: allowed for ${use} use${
        inherited.length
          ? ` (with ${inherited.length} inherited license(s))`
          : ''
      }`,
      review: `${ctx.entity.spec.license}: needs legal review for ${use} use: ${head}`,
      denied: `${ctx.entity.spec.license}: not allowed for ${use} use: ${head}`,
      invalid: `Invalid license: ${head}`,
    };
    const status = {
      allowed: 'pass',
      review: 'warn',
      denied: 'fail',
      invalid: 'fail',
    } as const;
    return {
      status: status[result.verdict],
      summary: summaries[result.verdict],
      reason: result.reasons.join('\n'),
      evidence,
    };
  },
};
