import { mockServices, TestDatabases } from '@backstage/backend-test-utils';
import { GauntletStore } from './GauntletStore';

jest.setTimeout(60_000);

/**
 * The lost-seal sweep runs on every replica every minute: its query must
 * read one day of seals through the `(state, sealed_at)` index, not scan
 * every version. Checked on the planner of each database over 20,000
 * versions, almost all sealed long ago.
 */
describe('LostSealStore query plan', () => {
  const databases = TestDatabases.create({ ids: ['SQLITE_3', 'POSTGRES_16'] });

  it.each(databases.eachSupportedId())(
    'reads the sealed_at range through model_versions_state_sealed_at_idx (%s)',
    async databaseId => {
      const knex = await databases.init(databaseId);
      const store = await GauntletStore.create({
        database: mockServices.database({ knex, migrations: { skip: false } }),
      });
      const now = new Date('2026-12-06T10:00:00.000Z');
      const day = 24 * 3600_000;
      const rows = Array.from({ length: 20_000 }, (_, i) => {
        const at = new Date(
          now.getTime() - (i < 100 ? i * 60_000 : 2 * day + i * 60_000),
        );
        return {
          entity_ref: `model:default/m-${i % 4000}`,
          version: `1.0.${Math.floor(i / 4000)}`,
          state: i % 50 === 0 ? 'sealing' : 'sealed',
          created_by: 'user:default/alice',
          created_at: at,
          sealed_at: at,
        };
      });
      await knex.batchInsert('model_versions', rows, 100);
      const { sql, bindings } = store.lostSeals
        .query({
          since: new Date(now.getTime() - day),
          before: new Date(now.getTime() - 60_000),
          now,
          limit: 100,
        })
        .toSQL();
      let plan: string;
      if (knex.client.config.client === 'pg') {
        await knex.raw('ANALYZE model_versions');
        const result = await knex.raw(`EXPLAIN ${sql}`, bindings);
        plan = result.rows
          .map((r: Record<string, string>) => r['QUERY PLAN'])
          .join('\n');
      } else {
        await knex.raw('ANALYZE');
        const result = await knex.raw(`EXPLAIN QUERY PLAN ${sql}`, bindings);
        plan = result.map((r: { detail: string }) => r.detail).join('\n');
      }
      expect(plan).toContain('model_versions_state_sealed_at_idx');
      // Neither a PostgreSQL sequential scan nor an SQLite full scan of v.
      expect(plan).not.toMatch(/Seq Scan on model_versions|SCAN v$/m);
      // And the answer is the day's sealed versions without runs, oldest first.
      const found = await store.sealedWithoutRuns(
        new Date(now.getTime() - day),
        new Date(now.getTime() - 60_000),
        100,
        now,
      );
      expect(found).toHaveLength(97); // 99 in the window, minus 2 'sealing'
      expect(found[0]).toEqual({
        entityRef: 'model:default/m-99',
        version: '1.0.0',
      });
    },
  );
});
