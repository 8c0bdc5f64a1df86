import {
  Entity,
  KindValidator,
  parseEntityRef,
  stringifyEntityRef,
} from '@backstage/catalog-model';
import schema from './Model.v1alpha1.schema.json';
import {
  MODEL_API_VERSION,
  MODEL_HUB_ANNOTATIONS,
  MODEL_KIND,
  MODEL_TIERS,
  ModelDerivation,
  ModelLifecycle,
  ModelTask,
  ModelTier,
} from './vocabulary';
import {
  checkEntityRefField,
  checkLicenseField,
  EntityValidationResult,
  formatSchemaError,
  lazySchemaValidator,
  runSchemaValidator,
} from './validation';

/** The JSON schema (draft-07) of {@link ModelEntityV1alpha1}, extending Backstage's `Entity` schema. */
export const modelEntityV1alpha1Schema: object = schema;

/** `spec.baseModel`: the model this one was derived from, and how. */
export type ModelBaseModel = {
  /** Entity ref of the base Model, e.g. `model:default/llama-3-8b-instruct`. */
  ref: string;
  /** How this model was derived from the base model. */
  relation: ModelDerivation;
};

/** One reported evaluation result (`spec.metrics[]`). */
export type ModelMetric = {
  /** Metric name, e.g. `accuracy`, `f1`, `auc`. */
  name: string;
  value: number;
  /** Entity ref of the dataset Resource the metric was measured on. */
  dataset: string;
  /** Optional subset the value applies to, e.g. `language=de`. */
  slice?: string;
};

/**
 * `spec.evaluation`: where a version's evaluation predictions live (a CSV file
 * inside every model version, with a header row) and how to read them, so the
 * hub can recompute metrics and fairness across `sensitiveAttributes`.
 */
export type ModelEvaluation = {
  /** Entity ref of the evaluation dataset Resource. */
  dataset?: string;
  /** Relative path of the predictions file inside a model version, e.g. `eval/predictions.csv`. */
  file?: string;
  /** Column holding the ground truth. */
  labelColumn?: string;
  /** Column holding the model's prediction. */
  predictionColumn?: string;
  /** Columns holding sensitive attributes (e.g. `gender`, `age_band`) for fairness checks. */
  sensitiveAttributes?: string[];
  /** Label value counted as the positive outcome in binary metrics. */
  positiveLabel?: string | number | boolean;
};

/** The `spec` of a {@link ModelEntityV1alpha1}. */
export type ModelSpecV1alpha1 = {
  /** Broad family, e.g. `llm`, `classifier`, `vision`, `embedding`, `regression`. */
  type: string;
  /** Hugging Face pipeline tag, e.g. `text-generation`. */
  task: ModelTask;
  /** e.g. `pytorch`, `transformers`, `onnx`, `sklearn`, `gguf`. */
  framework?: string;
  /** Entity ref of the owning Group (kind defaults to Group). */
  owner: string;
  /** Entity ref of the accountable User (kind defaults to User). */
  steward?: string;
  lifecycle: ModelLifecycle;
  /** Declared tier; the earned tier is in the `modelhub.io/effective-tier` annotation. */
  tier: ModelTier;
  /** Entity ref of the System the model belongs to (kind defaults to System). */
  system?: string;
  /** SPDX license expression; custom terms as `LicenseRef-…`. */
  license: string;
  baseModel?: ModelBaseModel;
  /** Entity refs of dataset Resources (kind defaults to Resource). */
  trainingData?: string[];
  intendedUse?: string;
  outOfScopeUse?: string;
  limitations?: string;
  metrics?: ModelMetric[];
  evaluation?: ModelEvaluation;
  /** Entity ref of the Model replacing this one (deprecated or archived models). */
  successor?: string;
};

/**
 * A model managed by the Model Hub: catalog entity `kind: Model`,
 * `apiVersion: modelhub.io/v1alpha1`. It is the model card; versions and
 * artifacts are stored by the hub.
 */
export interface ModelEntityV1alpha1 extends Entity {
  apiVersion: typeof MODEL_API_VERSION;
  kind: typeof MODEL_KIND;
  spec: ModelSpecV1alpha1;
}

const schemaValidator = lazySchemaValidator<ModelEntityV1alpha1>(schema);

/** Type guard: is `entity` a Model (by apiVersion and kind; not a validation). */
export function isModelEntity(entity: Entity): entity is ModelEntityV1alpha1 {
  return (
    entity.apiVersion === MODEL_API_VERSION &&
    entity.kind?.toLocaleLowerCase('en-US') ===
      MODEL_KIND.toLocaleLowerCase('en-US')
  );
}

const ISO_DATE = /^\d{4}-(0[1-9]|1[0-2])-(0[1-9]|[12]\d|3[01])$/;

