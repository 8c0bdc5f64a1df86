import { DatabaseService } from '@backstage/backend-plugin-api';
import {
  ModelEntityV1alpha1,
  RegisteredModel,
} from '@internal/plugin-model-hub-common';
import { Knex } from 'knex';
import { toIso } from '../gauntlet/storeTime';
import { migrateModelHub } from '../database/migrate';

type Timestamp = Date | string | number;

interface RegisteredModelRow {
  entity_ref: string;
  entity: string;
  created_by: string;
  created_at: Timestamp;
  updated_by: string;
  updated_at: Timestamp;
}

const TABLE = 'registered_models';

/**
 * The birth certificates of models registered through the hub, keyed by
 * lower-case entity ref. The catalog reads them through the hub's entity
 * provider, so they survive restarts and need no Git host.
 */
export class RegisteredModelStore {
  readonly #db: Knex;

  /** Runs the plugin's migrations (unless skipped) and opens the store. */
  static async create(options: {
    database: DatabaseService;
  }): Promise<RegisteredModelStore> {
    const client = await options.database.getClient();
    if (!options.database.migrations?.skip) {
      await migrateModelHub(client);
    }
    return new RegisteredModelStore(client);
  }

  private constructor(db: Knex) {
    this.#db = db;
  }

  /** The registered model with this entity ref (any case), if any. */
  async get(entityRef: string): Promise<RegisteredModel | undefined> {
    const row = await this.#db<RegisteredModelRow>(TABLE)
      .where('entity_ref', entityRef.toLocaleLowerCase('en-US'))
      .first();
    return row ? toRegisteredModel(row) : undefined;
  }

  /** Every registered model, ordered by entity ref. */
  async list(): Promise<RegisteredModel[]> {
    const rows = await this.#db<RegisteredModelRow>(TABLE).orderBy(
      'entity_ref',
    );
    return rows.map(toRegisteredModel);
  }

  /**
   * Stores the entity under its (lower-cased) ref: inserts it, or replaces
   * the entity of an existing registration keeping who created it and when.
   */
  async upsert(options: {
    entityRef: string;
    entity: ModelEntityV1alpha1;
    actor: string;
    now: Date;
  }): Promise<{ model: RegisteredModel; created: boolean }> {
    const entityRef = options.entityRef.toLocaleLowerCase('en-US');
    const entity = JSON.stringify(options.entity);
    const created = await this.#db.transaction(async tx => {
      const updated = await tx<RegisteredModelRow>(TABLE)
        .where('entity_ref', entityRef)
        .update({
          entity,
          updated_by: options.actor,
          updated_at: options.now,
        });
      if (updated > 0) return false;
      await tx<RegisteredModelRow>(TABLE)
        .insert({
          entity_ref: entityRef,
          entity,
          created_by: options.actor,
          created_at: options.now,
          updated_by: options.actor,
          updated_at: options.now,
        })
        .onConflict('entity_ref')
        .merge(['entity', 'updated_by', 'updated_at']);
      return true;
    });
    return { model: (await this.get(entityRef))!, created };
  }

  /** Removes a registration; true when there was one. */
  async delete(entityRef: string): Promise<boolean> {
    const deleted = await this.#db<RegisteredModelRow>(TABLE)
      .where('entity_ref', entityRef.toLocaleLowerCase('en-US'))
      .delete();
    return deleted > 0;
  }
}

function toRegisteredModel(row: RegisteredModelRow): RegisteredModel {
  return {
    entityRef: row.entity_ref,
    entity: JSON.parse(row.entity) as ModelEntityV1alpha1,
    createdBy: row.created_by,
    createdAt: toIso(row.created_at),
    updatedBy: row.updated_by,
    updatedAt: toIso(row.updated_at),
  };
}
