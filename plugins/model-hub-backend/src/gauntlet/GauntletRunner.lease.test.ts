import { Readable } from 'node:stream';
import { mockServices, TestDatabases } from '@backstage/backend-test-utils';
import { ConfigReader } from '@backstage/config';
import { Knex } from 'knex';
import { onSharedSqliteFile, onTwoPools } from '../__testUtils__/twoPools';
import { GauntletCatalog, GauntletVersionSource } from './catalogAccess';
import { readGauntletConfig } from './config';
import { GauntletRunner } from './GauntletRunner';
import { GauntletStore } from './GauntletStore';
import { GauntletCheck } from './nodeApi';

jest.setTimeout(60_000);

const MODEL = 'model:default/leased';
const config = new ConfigReader({
  modelHub: { gauntlet: { leaseSeconds: 0.3 } },
});
const gauntletConfig = readGauntletConfig(config);
const LEASE_MS = 300;

const catalog: GauntletCatalog = {
  async getEntityByRef(ref) {
    return ref === MODEL
      ? {
          apiVersion: 'modelhub.io/v1alpha1',
          kind: 'Model',
          metadata: { name: 'leased', namespace: 'default' },
          spec: {
            type: 'classifier',
            owner: 'group:default/ml-team',
            lifecycle: 'production',
            tier: 'community',
          },
        }
      : undefined;
  },
  async getModels() {
    return [];
  },
};

const versions: GauntletVersionSource = {
  async getVersion(entityRef, version) {
    return {
      entityRef,
      version,
      state: 'sealed',
      files: [],
      aliases: [],
      scanVerdict: 'safe',
      createdBy: 'user:default/alice',
      createdAt: '2026-12-06T00:00:00.000Z',
      sealedAt: '2026-12-06T00:00:00.000Z',
    };
  },
  async listVersions() {
    return [];
  },
  async readFile() {
    return Readable.from([]);
  },
};

const waitFor = async (what: () => Promise<boolean>) => {
  for (let i = 0; i < 200; i++) {
    if (await what()) return;
    await new Promise(r => setTimeout(r, 25));
  }
  throw new Error('condition not reached');
};

/**
 * Runner A claims the run and hangs inside a check; its heartbeat keeps the
 * lease alive past the original expiry; A then dies (stops heartbeating),
 * B's recovery re-queues the run once and B completes it. A's late finish
 * stores nothing: exactly one completed run with one set of results.
 */
async function oneRunnerDies(db1: Knex, db2: Knex) {
  let now = new Date('2026-12-06T10:00:00.000Z');
  const clock = () => now;
  const advance = (ms: number) => {
    now = new Date(now.getTime() + ms);
  };
  const storeA = GauntletStore.fromClient(db1);
  const storeB = GauntletStore.fromClient(db2);
  const executions: string[] = [];
  let releaseA: () => void = () => {};
  const check = (id: string, hang: boolean): GauntletCheck => ({
    id: 'security',
    title: 'lease test',
    description: 'records executions; A hangs',
    version: '1',
    async run() {
      executions.push(id);
      if (hang) await new Promise<void>(r => (releaseA = r));
      return { status: 'pass', summary: `checked by ${id}`, evidence: {} };
    },
  });
  const make = (store: GauntletStore, id: string, hang: boolean) =>
    new GauntletRunner({
      store,
      checks: [check(id, hang)],
      versions,
      catalog,
      config,
      gauntletConfig,
      logger: mockServices.logger.mock(),
      runnerId: id,
      clock,
    });
  const a = make(storeA, 'runner-a', true);
  const b = make(storeB, 'runner-b', false);

  const [run] = await a.enqueue(MODEL, '1.0.0', 'manual');
  const aDone = a.processNext();
  await waitFor(async () => executions.includes('runner-a'));
  expect(await storeB.getRun(run.id)).toMatchObject({
    status: 'running',
    attempts: 1,
    leaseOwner: 'runner-a',
  });

  // Past the first expiry, A's heartbeat renews the lease: nothing to recover.
  advance(LEASE_MS * 2);
  const renewedFrom = now.getTime();
  await waitFor(
    async () =>
      Date.parse((await storeB.getRun(run.id))!.leaseExpiresAt!) >=
      renewedFrom + LEASE_MS,
  );
  expect(await b.recover()).toEqual({ requeued: 0, failed: 0, lostSeals: 0 });
  expect(await b.drain()).toBe(0);

  // A dies: no more heartbeats; once the lease expires B's recovery re-queues.
  a.stop();
  advance(LEASE_MS * 2);
  expect(await b.recover()).toEqual({ requeued: 1, failed: 0, lostSeals: 0 });
  expect(await b.drain()).toBe(1);

  // A wakes up late: it must not store anything.
  releaseA();
  expect(await aDone).toBe(false);

  const stored = await storeB.getRun(run.id);
  expect(stored).toMatchObject({
    status: 'completed',
    attempts: 2,
    retriedAt: expect.any(String),
  });
  expect(stored!.results!.map(r => r.summary)).toEqual(['checked by runner-b']);
  expect(executions).toEqual(['runner-a', 'runner-b']);
  const completed = await db1('gauntlet_runs')
    .where({ status: 'completed' })
    .count({ n: '*' });
  expect(Number(completed[0].n)).toBe(1);
}

describe('gauntlet run leases with two runners', () => {
  const databases = TestDatabases.create({ ids: ['POSTGRES_16'] });

  it.each(databases.eachSupportedId())(
    'a dead runner’s run completes exactly once on %s',
    async databaseId => {
      await expect(
        onTwoPools(databases, databaseId, oneRunnerDies),
      ).resolves.toBeUndefined();
    },
  );

  it('a dead runner’s run completes exactly once on a shared SQLite file', async () => {
    await expect(
      onSharedSqliteFile('gauntlet-lease-', oneRunnerDies),
    ).resolves.toBeUndefined();
  });
});
