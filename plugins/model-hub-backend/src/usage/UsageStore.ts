import { DatabaseService } from '@backstage/backend-plugin-api';
import { Knex } from 'knex';
import { migrateModelHub } from '../database/migrate';
import { PullWrites } from './PullWrites';
import { UsageQueries } from './UsageQueries';
import { PULLS } from './usageTables';

/**
 * Pull events and their rollups. Raw events are kept for the retention;
 * the rollups (per model, day, puller and team; per model and day; per
 * model and team) are kept for good and answer every read, so reads cost
 * the same whether raw events were deleted or not.
 */
export class UsageStore {
  readonly #db: Knex;
  readonly #writes: PullWrites;
  readonly #queries: UsageQueries;

  /** Connects to the plugin database and runs the migrations (unless skipped). */
  static async create(options: {
    database: DatabaseService;
  }): Promise<UsageStore> {
    const client = await options.database.getClient();
    if (!options.database.migrations?.skip) {
      await migrateModelHub(client);
    }
    return new UsageStore(client);
  }

  private constructor(db: Knex) {
    this.#db = db;
    this.#writes = new PullWrites(db);
    this.#queries = new UsageQueries(db);
  }

  /** {@inheritDoc PullWrites.recordPulls} */
  recordPulls(
    ...args: Parameters<PullWrites['recordPulls']>
  ): ReturnType<PullWrites['recordPulls']> {
    return this.#writes.recordPulls(...args);
  }

  /** {@inheritDoc PullWrites.recordDeclaredConsumers} */
  recordDeclaredConsumers(
    ...args: Parameters<PullWrites['recordDeclaredConsumers']>
  ): ReturnType<PullWrites['recordDeclaredConsumers']> {
    return this.#writes.recordDeclaredConsumers(...args);
  }

  /** {@inheritDoc UsageQueries.pulledSince} */
  pulledSince(
    ...args: Parameters<UsageQueries['pulledSince']>
  ): ReturnType<UsageQueries['pulledSince']> {
    return this.#queries.pulledSince(...args);
  }

  /** {@inheritDoc UsageQueries.hasPulled} */
  hasPulled(
    ...args: Parameters<UsageQueries['hasPulled']>
  ): ReturnType<UsageQueries['hasPulled']> {
    return this.#queries.hasPulled(...args);
  }

  /** Deletes raw events pulled before `before`; the rollups stay. */
  async deleteRawBefore(before: Date): Promise<number> {
    return this.#db(PULLS).where('pulled_at', '<', before).delete();
  }

  /** How many raw events are kept (for tests and the bench). */
  async countRaw(): Promise<number> {
    const row = await this.#db(PULLS).count({ n: '*' }).first();
    return Number(row?.n ?? 0);
  }

  /** {@inheritDoc UsageQueries.modelUsage} */
  modelUsage(
    ...args: Parameters<UsageQueries['modelUsage']>
  ): ReturnType<UsageQueries['modelUsage']> {
    return this.#queries.modelUsage(...args);
  }

  /** {@inheritDoc UsageQueries.pulledModels} */
  pulledModels(
    ...args: Parameters<UsageQueries['pulledModels']>
  ): ReturnType<UsageQueries['pulledModels']> {
    return this.#queries.pulledModels(...args);
  }

  /** {@inheritDoc UsageQueries.modelStats} */
  modelStats(
    ...args: Parameters<UsageQueries['modelStats']>
  ): ReturnType<UsageQueries['modelStats']> {
    return this.#queries.modelStats(...args);
  }

  /** {@inheritDoc UsageQueries.teamRanking} */
  teamRanking(
    ...args: Parameters<UsageQueries['teamRanking']>
  ): ReturnType<UsageQueries['teamRanking']> {
    return this.#queries.teamRanking(...args);
  }
}
