import { DatabaseService } from '@backstage/backend-plugin-api';
import { ConflictError } from '@backstage/errors';
import { Knex } from 'knex';

/**
 * What deleting a model card does to every table that holds hub state by
 * `entity_ref` (a test fails when a table with that column is missing here,
 * so a new table is a conscious decision):
 * - `blocking`: the card cannot be deleted while rows exist (versions are
 *   immutable records that consumers may have pulled);
 * - `purged`: deleted with the card, so that whoever registers the same name
 *   next starts from nothing (tiers, promotion requests and approvals,
 *   waivers, gauntlet results, aliases, deprecations);
 * - `kept`: history that names the model but grants nothing (the
 *   stewardship engine closes tasks of models that are gone).
 */
export const MODEL_STATE_TABLES = {
  blocking: ['model_versions'],
  purged: [
    // Resumable uploads of a version (their parts cascade); normally none
    // remain, since an upload needs a draft and drafts block the deletion.
    'multipart_uploads',
    'model_aliases',
    // Approvals before the promotion requests and waivers they approve.
    'gauntlet_approvals',
    // Recovery bookkeeping of the name's seals (the versions block).
    'gauntlet_lost_seal_attempts',
    'gauntlet_results',
    'gauntlet_runs',
    'gauntlet_promotion_requests',
    'gauntlet_waivers',
    'gauntlet_tiers',
    'model_deprecations',
    // Usage of the name (none while versions block the deletion, except
    // first consumers declared through dependsOn): a new registrant's team
    // must hear of its first consumers itself.
    'model_hub_usage_pulls',
    'model_hub_usage_model_users',
    'model_hub_usage_model_days',
    'model_hub_usage_model_teams',
    'model_hub_usage_first_consumers',
    // A new registrant of the name inherits no steward, archive, snooze or waiver.
    'model_stewardship_overrides',
    // Import records of the name's upstream versions (the versions block).
    'model_hub_imports',
    // The similar-models index of the name (terms before their model row);
    // the index refresh would drop them too, once the entity is gone.
    'model_hub_similar_terms',
    'model_hub_similar_models',
    'stewardship_suppressions',
    'registered_models',
  ],
  // History: who did what, and what was sent where. Tier events are cache
  // invalidation signals of all replicas, pruned by age.
  kept: [
    'stewardship_tasks',
    'model_hub_audit_trail',
    'model_hub_webhook_deliveries',
    // Events already published about the name are still delivered.
    'model_hub_webhook_outbox',
    'gauntlet_tier_events',
  ],
} as const;

/**
 * Deletes a model card registered through the hub: refused while the model
 * has versions (sealed or draft), otherwise the registration and all hub
 * state granted to the name go in one transaction.
 */
export class ModelCardDeletion {
  readonly #db: Knex;

  /** Opens the plugin database (its migrations are run by the stores). */
  static async create(options: {
    database: DatabaseService;
  }): Promise<ModelCardDeletion> {
    return new ModelCardDeletion(await options.database.getClient());
  }

  private constructor(db: Knex) {
    this.#db = db;
  }

  /**
   * Deletes the card `entityRef` (lower case) and its hub state.
   * @throws ConflictError while the model has versions
   */
  async delete(entityRef: string): Promise<void> {
    await this.#db.transaction(async tx => {
      for (const table of MODEL_STATE_TABLES.blocking) {
        const [{ count }] = await tx(table)
          .where({ entity_ref: entityRef })
          .count({ count: '*' });
        if (Number(count) > 0) {
          throw new ConflictError(
            `${entityRef} has ${count} version(s), which are immutable records consumers may depend on; deprecate the model instead of deleting its card`,
          );
        }
      }
      // Children before parents (gauntlet results reference their runs).
      for (const table of MODEL_STATE_TABLES.purged) {
        await tx(table).where({ entity_ref: entityRef }).delete();
      }
    });
  }
}
