import { Entity } from '@backstage/catalog-model';
import {
  isModelEntity,
  ModelEntityV1alpha1,
} from '@internal/plugin-model-hub-common';
import { StewardshipConfig } from './config';
import { assessStaleness } from './lifecycle';
import {
  compareStrings,
  kindOfRef,
  normalizeEntityRef,
  tryNormalizeEntityRef,
} from './refs';
import { resolveOwnerGroup } from './resolve';
import { complianceRule } from './rules/compliance';
import { EvaluationContext, ModelContext } from './rules/context';
import { deprecationRule } from './rules/deprecation';
import { upstreamDriftRule } from './rules/drift';
import { modelCardRule } from './rules/modelCard';
import { ownershipRule, stewardRule } from './rules/ownership';
import { stalenessRule } from './rules/staleness';
import { assertValidDate } from './time';
import { StewardshipCondition, StewardshipInput } from './types';

export { readModelCardField } from './rules/modelCard';

/** Keys a per-model record by normalised model ref; malformed keys throw. */
function byModelRef<T>(
  record: Record<string, T> | undefined,
  what: string,
): Map<string, T> {
  const map = new Map<string, T>();
  for (const [key, value] of Object.entries(record ?? {})) {
    const ref = tryNormalizeEntityRef(key, { defaultKind: 'model' });
    if (!ref || kindOfRef(ref) !== 'model') {
      throw new Error(`${what}: "${key}" is not a model ref`);
    }
    if (map.has(ref)) {
      throw new Error(`${what}: model ${ref} appears more than once`);
    }
    map.set(ref, value);
  }
  return map;
}

/**
 * Runs every stewardship rule over a snapshot and returns the conditions
 * that need a human, sorted by dedup key. Pure: the same input always gives
 * the same output, and the clock is `input.now`.
 *
 * Models declared `archived` yield nothing; models archived for inactivity
 * yield only their `stale-archived` condition. Tasks about a model go to its
 * owning group, or to `config.governanceGroup` when the model is orphaned;
 * migration tasks go to the owner of each consuming component.
 *
 * Severities: `critical` for an orphaned production model and for a failing
 * check on a production model; `high` for other orphans and failing checks,
 * a missing or departed steward and a migration off a deprecated model;
 * `medium` for a steward outside the owning team, the stale warning, a
 * deprecated model without successor, an erroring check and an expiring
 * waiver and a new upstream revision (`high` for an upstream licence
 * change); `low` for a model archived for inactivity and an incomplete model
 * card.
 *
 * Throws an `Error` on malformed input (invalid dates, non-Model entities,
 * duplicate models, several results for one check on the current version).
 */
export function evaluateStewardship(
  input: StewardshipInput,
  config: StewardshipConfig,
): StewardshipCondition[] {
  assertValidDate(input.now, 'now');
  const models = new Map<string, ModelEntityV1alpha1>();
  for (const model of input.models) {
    const entity: Entity = model;
    if (!isModelEntity(entity)) {
      throw new Error(
        `Not a Model entity: ${entity?.kind} ${entity?.metadata?.name}`,
      );
    }
    const ref = normalizeEntityRef(model);
    if (models.has(ref)) {
      throw new Error(`Model ${ref} appears more than once in the input`);
    }
    models.set(ref, model);
  }
  const ctx: EvaluationContext = {
    now: input.now,
    config,
    catalog: input.catalog,
    models,
    activity: byModelRef(input.activity, 'activity'),
  };
  const compliance = byModelRef(input.compliance, 'compliance');

  const conditions: StewardshipCondition[] = [];
  for (const [modelRef, model] of models) {
    if (model.spec.lifecycle === 'archived') continue;
    const namespace = model.metadata.namespace ?? 'default';
    const owner = resolveOwnerGroup(model.spec.owner, namespace, ctx.catalog);
    const m: ModelContext = {
      model,
      modelRef,
      namespace,
      label: model.metadata.title ?? model.metadata.name,
      owner,
      responsible: owner.status === 'ok' ? owner.ref! : config.governanceGroup,
      staleness: assessStaleness(
        model,
        ctx.activity.get(modelRef),
        ctx.now,
        config,
      ),
      compliance: compliance.get(modelRef),
    };
    if (m.staleness.state === 'stale') {
      conditions.push(...stalenessRule(ctx, m));
      continue;
    }
    conditions.push(
      ...ownershipRule(ctx, m),
      ...stewardRule(ctx, m),
      ...stalenessRule(ctx, m),
      ...deprecationRule(ctx, m),
      ...complianceRule(ctx, m),
      ...modelCardRule(ctx, m),
      ...upstreamDriftRule(model, m),
    );
  }
  return conditions.sort((a, b) => compareStrings(a.dedupKey, b.dedupKey));
}
