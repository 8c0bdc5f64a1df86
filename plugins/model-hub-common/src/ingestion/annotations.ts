/**
 * Annotations written on ingested Model entities. Values are strings; the
 * JSON-valued ones hold compact JSON.
 */
export const INGESTION_ANNOTATIONS = {
  /** Which configured source the entity comes from, e.g. `mlflow:prod` or `huggingface:hf`. */
  source: 'modelhub.io/ingestion-source',
  /** The model's id at the source: an MLflow registered-model name or a Hugging Face repo id. */
  remoteId: 'modelhub.io/ingestion-remote-id',
  /** The upstream revision mirrored: the newest READY MLflow version, or the Hugging Face commit sha. */
  revision: 'modelhub.io/ingestion-revision',
  /** The model's page at the source. */
  sourceUrl: 'modelhub.io/ingestion-source-url',
  /** ISO timestamp set when the model disappeared upstream (the entity is then deprecated, not deleted). */
  removed: 'modelhub.io/ingestion-removed',
  /** JSON: the mirrored versions (MLflow READY versions). */
  versions: 'modelhub.io/ingestion-versions',
  /** JSON: versions that exist upstream but are not READY (shown as pending, not mirrored). */
  pendingVersions: 'modelhub.io/ingestion-pending-versions',
  /** JSON: upstream aliases, alias → version. */
  aliases: 'modelhub.io/ingestion-aliases',
  /** JSON: upstream tags, key → value. */
  tags: 'modelhub.io/ingestion-tags',
  /** JSON: MLflow 3 model metrics of the newest READY version. */
  metrics: 'modelhub.io/ingestion-metrics',
  /** JSON: MLflow 3 model params of the newest READY version. */
  params: 'modelhub.io/ingestion-params',
  /** Hugging Face: `false`, `true`, or the gating mode (`auto`, `manual`). */
  gated: 'modelhub.io/ingestion-gated',
  /** Hugging Face: the raw `securityStatus` answer (JSON), or `unavailable` when it could not be read; never read absence as clean. */
  securityStatus: 'modelhub.io/ingestion-security-status',
  /** Hugging Face: JSON list of the datasets named in the model card. */
  datasets: 'modelhub.io/ingestion-datasets',
  /** Hugging Face: the repo id the card names as its successor (`new_version`). */
  successor: 'modelhub.io/ingestion-successor',
} as const;
