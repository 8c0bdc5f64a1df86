/**
 * The MLflow Model Registry REST shapes we read (`/api/2.0/mlflow/...`), as
 * documented; every field optional because servers of different versions
 * (and MLflow-compatible registries) omit different ones.
 */

/** A `{ key, value }` tag. */
export interface MlflowTag {
  key?: string;
  value?: string;
}

/** A registered-model or model-version alias (MLflow 2.3+). */
export interface MlflowAlias {
  alias?: string;
  version?: string;
}

/** A registered model from `registered-models/search`. */
export interface MlflowRegisteredModel {
  name?: string;
  creation_timestamp?: number | string;
  last_updated_timestamp?: number | string;
  user_id?: string;
  description?: string;
  latest_versions?: MlflowModelVersion[];
  tags?: MlflowTag[];
  aliases?: MlflowAlias[];
}

/** An MLflow 3 logged-model metric attached to a model version. */
export interface MlflowMetric {
  key?: string;
  value?: number;
  timestamp?: number | string;
  step?: number | string;
  dataset_name?: string;
  dataset_digest?: string;
  run_id?: string;
}

/** An MLflow 3 model param. */
export interface MlflowParam {
  name?: string;
  value?: string;
}

/** A model version from `model-versions/search`. */
export interface MlflowModelVersion {
  name?: string;
  version?: string;
  creation_timestamp?: number | string;
  last_updated_timestamp?: number | string;
  user_id?: string;
  current_stage?: string;
  description?: string;
  source?: string;
  run_id?: string;
  status?: string;
  status_message?: string;
  tags?: MlflowTag[];
  run_link?: string;
  aliases?: string[];
  model_id?: string;
  model_metrics?: MlflowMetric[];
  model_params?: MlflowParam[];
}

/** `GET registered-models/search` response. */
export interface SearchRegisteredModelsResponse {
  registered_models?: MlflowRegisteredModel[];
  next_page_token?: string;
}

/** `GET model-versions/search` response. */
export interface SearchModelVersionsResponse {
  model_versions?: MlflowModelVersion[];
  next_page_token?: string;
}
