import { Entity, stringifyEntityRef } from '@backstage/catalog-model';
import { CatalogProcessor } from '@backstage/plugin-catalog-node';
import { MODEL_HUB_ANNOTATIONS } from '@internal/plugin-model-hub-common';
import { ModelDeprecationSource } from './ModelHubDeprecationClient';

const DEPRECATION_ANNOTATIONS = [
  MODEL_HUB_ANNOTATIONS.deprecatedAt,
  MODEL_HUB_ANNOTATIONS.deprecatedBy,
  MODEL_HUB_ANNOTATIONS.deprecationReason,
];

/**
 * Catalog processor that overlays the deprecations recorded by the Model Hub
 * on Model entities, whatever manages them (YAML or the hub's registry): a
 * deprecated model gets `spec.lifecycle: deprecated` (an archived one stays
 * archived), `spec.successor` when the hub names one, and the
 * `modelhub.io/deprecated-at`, `deprecated-by` and `deprecation-reason`
 * annotations. Those annotations are written by the hub only; values claimed
 * in YAML are removed.
 *
 * It runs in `preProcessEntity`, a stage the catalog completes for every
 * processor before validation and before `postProcessEntity`, so the
 * {@link ModelEntityProcessor} validates the overlaid entity and emits its
 * `supersededBy` relation.
 *
 * When the hub cannot be asked, processing of the model fails with an error
 * naming the model: the catalog then keeps the entity as it was last
 * processed (and shows the error on it) instead of silently dropping a
 * deprecation. The price is that a Model new to the catalog appears only
 * once the hub answers.
 */
export class ModelHubLifecycleProcessor implements CatalogProcessor {
  constructor(private readonly source: ModelDeprecationSource) {}

  /** {@inheritDoc @backstage/plugin-catalog-node#CatalogProcessor.getProcessorName} */
  getProcessorName(): string {
    return 'ModelHubLifecycleProcessor';
  }

  /** Applies the hub's deprecation (if any) to a Model. */
  async preProcessEntity(entity: Entity): Promise<Entity> {
    if (entity.kind?.toLocaleLowerCase('en-US') !== 'model') return entity;

    const entityRef = stringifyEntityRef({
      kind: 'model',
      namespace: entity.metadata.namespace ?? 'default',
      name: entity.metadata.name,
    }).toLocaleLowerCase('en-US');
    let deprecation;
    try {
      deprecation = await this.source.getDeprecation(entityRef);
    } catch (error) {
      throw new Error(
        `Could not read the Model Hub lifecycle of ${entityRef}, keeping its last processed state: ${
          (error as Error)?.message ?? String(error)
        }`,
      );
    }

    const annotations = { ...entity.metadata.annotations };
    for (const key of DEPRECATION_ANNOTATIONS) delete annotations[key];
    if (!deprecation) {
      return { ...entity, metadata: { ...entity.metadata, annotations } };
    }

    const spec = { ...entity.spec };
    if (spec.lifecycle !== 'archived') spec.lifecycle = 'deprecated';
    if (deprecation.successor) spec.successor = deprecation.successor;
    annotations[MODEL_HUB_ANNOTATIONS.deprecatedAt] = deprecation.deprecatedAt;
    annotations[MODEL_HUB_ANNOTATIONS.deprecatedBy] = deprecation.deprecatedBy;
    annotations[MODEL_HUB_ANNOTATIONS.deprecationReason] = deprecation.reason;
    return { ...entity, metadata: { ...entity.metadata, annotations }, spec };
  }
}
