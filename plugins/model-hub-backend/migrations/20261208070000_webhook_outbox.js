// @ts-check

/**
 * The webhook outbox: one row per (webhook, event) still to be delivered or
 * already settled, so pending retries survive a restart. Replicas claim a
 * due row with a lease (claim token + lease_until) before sending, so two
 * replicas never send the same attempt; a claimer that dies lets its lease
 * run out and the next attempt is made by whoever claims the row next.
 *
 * @param {import('knex').Knex} knex
 */
exports.up = async function up(knex) {
  await knex.schema.createTable('model_hub_webhook_outbox', table => {
    table.comment(
      'Outbound events waiting for (or done with) webhook delivery',
    );
    table.bigIncrements('id').comment('Sequence number');
    table
      .string('webhook', 255)
      .notNullable()
      .comment('Name of the webhook (modelHub.events.webhooks[].name)');
    table.string('event_id', 64).notNullable().comment('Outbound event id');
    table.string('event_type', 64).notNullable().comment('e.g. version.sealed');
    table.string('entity_ref', 255).notNullable().comment('Model');
    table
      .text('payload')
      .notNullable()
      .comment('The JSON body exactly as it is signed and sent');
    table
      .string('state', 16)
      .notNullable()
      .comment('pending, delivered, or failed (gave up)');
    table
      .integer('attempts')
      .notNullable()
      .defaultTo(0)
      .comment('Attempts claimed so far (the one being sent included)');
    table
      .integer('max_attempts')
      .notNullable()
      .comment('Attempts before giving up, from the webhook config at enqueue');
    table
      .timestamp('next_attempt_at', { useTz: true })
      .notNullable()
      .comment('Not sent before this time (backoff)');
    table
      .string('claim_token', 255)
      .nullable()
      .comment('Replica and nonce holding the row while it sends an attempt');
    table
      .timestamp('lease_until', { useTz: true })
      .nullable()
      .comment('Until when the claim holds; expired means the sender died');
    table
      .integer('last_status')
      .nullable()
      .comment("The receiver's last status");
    table.text('last_error').nullable().comment('Why the last attempt failed');
    table
      .timestamp('created_at', { useTz: true })
      .notNullable()
      .comment('When the event was enqueued');
    table
      .timestamp('settled_at', { useTz: true })
      .nullable()
      .comment('When it was delivered or given up');
    table.unique(['webhook', 'event_id'], {
      indexName: 'model_hub_webhook_outbox_event_uq',
    });
    table.index(
      ['state', 'next_attempt_at'],
      'model_hub_webhook_outbox_due_idx',
    );
  });
};

/** @param {import('knex').Knex} knex */
exports.down = async function down(knex) {
  await knex.schema.dropTable('model_hub_webhook_outbox');
};
