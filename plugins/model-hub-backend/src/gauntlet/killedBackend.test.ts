/*
 * A backend process killed (SIGKILL) while a gauntlet run is running, and a
 * new backend process started on the same database: the new one's recovery
 * (through the real scheduler) re-queues the run once, records it as
 * retried, and completes it: one run row, one set of results, one verdict.
 * On a shared SQLite file and on PostgreSQL.
 */
import fs from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { mockCredentials, TestDatabases } from '@backstage/backend-test-utils';
import { Entity } from '@backstage/catalog-model';
import knexFactory, { Knex } from 'knex';
import request from 'supertest';
import { publishVersion } from '../__testUtils__/publish';
import {
  childPostgresConfig,
  killBackend,
  spawnKillableBackend,
  SpawnedBackend,
  stopBackend,
  waitFor,
} from '../__testUtils__/spawnKillableBackend';

jest.setTimeout(120_000);

const MODEL = 'model:default/killed';
const LEASE_SECONDS = 2;
const asAlice = mockCredentials.user.header('user:default/alice');

const entities: Entity[] = [
  {
    apiVersion: 'modelhub.io/v1alpha1',
    kind: 'Model',
    metadata: { name: 'killed', namespace: 'default' },
    spec: {
      type: 'classifier',
      owner: 'group:default/ml-team',
      lifecycle: 'production',
      tier: 'community',
    },
  },
];

const exists = (file: string) =>
  fs.access(file).then(
    () => true,
    () => false,
  );

/** Kills a backend mid-run, restarts one; returns ms from kill to completion. */
async function killedMidGauntlet(
  database: Knex.Config,
  knex: Knex,
): Promise<number> {
  const dir = await fs.mkdtemp(path.join(os.tmpdir(), 'model-hub-killed-'));
  const options = { database, dir, leaseSeconds: LEASE_SECONDS, entities };
  const started: SpawnedBackend[] = [];
  try {
    const first = await spawnKillableBackend(options);
    started.push(first);
    const api = (p: string) => `/api/model-hub${p}`;
    await publishVersion({
      server: first.url,
      auth: asAlice,
      entityRef: MODEL,
      version: '1.0.0',
      files: { 'model.bin': Buffer.from('a small model file') },
    });

    // The seal started the run; the first backend holds it in the hold check.
    await waitFor('the first backend to hold the run', async () =>
      (await exists(path.join(dir, `started-${first.child.pid}`)))
        ? true
        : undefined,
    );
    const [held] = await knex('gauntlet_runs').where({ entity_ref: MODEL });
    expect(held).toMatchObject({ status: 'running', attempts: 1 });

    await killBackend(first);
    await fs.writeFile(path.join(dir, 'release'), '');

    const killedAt = Date.now();
    const second = await spawnKillableBackend(options);
    started.push(second);
    const run = await waitFor('the run to finish', async () => {
      const [row] = await knex('gauntlet_runs')
        .where({ entity_ref: MODEL })
        .whereIn('status', ['completed', 'failed']);
      return row;
    });
    const recoveredInMs = Date.now() - killedAt;

    // Exactly one run row, completed on its second attempt, marked retried.
    const rows = await knex('gauntlet_runs').where({ entity_ref: MODEL });
    expect(rows).toHaveLength(1);
    expect(run).toMatchObject({ id: held.id, status: 'completed' });
    expect(Number(run.attempts)).toBe(2);
    expect(run.retried_at).not.toBeNull();

    // One result per check (no duplicates from the dead attempt), and the
    // hold check finished once, in the second backend.
    const results = await knex('gauntlet_results').where({ run_id: run.id });
    const checkIds = results.map(r => r.check_id).sort();
    expect(checkIds).toEqual([...new Set(checkIds)]);
    expect(checkIds).toContain('hold');
    expect(results.find(r => r.check_id === 'hold')?.summary).toBe(
      `held by ${second.child.pid}`,
    );
    expect(
      (await fs.readFile(path.join(dir, 'executions'), 'utf8')).trim(),
    ).toBe(String(second.child.pid));

    // The API of the new backend shows that one run, with one verdict.
    const runs = await request(second.url)
      .get(api(`/v1/models/default/killed/versions/1.0.0/gauntlet/runs`))
      .set('Authorization', asAlice)
      .expect(200);
    expect(runs.body.items).toEqual([
      expect.objectContaining({
        id: run.id,
        status: 'completed',
        attempts: 2,
        retriedAt: expect.any(String),
      }),
    ]);
    // Recorded for the report: kill to completed, including the restart.
    process.stdout.write(
      `killed-backend recovery (${database.client}): ${recoveredInMs} ms\n`,
    );
    return recoveredInMs;
  } finally {
    for (const backend of started) await stopBackend(backend);
    await fs.rm(dir, { recursive: true, force: true });
  }
}

describe('a backend killed mid-gauntlet and restarted', () => {
  const databases = TestDatabases.create({ ids: ['POSTGRES_16'] });

  it('completes the run exactly once on a shared SQLite file', async () => {
    const dir = await fs.mkdtemp(path.join(os.tmpdir(), 'model-hub-killdb-'));
    const database: Knex.Config = {
      client: 'better-sqlite3',
      connection: { filename: path.join(dir, 'model-hub.sqlite') },
      useNullAsDefault: true,
    };
    const knex = knexFactory(database);
    try {
      // Lease expiry, restart and a full run: well under a minute.
      expect(await killedMidGauntlet(database, knex)).toBeLessThan(60_000);
    } finally {
      await knex.destroy();
      await fs.rm(dir, { recursive: true, force: true });
    }
  });

  it.each(databases.eachSupportedId())(
    'completes the run exactly once on %s',
    async databaseId => {
      const knex = await databases.init(databaseId);
      const recoveredInMs = await killedMidGauntlet(
        await childPostgresConfig(knex),
        knex,
      );
      expect(recoveredInMs).toBeLessThan(60_000);
    },
  );
});
