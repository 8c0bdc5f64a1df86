import { Readable } from 'node:stream';
import {
  mockServices,
  TestDatabaseId,
  TestDatabases,
} from '@backstage/backend-test-utils';
import { ConfigReader } from '@backstage/config';
import { GauntletCatalog, GauntletVersionSource } from './catalogAccess';
import { readGauntletConfig } from './config';
import { GauntletRunner } from './GauntletRunner';
import { GauntletStore } from './GauntletStore';

jest.setTimeout(60_000);

const config = new ConfigReader({
  modelHub: { gauntlet: { leaseSeconds: 30 } },
});

const catalog: GauntletCatalog = {
  async getEntityByRef(ref) {
    if (ref.endsWith('/gone')) return undefined;
    const name = ref.split('/')[1];
    return {
      apiVersion: 'modelhub.io/v1alpha1',
      kind: 'Model',
      metadata: { name, namespace: 'default' },
      spec: {
        type: 'classifier',
        owner: 'group:default/ml-team',
        lifecycle: 'production',
        tier: 'community',
      },
    };
  },
  async getModels() {
    return [];
  },
};

const versions: GauntletVersionSource = {
  async getVersion() {
    throw new Error('recovery never reads a version');
  },
  async listVersions() {
    return [];
  },
  async readFile() {
    return Readable.from([]);
  },
};

const databases = TestDatabases.create({ ids: ['SQLITE_3', 'POSTGRES_16'] });

/** A fresh, migrated database and the gauntlet store over it. */
async function migrated(databaseId: TestDatabaseId) {
  const knex = await databases.init(databaseId);
  const store = await GauntletStore.create({
    database: mockServices.database({ knex, migrations: { skip: false } }),
  });
  return { knex, store };
}

/**
 * A replica that dies between committing a seal and queuing its gauntlet
 * runs leaves a sealed version that no run will ever check (found by the
 * two-replica test: "replica-1@2.13.0 … acknowledged, has 0 gauntlet runs").
 * Recovery, on every replica, queues the seal's runs once its lease passed.
 */
describe('gauntlet recovery of seals whose runs were never queued', () => {
  it.each(databases.eachSupportedId())(
    'queues them once, after the grace, within a day, never twice (%s)',
    async databaseId => {
      const { knex, store } = await migrated(databaseId);
      let now = new Date('2026-12-06T10:00:00.000Z');
      const ago = (ms: number) => new Date(now.getTime() - ms);
      const seal = (
        name: string,
        version: string,
        sealedAt: Date,
        state = 'sealed',
      ) =>
        knex('model_versions').insert({
          entity_ref: `model:default/${name}`,
          version,
          state,
          created_by: 'user:default/alice',
          created_at: sealedAt,
          sealed_at: sealedAt,
        });
      await seal('lost', '1.0.0', ago(60_000)); // its replica died: no run
      await seal('fresh', '1.0.0', ago(5_000)); // its own enqueue may be running
      await seal('old', '1.0.0', ago(2 * 24 * 3600_000)); // the refresh's concern
      await seal('sealing', '1.0.0', ago(60_000), 'sealing'); // not visible yet
      await seal('gone', '1.0.0', ago(60_000)); // card deleted since
      await seal('checked', '1.0.0', ago(60_000));
      const runner = new GauntletRunner({
        store,
        checks: [],
        versions,
        catalog,
        config,
        gauntletConfig: readGauntletConfig(config),
        logger: mockServices.logger.mock(),
        runnerId: 'replica-b',
        clock: () => now,
      });
      runner.stop(); // keep the queue to look at it: no drain executes runs
      await runner.enqueue('model:default/checked', '1.0.0', 'sealed');

      expect(await runner.recover()).toEqual({
        requeued: 0,
        failed: 0,
        lostSeals: 1,
      });
      const runsOf = async (name: string) =>
        (await store.listRuns(`model:default/${name}`, '1.0.0')).map(
          r => `${r.version}/${r.tier}/${r.trigger}`,
        );
      expect(await runsOf('lost')).toEqual(['1.0.0/community/sealed']);
      for (const name of ['fresh', 'old', 'sealing', 'gone']) {
        expect({ name, runs: await runsOf(name) }).toEqual({ name, runs: [] });
      }
      expect(await runsOf('checked')).toEqual(['1.0.0/community/sealed']);

      // Queued once: the next pass finds nothing more for it; the fresh seal
      // is past its grace now and is queued, exactly once.
      now = new Date(now.getTime() + 31_000);
      expect((await runner.recover()).lostSeals).toBe(1);
      expect((await runner.recover()).lostSeals).toBe(0);
      expect(await runsOf('lost')).toEqual(['1.0.0/community/sealed']);
      expect(await runsOf('fresh')).toEqual(['1.0.0/community/sealed']);
    },
  );
});

