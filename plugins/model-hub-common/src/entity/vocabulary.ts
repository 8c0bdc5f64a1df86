/**
 * Shared vocabularies of the Model entity kind: tiers, lifecycles, tasks,
 * frameworks, derivation kinds, dataset PII classes, annotations and relation
 * names. The JSON schemas in this folder use the same lists (a test keeps them
 * in sync), so that the catalog, the hub backend, the CLI and the UI agree.
 */

/** The `apiVersion` of the Model kind. */
export const MODEL_API_VERSION = 'modelhub.io/v1alpha1' as const;

/** The `kind` of a model entity. */
export const MODEL_KIND = 'Model' as const;

/**
 * Trust tiers. `official`: vetted and supported by the hub's owners;
 * `community`: shared by a team, best effort; `external`: third-party
 * (e.g. an upstream base model), used as-is.
 */
export const MODEL_TIERS = ['official', 'community', 'external'] as const;

/** A trust tier of a model. */
export type ModelTier = (typeof MODEL_TIERS)[number];

/**
 * Lifecycle stages of a model. `deprecated` models should name a
 * `spec.successor`; `archived` models are kept for the record only.
 */
export const MODEL_LIFECYCLES = [
  'experimental',
  'production',
  'deprecated',
  'archived',
] as const;

/** A lifecycle stage of a model. */
export type ModelLifecycle = (typeof MODEL_LIFECYCLES)[number];

/**
 * Well-known values of `spec.type` (the broad family of model). The schema
 * accepts any lowercase slug; these are the ones the UI knows how to present.
 */
export const MODEL_TYPES = [
  'llm',
  'classifier',
  'regression',
  'vision',
  'embedding',
  'speech',
  'recommender',
  'forecasting',
  'other',
] as const;

/**
 * Allowed values of `spec.task`: the Hugging Face pipeline-tag vocabulary
 * (https://huggingface.co/docs/hub/models-tasks), so external model cards map
 * one to one.
 */
export const MODEL_TASKS = [
  'text-classification',
  'token-classification',
  'table-question-answering',
  'question-answering',
  'zero-shot-classification',
  'translation',
  'summarization',
  'feature-extraction',
  'text-generation',
  'text2text-generation',
  'fill-mask',
  'sentence-similarity',
  'text-ranking',
  'text-retrieval',
  'multiple-choice',
  'table-to-text',
  'text-to-speech',
  'text-to-audio',
  'automatic-speech-recognition',
  'audio-to-audio',
  'audio-classification',
  'audio-text-to-text',
  'voice-activity-detection',
  'depth-estimation',
  'image-classification',
  'object-detection',
  'image-segmentation',
  'text-to-image',
  'image-to-text',
  'image-to-image',
  'image-to-video',
  'unconditional-image-generation',
  'video-classification',
  'text-to-video',
  'zero-shot-image-classification',
  'mask-generation',
  'zero-shot-object-detection',
  'text-to-3d',
  'image-to-3d',
  'image-feature-extraction',
  'keypoint-detection',
  'image-text-to-text',
  'visual-question-answering',
  'document-question-answering',
  'video-text-to-text',
  'visual-document-retrieval',
  'any-to-any',
  'tabular-classification',
  'tabular-regression',
  'tabular-to-text',
  'time-series-forecasting',
  'reinforcement-learning',
  'robotics',
  'graph-ml',
  'other',
] as const;

/** A task (Hugging Face pipeline tag) a model performs. */
export type ModelTask = (typeof MODEL_TASKS)[number];

/**
 * Well-known values of `spec.framework`. The schema accepts any lowercase
 * slug; the scanner and the UI know these.
 */
export const MODEL_FRAMEWORKS = [
  'pytorch',
  'transformers',
  'onnx',
  'sklearn',
  'tensorflow',
  'keras',
  'gguf',
  'xgboost',
  'lightgbm',
  'jax',
  'safetensors',
] as const;

/** How a model was derived from its `spec.baseModel`. */
export const MODEL_DERIVATIONS = [
  'fine-tune',
  'quantization',
  'merge',
  'adapter',
  'distillation',
] as const;

/** The kind of derivation from a base model. */
export type ModelDerivation = (typeof MODEL_DERIVATIONS)[number];

/**
 * PII classification of a dataset: `none`; `pseudonymized` (direct
 * identifiers replaced); `personal` (personal data, e.g. names, emails);
 * `sensitive` (special-category data, e.g. health, ethnicity).
 */
export const DATASET_PII_CLASSES = [
  'none',
  'pseudonymized',
  'personal',
  'sensitive',
] as const;

/** A PII classification of a dataset. */
export type DatasetPiiClass = (typeof DATASET_PII_CLASSES)[number];

/** The `spec.type` of a catalog `Resource` that is a dataset. */
export const DATASET_RESOURCE_TYPE = 'dataset' as const;

/**
 * Annotations the Model Hub reads or writes. Values are strings, as all
 * annotations are.
 */
export const MODEL_HUB_ANNOTATIONS = {
  /** Written by the hub: the tier a model has earned through the gauntlet. */
  effectiveTier: 'modelhub.io/effective-tier',
  /** Written by the hub: the outcome of the latest gauntlet run (e.g. `passed`, `failed`). */
  gauntletStatus: 'modelhub.io/gauntlet-status',
  /** Set by a model's owners: the tier they ask the gauntlet to grant. */
  requestedTier: 'modelhub.io/requested-tier',
  /** On a User who left the organisation: value `"true"`. Their stewardships need a new steward. */
  departed: 'modelhub.io/departed',
  /**
   * On a Model: ISO date (`YYYY-MM-DD`) of the last known activity (release,
   * review, retraining). The stewardship engine uses it as a floor when
   * deciding whether a model is stale.
   */
  lastActivity: 'modelhub.io/last-activity',
  /** On an external Model: where the upstream artifacts come from (URL). */
  upstream: 'modelhub.io/upstream',
  /** Written by the hub on a model it deprecated: ISO timestamp of the deprecation. */
  deprecatedAt: 'modelhub.io/deprecated-at',
  /** Written by the hub on a model it deprecated: who deprecated it (entity ref). */
  deprecatedBy: 'modelhub.io/deprecated-by',
  /** Written by the hub on a model it deprecated: why, for its consumers. */
  deprecationReason: 'modelhub.io/deprecation-reason',
  /** Written by the hub on a model registered through it: who registered it (entity ref). */
  registeredBy: 'modelhub.io/registered-by',
} as const;

/** Model → User: the model's steward (the accountable person). */
export const RELATION_HAS_STEWARD = 'hasSteward';
/** User → Model: the user is the model's steward. Reverse of {@link RELATION_HAS_STEWARD}. */
export const RELATION_STEWARD_OF = 'stewardOf';
/** Model → Model: the model was derived from a base model (`spec.baseModel`). */
export const RELATION_DERIVED_FROM = 'derivedFrom';
/** Model → Model: reverse of {@link RELATION_DERIVED_FROM}. */
export const RELATION_BASE_OF = 'baseOf';
/** Model → dataset Resource: the model was trained on the dataset (`spec.trainingData`). */
export const RELATION_TRAINED_ON = 'trainedOn';
/** Dataset Resource → Model: reverse of {@link RELATION_TRAINED_ON}. */
export const RELATION_TRAINING_DATA_OF = 'trainingDataOf';
/** Model → Model: a deprecated model is superseded by its `spec.successor`. */
export const RELATION_SUPERSEDED_BY = 'supersededBy';
/** Model → Model: reverse of {@link RELATION_SUPERSEDED_BY}. */
export const RELATION_SUPERSEDES = 'supersedes';
