import {
  CompoundEntityRef,
  Entity,
  getCompoundEntityRef,
  RELATION_HAS_PART,
  RELATION_OWNED_BY,
  RELATION_OWNER_OF,
  RELATION_PART_OF,
} from '@backstage/catalog-model';
import { InputError } from '@backstage/errors';
import {
  CatalogProcessor,
  CatalogProcessorEmit,
  processingResult,
} from '@backstage/plugin-catalog-node';
import { LocationSpec } from '@backstage/plugin-catalog-common';
import {
  getModelSpecReferences,
  isDatasetEntity,
  isModelEntity,
  ModelReferenceField,
  modelEntityV1alpha1Validator,
  RELATION_BASE_OF,
  RELATION_DERIVED_FROM,
  RELATION_HAS_STEWARD,
  RELATION_STEWARD_OF,
  RELATION_SUPERSEDED_BY,
  RELATION_SUPERSEDES,
  RELATION_TRAINED_ON,
  RELATION_TRAINING_DATA_OF,
  validateDatasetEntity,
} from '@internal/plugin-model-hub-common';

/**
 * The relation pair (outgoing from the model, incoming on the target) emitted
 * for each referencing field of a Model spec. Metric and evaluation datasets
 * carry no relation of their own (they are provenance data, read by the hub).
 */
const RELATIONS_BY_FIELD: Partial<
  Record<ModelReferenceField, [outgoing: string, incoming: string]>
> = {
  owner: [RELATION_OWNED_BY, RELATION_OWNER_OF],
  steward: [RELATION_HAS_STEWARD, RELATION_STEWARD_OF],
  system: [RELATION_PART_OF, RELATION_HAS_PART],
  baseModel: [RELATION_DERIVED_FROM, RELATION_BASE_OF],
  trainingData: [RELATION_TRAINED_ON, RELATION_TRAINING_DATA_OF],
  successor: [RELATION_SUPERSEDED_BY, RELATION_SUPERSEDES],
};

function describe(entity: Entity): string {
  return `${entity.kind} ${entity.metadata.namespace ?? 'default'}/${
    entity.metadata.name
  }`;
}

/**
 * Catalog processor for the Model Hub: validates `kind: Model` entities and
 * dataset Resources (`spec.type: dataset`), and emits a Model's relations in
 * both directions (ownership, steward, base model, training data, system,
 * successor). Invalid entities are rejected with an error naming the entity,
 * the field and the problem.
 */
export class ModelEntityProcessor implements CatalogProcessor {
  getProcessorName(): string {
    return 'ModelEntityProcessor';
  }

  async validateEntityKind(entity: Entity): Promise<boolean> {
    if (isDatasetEntity(entity)) {
      const result = validateDatasetEntity(entity);
      if (!result.valid) {
        throw new InputError(
          `${describe(entity)}: ${result.errors.join('; ')}`,
        );
      }
      // The built-in processor validates (and claims) the Resource kind itself.
      return false;
    }
    try {
      return await modelEntityV1alpha1Validator.check(entity);
    } catch (e) {
      throw new InputError(`${describe(entity)}: ${(e as Error).message}`);
    }
  }

  async preProcessEntity(entity: Entity): Promise<Entity> {
    // Relations are unordered: a stable order avoids needless re-stitching.
    if (isModelEntity(entity) && Array.isArray(entity.spec?.trainingData)) {
      const data = entity.spec.trainingData;
      if (data.every(d => typeof d === 'string')) data.sort();
    }
    return entity;
  }

  async postProcessEntity(
    entity: Entity,
    _location: LocationSpec,
    emit: CatalogProcessorEmit,
  ): Promise<Entity> {
    if (!isModelEntity(entity)) {
      return entity;
    }
    const compound = getCompoundEntityRef(entity);
    const selfRef: CompoundEntityRef = {
      kind: compound.kind.toLocaleLowerCase('en-US'),
      namespace: compound.namespace.toLocaleLowerCase('en-US'),
      name: compound.name,
    };
    for (const reference of getModelSpecReferences(entity)) {
      const pair = RELATIONS_BY_FIELD[reference.field];
      if (pair) {
        emitPair(emit, selfRef, reference.target, pair);
      }
    }
    return entity;
  }
}

function emitPair(
  emit: CatalogProcessorEmit,
  source: CompoundEntityRef,
  target: CompoundEntityRef,
  [outgoing, incoming]: [string, string],
) {
  emit(processingResult.relation({ source, type: outgoing, target }));
  emit(
    processingResult.relation({
      source: target,
      type: incoming,
      target: source,
    }),
  );
}
