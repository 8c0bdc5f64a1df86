// @ts-check

/**
 * One row per attempt to deliver an outbound event to a webhook, so admins
 * can see what was sent, what the receiver answered and every retry.
 *
 * @param {import('knex').Knex} knex
 */
exports.up = async function up(knex) {
  await knex.schema.createTable('model_hub_webhook_deliveries', table => {
    table.comment('Attempts to deliver outbound events to webhooks');
    table.bigIncrements('id').comment('Sequence number');
    table
      .string('webhook', 255)
      .notNullable()
      .comment('Name of the webhook (modelHub.events.webhooks[].name)');
    table.string('event_id', 64).notNullable().comment('Outbound event id');
    table.string('event_type', 64).notNullable().comment('e.g. alias.moved');
    table.string('entity_ref', 255).notNullable().comment('Model');
    table.integer('attempt').notNullable().comment('1 for the first try');
    table
      .string('outcome', 16)
      .notNullable()
      .comment('delivered (2xx) or failed');
    table.integer('http_status').nullable().comment("The receiver's status");
    table.text('error').nullable().comment('Why the attempt failed');
    table.timestamp('attempted_at').notNullable().comment('When it was sent');
    table.integer('duration_ms').notNullable().comment('Round trip');
    table.index(['attempted_at'], 'model_hub_webhook_deliveries_at_idx');
    table.index(['event_id'], 'model_hub_webhook_deliveries_event_idx');
  });
};

/** @param {import('knex').Knex} knex */
exports.down = async function down(knex) {
  await knex.schema.dropTable('model_hub_webhook_deliveries');
};
