// @ts-check

/**
 * The owner of a model when a promotion or waiver was requested. Four-eyes
 * refuses approvers from the owning team; without this, the team could
 * request, move the model to another owner, and have a teammate in
 * governance approve as an outsider. Rows from before stay null (the owner
 * now is all that is checked for them).
 *
 * @param {import('knex').Knex} knex
 */
exports.up = async function up(knex) {
  for (const name of ['gauntlet_promotion_requests', 'gauntlet_waivers']) {
    await knex.schema.alterTable(name, table => {
      table
        .string('requested_owner', 255)
        .nullable()
        .comment("The model's owner (full ref) when the request was made");
    });
  }
};

/** @param {import('knex').Knex} knex */
exports.down = async function down(knex) {
  for (const name of ['gauntlet_waivers', 'gauntlet_promotion_requests']) {
    await knex.schema.alterTable(name, table => {
      table.dropColumn('requested_owner');
    });
  }
};
