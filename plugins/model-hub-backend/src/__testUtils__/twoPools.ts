import { promises as fs } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { mockServices, TestDatabases } from '@backstage/backend-test-utils';
import knexFactory, { Knex } from 'knex';
import { GauntletStore } from '../gauntlet/GauntletStore';

/** A scenario of two backend replicas, each with its own connection pool. */
export type TwoPoolScenario = (db1: Knex, db2: Knex) => Promise<void>;

async function migrate(knex: Knex) {
  await GauntletStore.create({
    database: mockServices.database({ knex, migrations: { skip: false } }),
  });
}

/**
 * Runs `scenario` on a migrated test database (e.g. PostgreSQL) and a second,
 * independent pool to it: another backend replica.
 */
export async function onTwoPools(
  databases: TestDatabases,
  databaseId: Parameters<TestDatabases['init']>[0],
  scenario: TwoPoolScenario,
) {
  const db1 = await databases.init(databaseId);
  await migrate(db1);
  const db2 = knexFactory({
    client: 'pg',
    connection: db1.client.config.connection,
    pool: { min: 0, max: 4 },
  });
  try {
    await scenario(db1, db2);
  } finally {
    await db2.destroy();
  }
}

/** Runs `scenario` with two connections to one migrated SQLite file. */
export async function onSharedSqliteFile(
  prefix: string,
  scenario: TwoPoolScenario,
) {
  const dir = await fs.mkdtemp(path.join(os.tmpdir(), prefix));
  const open = () =>
    knexFactory({
      client: 'better-sqlite3',
      connection: { filename: path.join(dir, 'model-hub.sqlite') },
      useNullAsDefault: true,
    });
  const db1 = open();
  const db2 = open();
  try {
    await migrate(db1);
    await scenario(db1, db2);
  } finally {
    await db1.destroy();
    await db2.destroy();
    await fs.rm(dir, { recursive: true, force: true });
  }
}
