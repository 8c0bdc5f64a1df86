import { TestDatabases } from '@backstage/backend-test-utils';
import knexFactory, { Knex } from 'knex';
import { childPostgresConfig } from '../__testUtils__/spawnKillableBackend';
import { migrateModelHub, MIGRATIONS_DIRECTORY } from './migrate';

jest.setTimeout(120_000);

const databases = TestDatabases.create({ ids: ['POSTGRES_16'] });

describe.each(databases.eachSupportedId())(
  'migrations started by several replicas at once (%s)',
  databaseId => {
    it('run once and leave one knex lock row when four replicas start together on an empty database', async () => {
      const knex = await databases.init(databaseId);
      const config = await childPostgresConfig(knex);
      // One pool per replica, as separate processes have.
      const replicas: Knex[] = Array.from({ length: 4 }, () =>
        knexFactory(config),
      );
      try {
        await Promise.all(replicas.map(r => migrateModelHub(r)));
        expect(await knex('knex_migrations_lock')).toEqual([
          expect.objectContaining({ is_locked: 0 }),
        ]);
        const names = (await knex('knex_migrations')).map(r => r.name);
        expect(names).toEqual([...new Set(names)]);
        expect(names).toContain('20261207090000_task_runs.js');
      } finally {
        await Promise.all(replicas.map(r => r.destroy()));
      }
    });

    it('repairs the second lock row an earlier race left, which blocks knex for good', async () => {
      const knex = await databases.init(databaseId);
      await migrateModelHub(knex);
      await knex('knex_migrations_lock').insert({ is_locked: 0 });
      // One migration pending again, so knex has to take its lock.
      await knex.schema.dropTable('model_hub_task_runs');
      await knex('knex_migrations')
        .where({ name: '20261207090000_task_runs.js' })
        .delete();
      await expect(
        knex.migrate.latest({ directory: MIGRATIONS_DIRECTORY }),
      ).rejects.toThrow(/already locked/);

      await migrateModelHub(knex);
      expect(await knex('knex_migrations_lock')).toHaveLength(1);
      expect(
        await knex('knex_migrations').where({
          name: '20261207090000_task_runs.js',
        }),
      ).toHaveLength(1);
    });
  },
);