/**
 * A seal the sweep cannot queue is not retried every pass: a deleted card is
 * given up at once, a failing catalog is retried with a doubling back-off,
 * and neither crowds newer lost seals out of the sweep's batch of 100.
 */
describe('gauntlet recovery of lost seals it cannot queue', () => {
  it.each(databases.eachSupportedId())(
    'gives up deleted cards, backs off failures, and still reaches the rest (%s)',
    async databaseId => {
      const { knex, store } = await migrated(databaseId);
      let now = new Date('2026-12-06T10:00:00.000Z');
      const ago = (ms: number) => new Date(now.getTime() - ms);
      const lookups: string[] = [];
      const failing: GauntletCatalog = {
        ...catalog,
        async getEntityByRef(ref) {
          lookups.push(ref);
          if (ref.endsWith('/flaky')) throw new Error('catalog unavailable');
          if (ref.includes('/gone-')) return undefined; // card deleted
          return catalog.getEntityByRef(ref);
        },
      };
      const rows = [];
      // 120 deleted cards sealed two hours ago: more than one batch.
      for (let i = 0; i < 120; i++) {
        rows.push({ name: `gone-${i}`, at: ago(2 * 3600_000 - i) });
      }
      rows.push({ name: 'flaky', at: ago(3 * 3600_000) });
      rows.push({ name: 'lost', at: ago(60_000) });
      await knex.batchInsert(
        'model_versions',
        rows.map(r => ({
          entity_ref: `model:default/${r.name}`,
          version: '1.0.0',
          state: 'sealed',
          created_by: 'user:default/alice',
          created_at: r.at,
          sealed_at: r.at,
        })),
        50,
      );
      const logger = mockServices.logger.mock();
      const runner = new GauntletRunner({
        store,
        checks: [],
        versions,
        catalog: failing,
        config,
        gauntletConfig: readGauntletConfig(config),
        logger,
        runnerId: 'replica-b',
        clock: () => now,
      });
      runner.stop();
      const runsOf = async (name: string) =>
        (await store.listRuns(`model:default/${name}`, '1.0.0')).length;

      // Pass 1: the flaky seal and 99 deleted cards fill the batch.
      expect(await runner.recoverLostSeals()).toBe(0);
      expect(lookups).toHaveLength(100);
      // Pass 2: the deleted cards seen are not asked again; the other 21
      // and then the lost seal get their turn.
      lookups.length = 0;
      expect(await runner.recoverLostSeals()).toBe(1);
      expect(await runsOf('lost')).toBe(1);
      expect(lookups.filter(r => r.includes('/gone-'))).toHaveLength(21);
      expect(lookups).not.toContain('model:default/flaky');
      // Nothing left to try before the flaky seal's back-off (one sweep
      // period, 60 s, doubling) has passed.
      lookups.length = 0;
      expect(await runner.recoverLostSeals()).toBe(0);
      expect(lookups).toEqual([]);
      now = new Date(now.getTime() + 61_000);
      await runner.recoverLostSeals();
      expect(lookups).toEqual(['model:default/flaky']);
      now = new Date(now.getTime() + 61_000);
      await runner.recoverLostSeals();
      expect(lookups).toEqual(['model:default/flaky']); // now 120 s away
      now = new Date(now.getTime() + 60_000);
      await runner.recoverLostSeals();
      expect(lookups).toEqual(['model:default/flaky', 'model:default/flaky']);
      // The deleted cards are given up for the sweep's whole day.
      const warned = logger.warn.mock.calls.filter(([m]) =>
        String(m).includes('gone-7@'),
      );
      expect(warned).toHaveLength(1);
      expect(String(warned[0][0])).toContain('not retried');
      const attempts = await knex('gauntlet_lost_seal_attempts')
        .where({ entity_ref: 'model:default/flaky' })
        .first();
      expect(Number(attempts.attempts)).toBe(3);
    },
  );
});
