// @ts-check

/**
 * The outbox retention deletes delivered rows by their delivery time
 * (`modelHub.events.outboxRetentionDays`): index (state, settled_at) so the
 * prune reads only the expired rows, not every delivered one.
 *
 * @param {import('knex').Knex} knex
 */
exports.up = async function up(knex) {
  await knex.schema.alterTable('model_hub_webhook_outbox', table => {
    table.index(
      ['state', 'settled_at'],
      'model_hub_webhook_outbox_settled_idx',
    );
  });
};

/** @param {import('knex').Knex} knex */
exports.down = async function down(knex) {
  await knex.schema.alterTable('model_hub_webhook_outbox', table => {
    table.dropIndex(
      ['state', 'settled_at'],
      'model_hub_webhook_outbox_settled_idx',
    );
  });
};
