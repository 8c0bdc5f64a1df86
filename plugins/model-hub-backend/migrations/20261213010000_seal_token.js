// @ts-check

/**
 * A seal's claim is its own: the claim that moves a draft to `sealing`
 * writes a random token, and every later write of that seal (sealing it,
 * or returning it to draft on failure) matches the token. A seal that
 * stalled past the stale-seal reset, while a second seal claimed the
 * version, then fails and leaves the second seal's state alone.
 *
 * @param {import('knex').Knex} knex
 */
exports.up = async function up(knex) {
  await knex.schema.alterTable('model_versions', table => {
    table
      .string('seal_token', 64)
      .nullable()
      .comment('Token of the seal that holds the `sealing` claim, if any');
  });
};

/** @param {import('knex').Knex} knex */
exports.down = async function down(knex) {
  await knex.schema.alterTable('model_versions', table => {
    table.dropColumn('seal_token');
  });
};
