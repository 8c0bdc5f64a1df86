import { Readable } from 'node:stream';
import { mockServices, TestDatabases } from '@backstage/backend-test-utils';
import { Entity } from '@backstage/catalog-model';
import { ConfigReader } from '@backstage/config';
import { ModelVersion } from '@internal/plugin-model-hub-common';
import { Knex } from 'knex';
import { onSharedSqliteFile, onTwoPools } from '../__testUtils__/twoPools';
import { readGauntletConfig } from './config';
import { GauntletStore } from './GauntletStore';
import {
  GauntletCatalog,
  GauntletRunner,
  GauntletVersionSource,
} from './GauntletRunner';
import { GauntletCheck } from './nodeApi';

jest.setTimeout(120_000);

const N = 40;
const config = new ConfigReader({});
const gauntletConfig = readGauntletConfig(config);

function modelEntity(i: number): Entity {
  return {
    apiVersion: 'modelhub.io/v1alpha1',
    kind: 'Model',
    metadata: { name: `m${i}`, namespace: 'default' },
    spec: {
      type: 'classifier',
      task: 'text-classification',
      owner: 'group:default/ml-team',
      lifecycle: 'production',
      tier: 'community',
      license: 'MIT',
    },
  };
}

const catalog: GauntletCatalog = {
  async getEntityByRef(ref) {
    const m = /^model:default\/m(\d+)$/.exec(ref);
    return m ? modelEntity(Number(m[1])) : undefined;
  },
  async getModels() {
    return [];
  },
};

const versions: GauntletVersionSource = {
  async getVersion(entityRef, version): Promise<ModelVersion> {
    return {
      entityRef,
      version,
      state: 'sealed',
      files: [],
      aliases: [],
      scanVerdict: 'safe',
      createdBy: 'user:default/alice',
      createdAt: '2026-11-27T00:00:00.000Z',
      sealedAt: '2026-11-27T00:00:00.000Z',
    };
  },
  async listVersions() {
    return [];
  },
  async readFile() {
    return Readable.from([]);
  },
};

/** A check that records every execution and yields, so two runners interleave. */
function countingCheck(executions: string[], runner: string): GauntletCheck {
  return {
    id: 'security',
    title: 'counting',
    description: 'records executions',
    version: '1',
    async run(ctx) {
      executions.push(`${ctx.entity.metadata.name}@${runner}`);
      await new Promise(r => setTimeout(r, 3));
      return { status: 'pass', summary: 'ok', evidence: {} };
    },
  };
}

async function raceTwoRunners(db1: Knex, db2: Knex) {
  const store1 = GauntletStore.fromClient(db1);
  const store2 = GauntletStore.fromClient(db2);
  for (let i = 0; i < N; i++) {
    await store1.enqueue(
      {
        entityRef: `model:default/m${i}`,
        version: '1.0.0',
        tier: 'community',
        trigger: 'manual',
      },
      new Date(),
    );
  }
  const executions: string[] = [];
  const make = (store: GauntletStore, id: string) =>
    new GauntletRunner({
      store,
      checks: [countingCheck(executions, id)],
      versions,
      catalog,
      config,
      gauntletConfig,
      logger: mockServices.logger.mock(),
      runnerId: id,
    });
  const [done1, done2] = await Promise.all([
    make(store1, 'replica-1').drain(),
    make(store2, 'replica-2').drain(),
  ]);

  const byModel = new Map<string, number>();
  for (const e of executions) {
    const name = e.split('@')[0];
    byModel.set(name, (byModel.get(name) ?? 0) + 1);
  }
  expect(executions).toHaveLength(N);
  expect(byModel.size).toBe(N);
  expect([...byModel.values()].every(c => c === 1)).toBe(true);
  expect(done1 + done2).toBe(N);
  // Both replicas really worked the same queue concurrently.
  expect(done1).toBeGreaterThan(0);
  expect(done2).toBeGreaterThan(0);
  const statuses: Array<{ status: string; n: string | number }> = await db1(
    'gauntlet_runs',
  )
    .select('status')
    .count({ n: '*' })
    .groupBy('status');
  expect(statuses.map(s => [s.status, Number(s.n)])).toEqual([
    ['completed', N],
  ]);
  expect(Number((await db1('gauntlet_results').count({ n: '*' }))[0].n)).toBe(
    N,
  );
}

describe('two gauntlet runners on one database', () => {
  const databases = TestDatabases.create({ ids: ['POSTGRES_16'] });

  it.each(databases.eachSupportedId())(
    'execute each of %s queued runs exactly once on PostgreSQL',
    async databaseId => {
      await expect(
        onTwoPools(databases, databaseId, raceTwoRunners),
      ).resolves.toBeUndefined();
    },
  );

  it('execute each queued run exactly once on a shared SQLite file', async () => {
    await expect(
      onSharedSqliteFile('gauntlet-sqlite-', raceTwoRunners),
    ).resolves.toBeUndefined();
  });
});
