import { Entity, stringifyEntityRef } from '@backstage/catalog-model';
import { CatalogProcessor } from '@backstage/plugin-catalog-node';
import { MODEL_HUB_ANNOTATIONS } from '@internal/plugin-model-hub-common';
import { EffectiveTierSource, tierKey } from './ModelHubTierClient';

/**
 * Catalog processor that puts the tier a Model earned through the gauntlet
 * (`modelhub.io/effective-tier`) and its gauntlet status
 * (`modelhub.io/gauntlet-status`) on the entity, as the Model Hub reports
 * them. Both annotations are written by the hub only: values claimed in the
 * YAML are removed first, so an unknown or unreachable hub leaves a model
 * with no effective tier rather than a claimed one. Never fails processing.
 */
export class ModelHubTierProcessor implements CatalogProcessor {
  constructor(private readonly source: EffectiveTierSource) {}

  /** {@inheritDoc @backstage/plugin-catalog-node#CatalogProcessor.getProcessorName} */
  getProcessorName(): string {
    return 'ModelHubTierProcessor';
  }

  /** Replaces the hub-owned annotations of a Model with the hub's view. */
  async preProcessEntity(entity: Entity): Promise<Entity> {
    if (entity.kind.toLocaleLowerCase('en-US') !== 'model') return entity;

    const annotations = { ...entity.metadata.annotations };
    delete annotations[MODEL_HUB_ANNOTATIONS.effectiveTier];
    delete annotations[MODEL_HUB_ANNOTATIONS.gauntletStatus];

    const tiers = await this.source.getEffectiveTiers();
    const entry = tiers?.get(
      tierKey(
        stringifyEntityRef({
          kind: entity.kind,
          namespace: entity.metadata.namespace,
          name: entity.metadata.name,
        }),
      ),
    );
    if (entry) {
      annotations[MODEL_HUB_ANNOTATIONS.gauntletStatus] = entry.status;
      if (entry.effectiveTier) {
        annotations[MODEL_HUB_ANNOTATIONS.effectiveTier] = entry.effectiveTier;
      }
    }

    return {
      ...entity,
      metadata: { ...entity.metadata, annotations },
    };
  }
}
