import {
  DatabaseService,
  resolvePackagePath,
} from '@backstage/backend-plugin-api';
import { Entity } from '@backstage/catalog-model';
import { Knex } from 'knex';

/** One remembered emission: the entity and the hash of its content. */
export interface EmittedEntity {
  hash: string;
  entity: Entity;
}

/** Where a {@link DeltaTracker} keeps what it emitted, across restarts. */
export interface IngestionStateStore {
  /** Everything remembered for one location key (one source). */
  load(locationKey: string): Promise<Map<string, EmittedEntity>>;
  /** Remembers the given emissions (insert or replace). */
  save(
    locationKey: string,
    changed: ReadonlyArray<[string, EmittedEntity]>,
  ): Promise<void>;
}

const TABLE = 'model_hub_ingestion_state';
const MIGRATIONS_TABLE = 'model_hub_ingestion_knex_migrations';
/** Rows per insert: below SQLite's bound-parameter limit with 5 columns. */
const BATCH = 150;

/**
 * The state in the catalog's database (the module's own table and
 * migration history), so every replica and every restart sees it.
 */
export class DatabaseIngestionStateStore implements IngestionStateStore {
  static async create(options: {
    database: DatabaseService;
  }): Promise<DatabaseIngestionStateStore> {
    const knex = await options.database.getClient();
    if (!options.database.migrations?.skip) {
      await knex.migrate.latest({
        directory: resolvePackagePath(
          '@internal/plugin-catalog-backend-module-model-hub-ingestion',
          'migrations',
        ),
        tableName: MIGRATIONS_TABLE,
      });
    }
    return new DatabaseIngestionStateStore(knex);
  }

  private constructor(private readonly knex: Knex) {}

  async load(locationKey: string): Promise<Map<string, EmittedEntity>> {
    const rows = await this.knex(TABLE)
      .where({ location_key: locationKey })
      .select('remote_id', 'hash', 'entity');
    return new Map(
      rows.map(r => [
        r.remote_id as string,
        { hash: r.hash as string, entity: JSON.parse(r.entity) as Entity },
      ]),
    );
  }

  async save(
    locationKey: string,
    changed: ReadonlyArray<[string, EmittedEntity]>,
  ): Promise<void> {
    if (changed.length === 0) return;
    const now = new Date();
    await this.knex.transaction(async tx => {
      for (let i = 0; i < changed.length; i += BATCH) {
        await tx(TABLE)
          .insert(
            changed.slice(i, i + BATCH).map(([remoteId, e]) => ({
              location_key: locationKey,
              remote_id: remoteId,
              hash: e.hash,
              entity: JSON.stringify(e.entity),
              updated_at: now,
            })),
          )
          .onConflict(['location_key', 'remote_id'])
          .merge(['hash', 'entity', 'updated_at']);
      }
    });
  }
}

/** State kept in memory only (tests, or a module started without a database). */
export class InMemoryIngestionStateStore implements IngestionStateStore {
  private readonly data = new Map<string, Map<string, EmittedEntity>>();

  async load(locationKey: string): Promise<Map<string, EmittedEntity>> {
    return new Map(this.data.get(locationKey) ?? []);
  }

  async save(
    locationKey: string,
    changed: ReadonlyArray<[string, EmittedEntity]>,
  ): Promise<void> {
    const m = this.data.get(locationKey) ?? new Map();
    for (const [k, v] of changed) m.set(k, v);
    this.data.set(locationKey, m);
  }
}
