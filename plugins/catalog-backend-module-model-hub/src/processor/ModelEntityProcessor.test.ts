import { Entity } from '@backstage/catalog-model';
import { LocationSpec } from '@backstage/plugin-catalog-common';
import { CatalogProcessorResult } from '@backstage/plugin-catalog-node';
import { ModelEntityProcessor } from './ModelEntityProcessor';

const location: LocationSpec = {
  type: 'url',
  target: 'https://example.com/models.yaml',
};

function model(): Entity {
  return {
    apiVersion: 'modelhub.io/v1alpha1',
    kind: 'Model',
    metadata: { name: 'support-assistant', namespace: 'default' },
    spec: {
      type: 'llm',
      task: 'text-generation',
      owner: 'customer-support',
      steward: 'maria.garcia',
      lifecycle: 'deprecated',
      tier: 'official',
      system: 'support-platform',
      license: 'LicenseRef-llama-3-community',
      baseModel: { ref: 'llama-3-8b-instruct', relation: 'fine-tune' },
      trainingData: [
        'support-tickets-2024',
        'resource:default/support-chats-2023',
      ],
      metrics: [{ name: 'accuracy', value: 0.9, dataset: 'support-eval-set' }],
      successor: 'model:default/support-assistant-v2',
    },
  };
}

function dataset(): Entity {
  return {
    apiVersion: 'backstage.io/v1alpha1',
    kind: 'Resource',
    metadata: { name: 'support-tickets-2024' },
    spec: {
      type: 'dataset',
      owner: 'customer-support',
      dataset: {
        license: 'LicenseRef-example-internal',
        source: { location: 's3://lake/tickets/' },
        pii: 'personal',
      },
    },
  };
}

async function relationsOf(entity: Entity): Promise<string[]> {
  const results: CatalogProcessorResult[] = [];
  await new ModelEntityProcessor().postProcessEntity(entity, location, r =>
    results.push(r),
  );
  return results.map(r => {
    if (r.type !== 'relation') throw new Error(`unexpected result ${r.type}`);
    const { source, type, target } = r.relation;
    return `${source.kind}:${source.namespace}/${source.name} ${type} ${target.kind}:${target.namespace}/${target.name}`;
  });
}

describe('ModelEntityProcessor', () => {
  const processor = new ModelEntityProcessor();

  describe('validateEntityKind', () => {
    it('claims valid models', async () => {
      await expect(processor.validateEntityKind(model())).resolves.toBe(true);
    });

    it('rejects an invalid model naming the entity, the field and the problem', async () => {
      const entity = model();
      entity.spec!.tier = 'gold';
      await expect(processor.validateEntityKind(entity)).rejects.toThrow(
        'Model default/support-assistant: /spec/tier must be equal to one of the allowed values: official, community, external',
      );
      entity.spec!.tier = 'official';
      delete entity.spec!.owner;
      await expect(processor.validateEntityKind(entity)).rejects.toThrow(
        "Model default/support-assistant: /spec must have required property 'owner'",
      );
    });

    it('checks dataset resources but leaves claiming the Resource kind to the built-in processor', async () => {
      await expect(processor.validateEntityKind(dataset())).resolves.toBe(
        false,
      );
      const broken = dataset();
      (broken.spec as any).dataset.pii = 'unknown';
      await expect(processor.validateEntityKind(broken)).rejects.toThrow(
        'Resource default/support-tickets-2024: /spec/dataset/pii must be equal to one of the allowed values: none, pseudonymized, personal, sensitive',
      );
    });

    it('lets every other entity through untouched', async () => {
      for (const entity of [
        {
          apiVersion: 'backstage.io/v1alpha1',
          kind: 'Component',
          metadata: { name: 'x' },
          spec: { tier: 'gold' },
        },
        {
          apiVersion: 'backstage.io/v1alpha1',
          kind: 'Resource',
          metadata: { name: 'db' },
          spec: { type: 'database' },
        },
        { apiVersion: 'other.io/v1', kind: 'Model', metadata: { name: 'x' } },
      ]) {
        await expect(processor.validateEntityKind(entity)).resolves.toBe(false);
      }
    });
  });

  describe('postProcessEntity', () => {
    it('emits every Model relation in both directions', async () => {
      expect((await relationsOf(model())).sort()).toEqual(
        [
          'model:default/support-assistant ownedBy group:default/customer-support',
          'group:default/customer-support ownerOf model:default/support-assistant',
          'model:default/support-assistant hasSteward user:default/maria.garcia',
          'user:default/maria.garcia stewardOf model:default/support-assistant',
          'model:default/support-assistant partOf system:default/support-platform',
          'system:default/support-platform hasPart model:default/support-assistant',
          'model:default/support-assistant derivedFrom model:default/llama-3-8b-instruct',
          'model:default/llama-3-8b-instruct baseOf model:default/support-assistant',
          'model:default/support-assistant trainedOn resource:default/support-tickets-2024',
          'resource:default/support-tickets-2024 trainingDataOf model:default/support-assistant',
          'model:default/support-assistant trainedOn resource:default/support-chats-2023',
          'resource:default/support-chats-2023 trainingDataOf model:default/support-assistant',
          'model:default/support-assistant supersededBy model:default/support-assistant-v2',
          'model:default/support-assistant-v2 supersedes model:default/support-assistant',
        ].sort(),
      );
    });

    it('resolves short refs in the model namespace and honours explicit kinds', async () => {
      const entity = model();
      entity.metadata.namespace = 'team-a';
      entity.spec!.owner = 'user:default/jane';
      const relations = await relationsOf(entity);
      expect(relations).toContain(
        'model:team-a/support-assistant ownedBy user:default/jane',
      );
      expect(relations).toContain(
        'user:default/jane ownerOf model:team-a/support-assistant',
      );
      expect(relations).toContain(
        'model:team-a/support-assistant hasSteward user:team-a/maria.garcia',
      );
    });

    it('emits nothing for optional fields that are absent, or for other kinds', async () => {
      const entity = model();
      for (const f of [
        'steward',
        'system',
        'baseModel',
        'trainingData',
        'successor',
      ]) {
        delete entity.spec![f];
      }
      expect(await relationsOf(entity)).toEqual([
        'model:default/support-assistant ownedBy group:default/customer-support',
        'group:default/customer-support ownerOf model:default/support-assistant',
      ]);
      expect(await relationsOf(dataset())).toEqual([]);
    });
  });

  it('sorts training data so the relation order is stable', async () => {
    const entity = model();
    entity.spec!.trainingData = ['b', 'a'];
    await processor.preProcessEntity(entity);
    expect(entity.spec!.trainingData).toEqual(['a', 'b']);
  });
});
