// @ts-check

/**
 * The lost-seal sweep (gauntlet recovery of versions sealed without runs)
 * asks for `state = 'sealed' AND sealed_at` in the last day on every replica:
 * index (state, sealed_at) so it reads only that day's seals, not every
 * version. `gauntlet_lost_seal_attempts` remembers seals the sweep could not
 * queue (card deleted: given up; catalog failing: retried with back-off), so
 * they are neither retried every pass nor crowd newer seals out of its batch.
 *
 * @param {import('knex').Knex} knex
 */
exports.up = async function up(knex) {
  await knex.schema.alterTable('model_versions', table => {
    table.index(['state', 'sealed_at'], 'model_versions_state_sealed_at_idx');
  });
  await knex.schema.createTable('gauntlet_lost_seal_attempts', table => {
    table.comment(
      'Sealed versions the gauntlet recovery could not queue, and when it may try again',
    );
    table
      .string('entity_ref', 255)
      .notNullable()
      .comment('Normalized model ref');
    table.string('version', 255).notNullable().comment('The sealed version');
    table
      .integer('attempts')
      .notNullable()
      .comment('Failed attempts to queue its runs');
    table
      .dateTime('next_attempt_at', { useTz: true })
      .notNullable()
      .comment('The sweep skips the version until then');
    table
      .text('last_error')
      .notNullable()
      .comment('Why the last attempt failed');
    table.primary(['entity_ref', 'version']);
  });
};

/** @param {import('knex').Knex} knex */
exports.down = async function down(knex) {
  await knex.schema.dropTable('gauntlet_lost_seal_attempts');
  await knex.schema.alterTable('model_versions', table => {
    table.dropIndex(
      ['state', 'sealed_at'],
      'model_versions_state_sealed_at_idx',
    );
  });
};
