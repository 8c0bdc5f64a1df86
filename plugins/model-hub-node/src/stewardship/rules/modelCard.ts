import { ModelEntityV1alpha1 } from '@internal/plugin-model-hub-common';
import { makeCondition } from '../condition';
import { EvaluationContext, ModelContext } from './context';

function isBlank(value: unknown): boolean {
  if (value === undefined || value === null) return true;
  if (typeof value === 'string') return value.trim() === '';
  if (Array.isArray(value)) return value.length === 0;
  if (typeof value === 'object') return Object.keys(value).length === 0;
  return false;
}

function readPath(root: unknown, path: string[]): unknown {
  let value = root;
  for (const segment of path) {
    if (typeof value !== 'object' || value === null) return undefined;
    value = (value as Record<string, unknown>)[segment];
  }
  return value;
}

/**
 * Reads a required model-card field: a bare name from `spec`, falling back
 * to `metadata`; a dotted path from the entity root.
 */
export function readModelCardField(
  model: ModelEntityV1alpha1,
  field: string,
): unknown {
  if (field.includes('.')) {
    return readPath(model, field.split('.'));
  }
  const fromSpec = readPath(model.spec, [field]);
  return isBlank(fromSpec) ? readPath(model.metadata, [field]) : fromSpec;
}

/** Required model-card fields left blank. */
export function modelCardRule(ctx: EvaluationContext, m: ModelContext) {
  const missing = ctx.config.requiredFields.filter(field =>
    isBlank(readModelCardField(m.model, field)),
  );
  if (missing.length === 0) {
    return [];
  }
  return [
    makeCondition({
      kind: 'model-card-incomplete',
      modelRef: m.modelRef,
      assignee: m.responsible,
      severity: 'low',
      title: `Model card of ${m.label} is missing ${missing.join(', ')}`,
      description: `The model card (catalog entity) of ${
        m.modelRef
      } lacks required fields: ${missing.join(
        ', ',
      )}. Fill them in so users can judge whether the model fits their use.`,
      details: { missingFields: missing },
    }),
  ];
}
