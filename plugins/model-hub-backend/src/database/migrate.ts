import { resolvePackagePath } from '@backstage/backend-plugin-api';
import { Knex } from 'knex';

/** The plugin's knex migrations. */
export const MIGRATIONS_DIRECTORY = resolvePackagePath(
  '@internal/plugin-model-hub-backend',
  'migrations',
);

/** The PostgreSQL advisory lock (two int4 keys: 'mode', 'lhub') held while migrating. */
const ADVISORY_LOCK = [0x6d6f6465, 0x6c687562] as const;
const LOCK_TABLE = 'knex_migrations_lock';

/**
 * Brings the plugin's tables up to date, safely when several replicas start
 * at once on one database. knex's own migration lock is not enough there:
 * its lock table is created with check-then-create, so two replicas on an
 * empty PostgreSQL database race (one fails with "relation already exists")
 * and can insert two lock rows, after which knex refuses every later
 * migration with "Migration table is already locked", for good. On
 * PostgreSQL the migrations therefore run under a session advisory lock
 * (released by the server if the replica dies), and a duplicated lock row
 * left by an earlier race is removed. Elsewhere (SQLite, one process) knex
 * runs them directly.
 */
export async function migrateModelHub(client: Knex): Promise<void> {
  const pool = (client.client as { pool?: { max?: number } }).pool;
  if (client.client.config.client !== 'pg' || (pool?.max ?? 2) < 2) {
    await client.migrate.latest({ directory: MIGRATIONS_DIRECTORY });
    return;
  }
  const connection = await client.client.acquireConnection();
  try {
    await client
      .raw('select pg_advisory_lock(?, ?)', [...ADVISORY_LOCK])
      .connection(connection);
    try {
      await removeDuplicateLockRows(client);
      await client.migrate.latest({ directory: MIGRATIONS_DIRECTORY });
    } finally {
      await client
        .raw('select pg_advisory_unlock(?, ?)', [...ADVISORY_LOCK])
        .connection(connection);
    }
  } finally {
    await client.client.releaseConnection(connection);
  }
}

/**
 * Keeps one row of knex's lock table. Only called under the advisory lock,
 * where no other replica of the plugin migrates; an unlocked duplicate row is
 * what an earlier start-up race leaves, and it blocks every migration.
 */
async function removeDuplicateLockRows(client: Knex): Promise<void> {
  if (!(await client.schema.hasTable(LOCK_TABLE))) return;
  const rows: Array<{ index: number; is_locked: number }> = await client(
    LOCK_TABLE,
  ).orderBy('index');
  if (rows.length < 2) return;
  await client(LOCK_TABLE)
    .whereIn(
      'index',
      rows.slice(1).map(r => r.index),
    )
    .delete();
  await client(LOCK_TABLE).update({ is_locked: 0 });
}