function escapePointer(segment: string): string {
  return segment.replace(/~/g, '~0').replace(/\//g, '~1');
}

/** Cross-field and syntax rules that a JSON schema cannot express clearly. */
function checkModelRules(entity: ModelEntityV1alpha1): string[] {
  const errors: string[] = [];
  const spec = entity.spec;
  const namespace = entity.metadata.namespace ?? 'default';
  const ref = (
    value: string | undefined,
    path: string,
    kinds: string[],
    defaultKind: string,
  ) => {
    if (value !== undefined) {
      checkEntityRefField(
        value,
        path,
        { kinds, defaultKind, defaultNamespace: namespace },
        errors,
      );
    }
  };

  checkLicenseField(spec.license, '/spec/license', errors);
  ref(spec.owner, '/spec/owner', ['Group', 'User'], 'Group');
  ref(spec.steward, '/spec/steward', ['User'], 'User');
  ref(spec.system, '/spec/system', ['System'], 'System');
  ref(spec.baseModel?.ref, '/spec/baseModel/ref', ['Model'], 'Model');
  spec.trainingData?.forEach((d, i) =>
    ref(d, `/spec/trainingData/${i}`, ['Resource'], 'Resource'),
  );
  spec.metrics?.forEach((m, i) =>
    ref(m.dataset, `/spec/metrics/${i}/dataset`, ['Resource'], 'Resource'),
  );
  ref(
    spec.evaluation?.dataset,
    '/spec/evaluation/dataset',
    ['Resource'],
    'Resource',
  );
  ref(spec.successor, '/spec/successor', ['Model'], 'Model');

  const self = stringifyEntityRef(entity);
  const sameAsSelf = (value: string | undefined) => {
    if (value === undefined) return false;
    try {
      return (
        stringifyEntityRef(
          parseEntityRef(value, {
            defaultKind: 'Model',
            defaultNamespace: namespace,
          }),
        ) === self
      );
    } catch {
      return false;
    }
  };
  if (sameAsSelf(spec.baseModel?.ref)) {
    errors.push('/spec/baseModel/ref must not reference the model itself');
  }
  if (sameAsSelf(spec.successor)) {
    errors.push('/spec/successor must not reference the model itself');
  }
  if (
    spec.successor !== undefined &&
    spec.lifecycle !== 'deprecated' &&
    spec.lifecycle !== 'archived'
  ) {
    errors.push(
      `/spec/successor is only allowed when /spec/lifecycle is deprecated or archived, not ${spec.lifecycle}`,
    );
  }

  const annotations = entity.metadata.annotations ?? {};
  const annotationPath = (key: string) =>
    `/metadata/annotations/${escapePointer(key)}`;
  const lastActivity = annotations[MODEL_HUB_ANNOTATIONS.lastActivity];
  if (
    lastActivity !== undefined &&
    (!ISO_DATE.test(lastActivity) || isNaN(Date.parse(lastActivity)))
  ) {
    errors.push(
      `${annotationPath(
        MODEL_HUB_ANNOTATIONS.lastActivity,
      )} must be a date YYYY-MM-DD, got "${lastActivity}"`,
    );
  }
  for (const key of [
    MODEL_HUB_ANNOTATIONS.requestedTier,
    MODEL_HUB_ANNOTATIONS.effectiveTier,
  ]) {
    const value = annotations[key];
    if (
      value !== undefined &&
      !(MODEL_TIERS as readonly string[]).includes(value)
    ) {
      errors.push(
        `${annotationPath(key)} must be one of ${MODEL_TIERS.join(
          ', ',
        )}, got "${value}"`,
      );
    }
  }
  return errors;
}

/**
 * Validates a Model entity against the schema and the Model rules (SPDX
 * syntax, ref kinds, successor only when deprecated, annotation formats).
 * Reports the first schema violation, or every rule violation.
 */
export function validateModelEntity(entity: unknown): EntityValidationResult {
  const e = entity as Partial<Entity> | null;
  if (
    typeof e !== 'object' ||
    e === null ||
    e.apiVersion !== MODEL_API_VERSION ||
    e.kind !== MODEL_KIND
  ) {
    return {
      valid: false,
      errors: [
        `not a Model entity: expected apiVersion ${MODEL_API_VERSION} and kind ${MODEL_KIND}`,
      ],
    };
  }
  const schemaError = runSchemaValidator(schemaValidator, entity);
  if (schemaError) {
    return { valid: false, errors: [schemaError] };
  }
  const errors = checkModelRules(entity as ModelEntityV1alpha1);
  return { valid: errors.length === 0, errors };
}

/**
 * Catalog kind validator for {@link ModelEntityV1alpha1}: resolves `false` for
 * other kinds, `true` for valid models, and throws a `TypeError` listing the
 * problems of an invalid model.
 */
export const modelEntityV1alpha1Validator: KindValidator = {
  async check(data: Entity) {
    let model: ModelEntityV1alpha1 | false;
    try {
      model = schemaValidator(data);
    } catch (e) {
      if (e instanceof TypeError) {
        throw new TypeError(formatSchemaError(e.message));
      }
      throw e;
    }
    if (model === false) {
      // Another kind or apiVersion, and nothing else wrong: not ours.
      return false;
    }
    const errors = checkModelRules(model);
    if (errors.length > 0) {
      throw new TypeError(errors.join('; '));
    }
    return true;
  },
};
