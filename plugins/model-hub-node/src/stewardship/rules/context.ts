import { ModelEntityV1alpha1 } from '@internal/plugin-model-hub-common';
import { StewardshipConfig } from '../config';
import { Staleness } from '../lifecycle';
import { OwnerResolution } from '../resolve';
import { ModelActivity, ModelCompliance, StewardshipCatalog } from '../types';

/** Everything the rules know about one model during an evaluation. */
export interface ModelContext {
  model: ModelEntityV1alpha1;
  modelRef: string;
  namespace: string;
  /** `metadata.title` or `metadata.name`, for human-readable text. */
  label: string;
  owner: OwnerResolution;
  /** Who gets the model's own tasks: the owner group, or governance if orphaned. */
  responsible: string;
  staleness: Staleness;
  compliance?: ModelCompliance;
}

/** What every rule knows about the whole evaluation. */
export interface EvaluationContext {
  now: Date;
  config: StewardshipConfig;
  catalog: StewardshipCatalog;
  models: Map<string, ModelEntityV1alpha1>;
  activity: Map<string, ModelActivity>;
}

/** A date as ISO 8601 text. */
export function iso(date: Date): string {
  return date.toISOString();
}

/** Joins the non-empty parts of a sentence. */
export function text(
  ...parts: Array<string | false | null | undefined>
): string {
  return parts.filter(Boolean).join('');
}
