import { mockServices, TestDatabases } from '@backstage/backend-test-utils';
import { ModelEntityV1alpha1 } from '@internal/plugin-model-hub-common';
import { RegisteredModelStore } from './RegisteredModelStore';

jest.setTimeout(60_000);

const databases = TestDatabases.create({ ids: ['SQLITE_3', 'POSTGRES_16'] });
const T0 = new Date('2026-11-27T10:00:00.000Z');
const T1 = new Date('2026-11-27T11:00:00.000Z');

function model(name: string, description: string): ModelEntityV1alpha1 {
  return {
    apiVersion: 'modelhub.io/v1alpha1',
    kind: 'Model',
    metadata: { name, namespace: 'default', description },
    spec: {
      type: 'classifier',
      task: 'text-classification',
      owner: 'group:default/ml-team',
      lifecycle: 'experimental',
      tier: 'community',
      license: 'Apache-2.0',
    },
  };
}

describe.each(databases.eachSupportedId())(
  'RegisteredModelStore on %s',
  databaseId => {
    let store: RegisteredModelStore;

    beforeAll(async () => {
      const knex = await databases.init(databaseId);
      store = await RegisteredModelStore.create({
        database: mockServices.database({ knex, migrations: { skip: false } }),
      });
    });

    it('creates a registration, then updates it keeping its creator', async () => {
      const first = await store.upsert({
        entityRef: 'model:default/Invoice-Extractor',
        entity: model('Invoice-Extractor', 'v1'),
        actor: 'user:default/alice',
        now: T0,
      });
      expect(first.created).toBe(true);
      expect(first.model).toEqual({
        entityRef: 'model:default/invoice-extractor',
        entity: model('Invoice-Extractor', 'v1'),
        createdBy: 'user:default/alice',
        createdAt: T0.toISOString(),
        updatedBy: 'user:default/alice',
        updatedAt: T0.toISOString(),
      });

      const second = await store.upsert({
        entityRef: 'model:default/invoice-extractor',
        entity: model('Invoice-Extractor', 'v2'),
        actor: 'user:default/bob',
        now: T1,
      });
      expect(second.created).toBe(false);
      expect(second.model).toMatchObject({
        createdBy: 'user:default/alice',
        createdAt: T0.toISOString(),
        updatedBy: 'user:default/bob',
        updatedAt: T1.toISOString(),
      });
      expect(second.model.entity.metadata.description).toBe('v2');
    });

    it('finds registrations case-insensitively and lists them in ref order', async () => {
      await store.upsert({
        entityRef: 'model:default/a-model',
        entity: model('a-model', 'a'),
        actor: 'user:default/alice',
        now: T0,
      });
      expect(
        (await store.get('MODEL:default/INVOICE-EXTRACTOR'))?.entityRef,
      ).toBe('model:default/invoice-extractor');
      expect(await store.get('model:default/nope')).toBeUndefined();
      expect((await store.list()).map(m => m.entityRef)).toEqual([
        'model:default/a-model',
        'model:default/invoice-extractor',
      ]);
    });

    it('deletes a registration and reports whether there was one', async () => {
      expect(await store.delete('model:default/a-model')).toBe(true);
      expect(await store.delete('model:default/a-model')).toBe(false);
      expect(await store.get('model:default/a-model')).toBeUndefined();
    });
  },
);
