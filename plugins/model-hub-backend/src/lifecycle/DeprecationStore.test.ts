import { mockServices, TestDatabases } from '@backstage/backend-test-utils';
import { DeprecationStore } from './DeprecationStore';

jest.setTimeout(60_000);

const databases = TestDatabases.create({ ids: ['SQLITE_3', 'POSTGRES_16'] });
const T0 = new Date('2026-11-27T10:00:00.000Z');
const T1 = new Date('2026-11-27T11:00:00.000Z');

describe.each(databases.eachSupportedId())(
  'DeprecationStore on %s',
  databaseId => {
    let store: DeprecationStore;

    beforeAll(async () => {
      const knex = await databases.init(databaseId);
      store = await DeprecationStore.create({
        database: mockServices.database({ knex, migrations: { skip: false } }),
      });
    });

    it('records a deprecation with a lower-cased successor and replaces it', async () => {
      expect(
        await store.put({
          entityRef: 'model:default/Old',
          reason: 'replaced',
          successor: 'model:default/New',
          actor: 'user:default/alice',
          now: T0,
        }),
      ).toEqual({
        entityRef: 'model:default/old',
        reason: 'replaced',
        successor: 'model:default/new',
        deprecatedBy: 'user:default/alice',
        deprecatedAt: T0.toISOString(),
      });
      expect(
        await store.put({
          entityRef: 'model:default/old',
          reason: 'no longer maintained',
          actor: 'user:default/bob',
          now: T1,
        }),
      ).toEqual({
        entityRef: 'model:default/old',
        reason: 'no longer maintained',
        deprecatedBy: 'user:default/bob',
        deprecatedAt: T1.toISOString(),
      });
    });

    it('lists deprecations and withdraws one', async () => {
      await store.put({
        entityRef: 'model:default/another',
        reason: 'x',
        actor: 'user:default/alice',
        now: T0,
      });
      expect((await store.list()).map(d => d.entityRef)).toEqual([
        'model:default/another',
        'model:default/old',
      ]);
      expect(await store.delete('model:default/OLD')).toBe(true);
      expect(await store.delete('model:default/old')).toBe(false);
      expect(await store.get('model:default/old')).toBeUndefined();
    });
  },
);
