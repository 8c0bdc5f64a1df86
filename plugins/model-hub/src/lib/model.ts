import {
  MODEL_HUB_ANNOTATIONS,
  MODEL_REF_DEFAULT_KINDS,
  MODEL_TIERS,
  ModelTier,
} from '@internal/plugin-model-hub-common';
import {
  Entity,
  RELATION_DEPENDENCY_OF,
  RELATION_DEPENDS_ON,
  parseEntityRef,
  stringifyEntityRef,
} from '@backstage/catalog-model';

/** Annotation carrying the tier a model has earned through the gauntlet. */
export const EFFECTIVE_TIER_ANNOTATION = MODEL_HUB_ANNOTATIONS.effectiveTier;
/** Annotation carrying the date of the last activity on a model (`YYYY-MM-DD`). */
export const LAST_ACTIVITY_ANNOTATION = MODEL_HUB_ANNOTATIONS.lastActivity;

function isTier(value: unknown): value is ModelTier {
  return (
    typeof value === 'string' &&
    (MODEL_TIERS as readonly string[]).includes(value)
  );
}

/** The tier of a model as far as the catalog knows it. */
export interface TierStatus {
  /** The tier earned (from the effective-tier annotation), if any. */
  effective?: ModelTier;
  /**
   * The tier the owners ask for: the `modelhub.io/requested-tier` annotation
   * when set, else the declared `spec.tier`; only valid tiers.
   */
  requested?: ModelTier;
}

/** Reads the requested and the earned (annotation) tier of a model. */
export function getTierStatus(entity: Entity): TierStatus {
  const annotations = entity.metadata.annotations ?? {};
  const effective = annotations[EFFECTIVE_TIER_ANNOTATION];
  const requested =
    annotations[MODEL_HUB_ANNOTATIONS.requestedTier] ?? entity.spec?.tier;
  return {
    effective: isTier(effective) ? effective : undefined,
    requested: isTier(requested) ? requested : undefined,
  };
}

function str(value: unknown): string | undefined {
  return typeof value === 'string' && value.trim() !== '' ? value : undefined;
}

/** A metric from a model card. */
export interface ModelMetric {
  name: string;
  value: number | string;
  dataset?: string;
  slice?: string;
}

/** How a model's evaluation is set up (`spec.evaluation`). */
export interface ModelEvaluationView {
  dataset?: string;
  file?: string;
  labelColumn?: string;
  predictionColumn?: string;
  sensitiveAttributes: string[];
  positiveLabel?: string;
}

function readEvaluation(value: unknown): ModelEvaluationView | undefined {
  if (!value || typeof value !== 'object' || Array.isArray(value)) {
    return undefined;
  }
  const e = value as Record<string, unknown>;
  const positive = e.positiveLabel;
  return {
    dataset: str(e.dataset),
    file: str(e.file),
    labelColumn: str(e.labelColumn),
    predictionColumn: str(e.predictionColumn),
    sensitiveAttributes: Array.isArray(e.sensitiveAttributes)
      ? e.sensitiveAttributes.filter((a): a is string => typeof a === 'string')
      : [],
    positiveLabel:
      typeof positive === 'string' ||
      typeof positive === 'number' ||
      typeof positive === 'boolean'
        ? String(positive)
        : undefined,
  };
}

/** A defensive, typed read of the fields of a Model entity the UI shows. */
export interface ModelView {
  type?: string;
  task?: string;
  framework?: string;
  owner?: string;
  steward?: string;
  lifecycle?: string;
  license?: string;
  system?: string;
  baseModel?: { ref: string; relation?: string };
  trainingData: string[];
  intendedUse?: string;
  outOfScopeUse?: string;
  limitations?: string;
  metrics: ModelMetric[];
  evaluation?: ModelEvaluationView;
  successor?: string;
}

/**
 * Reads the spec of a Model entity without trusting its shape: the catalog
 * validates models, but the UI must not crash on an older or partial one.
 */
export function readModel(entity: Entity): ModelView {
  const spec = (entity.spec ?? {}) as Record<string, unknown>;
  const base = spec.baseModel as Record<string, unknown> | undefined;
  const metrics = Array.isArray(spec.metrics) ? spec.metrics : [];
  return {
    type: str(spec.type),
    task: str(spec.task),
    framework: str(spec.framework),
    owner: str(spec.owner),
    steward: str(spec.steward),
    lifecycle: str(spec.lifecycle),
    license: str(spec.license),
    system: str(spec.system),
    baseModel:
      base && str(base.ref)
        ? { ref: base.ref as string, relation: str(base.relation) }
        : undefined,
    trainingData: Array.isArray(spec.trainingData)
      ? spec.trainingData.filter((r): r is string => typeof r === 'string')
      : [],
    intendedUse: str(spec.intendedUse),
    outOfScopeUse: str(spec.outOfScopeUse),
    limitations: str(spec.limitations),
    metrics: metrics.flatMap((m: any) =>
      m &&
      typeof m.name === 'string' &&
      (typeof m.value === 'number' || typeof m.value === 'string')
        ? [
            {
              name: m.name,
              value: m.value,
              dataset: str(m.dataset),
              slice: str(m.slice),
            },
          ]
        : [],
    ),
    evaluation: readEvaluation(spec.evaluation),
    successor: str(spec.successor),
  };
}

/** Whether an entity is a deprecated model. */
export function isDeprecatedModel(entity: Entity): boolean {
  return readModel(entity).lifecycle === 'deprecated';
}

/** Target refs of the relations of a type, optionally limited to one kind. */
export function relationTargets(
  entity: Entity,
  type: string,
  kind?: string,
): string[] {
  return (entity.relations ?? [])
    .filter(r => r.type === type)
    .map(r => r.targetRef)
    .filter(
      ref =>
        !kind || parseEntityRef(ref).kind === kind.toLocaleLowerCase('en-US'),
    );
}

/** Refs of the entities that depend on this one (its consumers). */
export function consumerRefs(entity: Entity): string[] {
  return relationTargets(entity, RELATION_DEPENDENCY_OF);
}

/** Refs of the models this entity depends on. */
export function usedModelRefs(entity: Entity): string[] {
  return relationTargets(entity, RELATION_DEPENDS_ON, 'model');
}

/**
 * Normalises a possibly short ref from a spec (e.g. `base-llm`) into a full
 * ref, or `undefined` when it cannot be parsed.
 */
export function toFullRef(
  ref: string,
  defaults: { defaultKind: string; defaultNamespace: string },
): string | undefined {
  try {
    return stringifyEntityRef(parseEntityRef(ref, defaults));
  } catch {
    return undefined;
  }
}

export {
  RELATION_DERIVED_FROM,
  RELATION_TRAINED_ON,
} from '@internal/plugin-model-hub-common';

/**
 * Resolves a ref from a Model spec field to a full ref, using the same
 * default kinds as the catalog processor; `undefined` when malformed.
 */
export function resolveSpecRef(
  entity: Entity,
  field: keyof typeof MODEL_REF_DEFAULT_KINDS,
  ref: string,
): string | undefined {
  return toFullRef(ref, {
    defaultKind: MODEL_REF_DEFAULT_KINDS[field],
    defaultNamespace: entity.metadata.namespace ?? 'default',
  });
}
