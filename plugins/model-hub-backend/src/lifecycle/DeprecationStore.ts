import { DatabaseService } from '@backstage/backend-plugin-api';
import { ModelDeprecation } from '@internal/plugin-model-hub-common';
import { Knex } from 'knex';
import { toIso } from '../gauntlet/storeTime';
import { migrateModelHub } from '../database/migrate';

type Timestamp = Date | string | number;

interface DeprecationRow {
  entity_ref: string;
  reason: string;
  successor: string | null;
  deprecated_by: string;
  deprecated_at: Timestamp;
}

const TABLE = 'model_deprecations';

/**
 * Deprecations recorded by the hub, one per model (keyed by lower-case
 * entity ref). The catalog overlays them on the model entity.
 */
export class DeprecationStore {
  readonly #db: Knex;

  /** Runs the plugin's migrations (unless skipped) and opens the store. */
  static async create(options: {
    database: DatabaseService;
  }): Promise<DeprecationStore> {
    const client = await options.database.getClient();
    if (!options.database.migrations?.skip) {
      await migrateModelHub(client);
    }
    return new DeprecationStore(client);
  }

  private constructor(db: Knex) {
    this.#db = db;
  }

  /** The deprecation of the model with this entity ref (any case), if any. */
  async get(entityRef: string): Promise<ModelDeprecation | undefined> {
    const row = await this.#db<DeprecationRow>(TABLE)
      .where('entity_ref', entityRef.toLocaleLowerCase('en-US'))
      .first();
    return row ? toDeprecation(row) : undefined;
  }

  /** Every recorded deprecation, ordered by entity ref. */
  async list(): Promise<ModelDeprecation[]> {
    const rows = await this.#db<DeprecationRow>(TABLE).orderBy('entity_ref');
    return rows.map(toDeprecation);
  }

  /** Records (or replaces) the deprecation of a model. */
  async put(options: {
    entityRef: string;
    reason: string;
    successor?: string;
    actor: string;
    now: Date;
  }): Promise<ModelDeprecation> {
    const entityRef = options.entityRef.toLocaleLowerCase('en-US');
    await this.#db<DeprecationRow>(TABLE)
      .insert({
        entity_ref: entityRef,
        reason: options.reason,
        successor: options.successor?.toLocaleLowerCase('en-US') ?? null,
        deprecated_by: options.actor,
        deprecated_at: options.now,
      })
      .onConflict('entity_ref')
      .merge();
    return (await this.get(entityRef))!;
  }

  /** Withdraws the deprecation of a model; true when there was one. */
  async delete(entityRef: string): Promise<boolean> {
    const deleted = await this.#db<DeprecationRow>(TABLE)
      .where('entity_ref', entityRef.toLocaleLowerCase('en-US'))
      .delete();
    return deleted > 0;
  }
}

function toDeprecation(row: DeprecationRow): ModelDeprecation {
  const out: ModelDeprecation = {
    entityRef: row.entity_ref,
    reason: row.reason,
    deprecatedBy: row.deprecated_by,
    deprecatedAt: toIso(row.deprecated_at),
  };
  if (row.successor !== null) out.successor = row.successor;
  return out;
}
