// @ts-check

/**
 * The audit trail the admin view lists: every audit event the hub writes
 * (seal, alias, promotion decisions, waivers, deprecation, tier changes,
 * tokens, ...) with its actor, model and the model's team, for filtering
 * and CSV export. The auditor service still logs them as before.
 *
 * @param {import('knex').Knex} knex
 */
exports.up = async function up(knex) {
  await knex.schema.createTable('model_hub_audit_trail', table => {
    table.comment('Audit events of the hub, for the admin view');
    table.bigIncrements('id').comment('Sequence number');
    table
      .string('event_id', 100)
      .notNullable()
      .comment('What happened, e.g. alias-set');
    table.string('outcome', 16).notNullable().comment('succeeded or failed');
    table
      .string('actor', 255)
      .nullable()
      .comment('User entity ref or service subject');
    table
      .string('entity_ref', 255)
      .nullable()
      .comment('Lower-case ref of the model concerned');
    table
      .string('team', 255)
      .nullable()
      .comment("The model's owning team when recorded");
    table.text('meta').notNullable().comment('The event details as JSON');
    table.timestamp('occurred_at').notNullable().comment('When it happened');
    table.index(['occurred_at'], 'model_hub_audit_trail_at_idx');
    table.index(['entity_ref'], 'model_hub_audit_trail_model_idx');
    table.index(['team'], 'model_hub_audit_trail_team_idx');
    table.index(['actor'], 'model_hub_audit_trail_actor_idx');
  });
};

/** @param {import('knex').Knex} knex */
exports.down = async function down(knex) {
  await knex.schema.dropTable('model_hub_audit_trail');
};
