import { ModelEntityV1alpha1 } from '@internal/plugin-model-hub-common';
import { StewardshipCondition } from './rules';
import { StewardshipOverrideState } from './StewardshipActionStore';

/** Where the engine reads what people decided (see `StewardshipActionStore`). */
export interface StewardshipOverridesSource {
  /** Steward overrides, hub archives and active snoozes/waivers at `now`. */
  state(now: Date): Promise<StewardshipOverrideState>;
}

/**
 * The models as stewardship sees them: a steward named in the hub replaces
 * `spec.steward`, a model archived in the hub counts as `archived`. Returns
 * copies; the catalog's entities are not touched.
 */
export function applyModelOverrides(
  models: ModelEntityV1alpha1[],
  refs: string[],
  state: StewardshipOverrideState | undefined,
): ModelEntityV1alpha1[] {
  if (!state) return models;
  return models.map((model, index) => {
    const steward = state.stewards.get(refs[index]);
    const archived = state.archived.has(refs[index]);
    if (!steward && !archived) return model;
    return {
      ...model,
      spec: {
        ...model.spec,
        ...(steward ? { steward } : {}),
        ...(archived ? { lifecycle: 'archived' as const } : {}),
      },
    };
  });
}

/** Drops the conditions whose dedup key is snoozed or waived. */
export function withoutSuppressed(
  conditions: StewardshipCondition[],
  state: StewardshipOverrideState | undefined,
): StewardshipCondition[] {
  if (!state || state.suppressed.size === 0) return conditions;
  return conditions.filter(c => !state.suppressed.has(c.dedupKey));
}
