/*
 * A backend process killed (SIGKILL) while a gauntlet run is running, and a
 * new backend process started on the same database: the new one's recovery
 * (through the real scheduler) re-queues the run once, records it as
 * retried, and completes it: one run row, one set of results, one verdict.
 * On a shared SQLite file and on PostgreSQL.
 */
import { ChildProcess, spawn } from 'node:child_process';
import fs from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { mockCredentials, TestDatabases } from '@backstage/backend-test-utils';
import { Entity } from '@backstage/catalog-model';
import knexFactory, { Knex } from 'knex';
import request from 'supertest';
import { KillableBackendOptions } from '../__testUtils__/killableBackend';
import { publishVersion } from '../__testUtils__/publish';

jest.setTimeout(120_000);

const ENTRY = path.resolve(__dirname, '../__testUtils__/killableBackend.ts');
const TRANSFORM = require.resolve('@backstage/cli/config/nodeTransform.cjs');
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

interface Backend {
  child: ChildProcess;
  url: string;
  exited: Promise<unknown>;
  output(): string;
}

/** Starts the killable backend; resolves once it listens. */
function startBackend(options: KillableBackendOptions): Promise<Backend> {
  const child = spawn(process.execPath, ['--require', TRANSFORM, ENTRY], {
    env: {
      ...process.env,
      NODE_ENV: 'test',
      MODEL_HUB_KILLABLE_BACKEND: JSON.stringify(options),
    },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let output = '';
  const exited = new Promise(resolve => child.once('exit', resolve));
  return new Promise((resolve, reject) => {
    const timer = setTimeout(
      () => reject(new Error(`backend did not start:\n${output}`)),
      90_000,
    );
    child.stderr!.on('data', chunk => (output += chunk));
    child.stdout!.on('data', chunk => {
      output += chunk;
      const port = /READY (\d+)/.exec(output)?.[1];
      if (port) {
        clearTimeout(timer);
        resolve({
          child,
          url: `http://127.0.0.1:${port}`,
          exited,
          output: () => output,
        });
      }
    });
    child.once('exit', code => {
      clearTimeout(timer);
      reject(new Error(`backend exited with ${code}:\n${output}`));
    });
  });
}

async function waitFor<T>(
  what: string,
  probe: () => Promise<T | undefined>,
  timeoutMs = 60_000,
): Promise<T> {
  const until = Date.now() + timeoutMs;
  for (;;) {
    const value = await probe();
    if (value !== undefined) return value;
    if (Date.now() > until) throw new Error(`timed out waiting for ${what}`);
    await new Promise(r => setTimeout(r, 100));
  }
}

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
  const started: Backend[] = [];
  try {
    const first = await startBackend(options);
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

    first.child.kill('SIGKILL');
    await first.exited;
    await fs.writeFile(path.join(dir, 'release'), '');

    const killedAt = Date.now();
    const second = await startBackend(options);
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
    for (const backend of started) {
      if (
        backend.child.exitCode === null &&
        backend.child.signalCode === null
      ) {
        backend.child.kill('SIGTERM');
        const stopped = await Promise.race([
          backend.exited.then(() => true),
          new Promise(r => setTimeout(() => r(false), 10_000)),
        ]);
        if (!stopped) backend.child.kill('SIGKILL');
      }
    }
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
      // The test database's own connection, as plain JSON for the child.
      const url = new URL(
        process.env.BACKSTAGE_TEST_DATABASE_POSTGRES16_CONNECTION_STRING!,
      );
      const [{ name }] = (await knex.raw('select current_database() as name'))
        .rows;
      const recoveredInMs = await killedMidGauntlet(
        {
          client: 'pg',
          connection: {
            host: url.hostname,
            port: Number(url.port || 5432),
            user: decodeURIComponent(url.username),
            password: decodeURIComponent(url.password),
            database: name,
          },
        },
        knex,
      );
      expect(recoveredInMs).toBeLessThan(60_000);
    },
  );
});
