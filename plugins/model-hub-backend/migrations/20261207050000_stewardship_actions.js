// @ts-check

/**
 * What people decided about stewardship tasks (snoozes and waivers, keyed by
 * the task's condition) and hub-side overrides of a model's catalog entity
 * (a reassigned steward, an archive) that the stewardship engine honours.
 *
 * @param {import('knex').Knex} knex
 */
exports.up = async function up(knex) {
  await knex.schema.createTable('stewardship_suppressions', table => {
    table.comment(
      'Snoozes and waivers of stewardship conditions: while active, the engine opens no task for the dedup key',
    );
    table.increments('id').primary().comment('Surrogate key');
    table
      .string('dedup_key', 1024)
      .notNullable()
      .comment('The condition (task dedup key) suppressed');
    table
      .string('task_id', 36)
      .notNullable()
      .comment('The task the decision was taken on');
    table
      .string('entity_ref', 255)
      .notNullable()
      .comment('Normalized ref of the model concerned');
    table.string('kind', 16).notNullable().comment('snooze or waiver');
    table
      .string('state', 16)
      .notNullable()
      .comment(
        'active (suppressing until `until`), pending (a waiver awaiting approval) or superseded',
      );
    table
      .timestamp('until', { useTz: true })
      .notNullable()
      .comment('The suppression ends at this instant');
    table
      .text('reason')
      .notNullable()
      .comment('Why, as given by the requester');
    table
      .string('requested_by', 255)
      .notNullable()
      .comment('User who snoozed or asked for the waiver');
    table
      .string('approved_by', 255)
      .nullable()
      .comment('User who granted the waiver (never the requester)');
    table
      .timestamp('created_at', { useTz: true })
      .notNullable()
      .comment('When it was requested');
    table
      .timestamp('decided_at', { useTz: true })
      .nullable()
      .comment('When a waiver was granted');
    table.index(['dedup_key', 'state'], 'stewardship_suppressions_key_idx');
    table.index(['task_id'], 'stewardship_suppressions_task_idx');
  });

  await knex.schema.createTable('model_stewardship_overrides', table => {
    table.comment(
      'Hub-side overrides of a Model entity that stewardship honours (steward, archive)',
    );
    table
      .string('entity_ref', 255)
      .primary()
      .notNullable()
      .comment('Normalized ref of the model');
    table
      .string('steward', 255)
      .nullable()
      .comment(
        'User ref used instead of spec.steward; null keeps the catalog value',
      );
    table.string('steward_by', 255).nullable().comment('Who named the steward');
    table
      .timestamp('steward_at', { useTz: true })
      .nullable()
      .comment('When the steward was named');
    table
      .timestamp('archived_at', { useTz: true })
      .nullable()
      .comment('When the model was archived in the hub; null when not');
    table.string('archived_by', 255).nullable().comment('Who archived it');
    table.text('archive_reason').nullable().comment('Why it was archived');
  });
};

/**
 * @param {import('knex').Knex} knex
 */
exports.down = async function down(knex) {
  await knex.schema.dropTable('model_stewardship_overrides');
  await knex.schema.dropTable('stewardship_suppressions');
};
