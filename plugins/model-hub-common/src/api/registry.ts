import { ModelEntityV1alpha1 } from '../entity/ModelEntityV1alpha1';

/**
 * Wire types of the hub's model registry and lifecycle routes: models
 * registered through the hub (not through YAML in a repository) and
 * deprecations recorded by the hub for any model.
 */

/**
 * Body of `POST /v1/registered-models`: the birth certificate of a model to
 * create or update. `metadata.namespace` defaults to `default`. The entity
 * is validated with the Model kind's validator; its owner and steward must
 * exist in the catalog.
 */
export interface RegisterModelRequest {
  entity: ModelEntityV1alpha1;
}

/** A model whose birth certificate is stored by the hub and served to the catalog. */
export interface RegisteredModel {
  /** Lower-case entity ref, e.g. `model:default/invoice-extractor`. */
  entityRef: string;
  /** The entity as registered (without the catalog's location annotations). */
  entity: ModelEntityV1alpha1;
  createdBy: string;
  createdAt: string;
  updatedBy: string;
  updatedAt: string;
}

/** Response of `POST /v1/registered-models` (201 when created, 200 when updated). */
export interface RegisterModelResponse extends RegisteredModel {
  created: boolean;
  /** Accepted, but flagged: e.g. a steward outside the owning team. */
  warnings: string[];
}

/** Body of `PUT /v1/models/:namespace/:name/deprecation`. */
export interface DeprecateModelRequest {
  /** Why the model is deprecated; shown to its consumers. */
  reason: string;
  /** Entity ref of the Model that replaces it (kind defaults to Model). */
  successor?: string;
}

/** A deprecation recorded by the hub; the catalog applies it to the entity. */
export interface ModelDeprecation {
  entityRef: string;
  reason: string;
  /** Lower-case entity ref of the successor Model, when one was named. */
  successor?: string;
  deprecatedBy: string;
  deprecatedAt: string;
}

/**
 * Location type of the entities the hub serves to the catalog: their
 * `backstage.io/managed-by-location` is
 * `model-hub:<hub base url>/v1/registered-models/<namespace>/<name>`, which
 * is how the hub tells its own models from YAML-managed ones.
 */
export const MODEL_HUB_LOCATION_TYPE = 'model-hub';

/** List response of `GET /v1/registered-models`. */
export interface RegisteredModelList {
  items: RegisteredModel[];
}

/** List response of `GET /v1/deprecations`. */
export interface ModelDeprecationList {
  items: ModelDeprecation[];
}
