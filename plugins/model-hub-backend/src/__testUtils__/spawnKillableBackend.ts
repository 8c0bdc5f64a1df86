import { ChildProcess, spawn } from 'node:child_process';
import path from 'node:path';
import { Knex } from 'knex';
import { KillableBackendOptions } from './killableBackend';

const ENTRY = path.resolve(__dirname, 'killableBackend.ts');
const TRANSFORM = require.resolve('@backstage/cli/config/nodeTransform.cjs');

/** A backend process started by {@link spawnKillableBackend}. */
export interface SpawnedBackend {
  child: ChildProcess;
  url: string;
  exited: Promise<unknown>;
  output(): string;
}

/** Starts the killable backend in a process of its own; resolves once it listens. */
export function spawnKillableBackend(
  options: KillableBackendOptions,
): Promise<SpawnedBackend> {
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

/** True while the process has neither exited nor been killed. */
export function isRunning(backend: SpawnedBackend): boolean {
  return backend.child.exitCode === null && backend.child.signalCode === null;
}

/** SIGKILLs a backend and waits until it is gone. */
export async function killBackend(backend: SpawnedBackend): Promise<void> {
  backend.child.kill('SIGKILL');
  await backend.exited;
}

/** Stops a backend with SIGTERM, or SIGKILL when it does not exit within 10 s. */
export async function stopBackend(backend: SpawnedBackend): Promise<void> {
  if (!isRunning(backend)) return;
  backend.child.kill('SIGTERM');
  const stopped = await Promise.race([
    backend.exited.then(() => true),
    new Promise(r => setTimeout(() => r(false), 10_000)),
  ]);
  if (!stopped) await killBackend(backend);
}

/** Polls `probe` every 100 ms until it returns a value. */
export async function waitFor<T>(
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

/**
 * The knex config a child process needs to reach the PostgreSQL database
 * `knex` (from `TestDatabases`) is connected to.
 */
export async function childPostgresConfig(knex: Knex): Promise<Knex.Config> {
  const url = new URL(
    process.env.BACKSTAGE_TEST_DATABASE_POSTGRES16_CONNECTION_STRING!,
  );
  const [{ name }] = (await knex.raw('select current_database() as name')).rows;
  return {
    client: 'pg',
    connection: {
      host: url.hostname,
      port: Number(url.port || 5432),
      user: decodeURIComponent(url.username),
      password: decodeURIComponent(url.password),
      database: name,
    },
  };
}
