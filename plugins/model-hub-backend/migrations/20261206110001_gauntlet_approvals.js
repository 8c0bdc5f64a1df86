// @ts-check

/**
 * Four-eyes governance: every approval of a promotion request or waiver is
 * a row of its own, bound to the version, its manifest digest and the
 * gauntlet run the approver saw, and kept (invalidated, with a reason) when
 * any of those changes. Waivers become requests that collect approvals.
 *
 * @param {import('knex').Knex} knex
 */
exports.up = async function up(knex) {
  await knex.schema.createTable('gauntlet_approvals', table => {
    table.comment(
      'Approvals of promotion requests and waivers, bound to version, manifest digest and run',
    );
    table.increments('id').primary().comment('Approval id');
    table
      .string('subject', 16)
      .notNullable()
      .comment('What is approved: promotion or waiver');
    table
      .integer('subject_id')
      .notNullable()
      .comment('Id of the promotion request or waiver');
    table
      .string('entity_ref', 255)
      .notNullable()
      .comment('Ref of the Model entity');
    table
      .string('approver', 255)
      .notNullable()
      .comment('Entity ref of the governance member who approved');
    table
      .string('version', 255)
      .notNullable()
      .comment('The sealed version (the tiered one) the approver saw');
    table
      .string('manifest_sha256', 64)
      .notNullable()
      .comment('SHA-256 of the sealed file list (path, size, sha256)');
    table
      .integer('run_id')
      .notNullable()
      .comment('The completed gauntlet run the approver saw');
    table.text('comment').nullable().comment('Why the approver approved');
    table
      .timestamp('approved_at', { useTz: true })
      .notNullable()
      .comment('When it was approved');
    table
      .timestamp('invalidated_at', { useTz: true })
      .nullable()
      .comment('When it stopped counting; null while valid');
    table
      .text('invalidated_reason')
      .nullable()
      .comment('Why it stopped counting (new run, new version, other files)');
    table.index(
      ['entity_ref', 'subject', 'subject_id'],
      'gauntlet_approvals_idx',
    );
  });
  await knex.schema.alterTable('gauntlet_waivers', table => {
    table
      .string('state', 16)
      .notNullable()
      .defaultTo('approved')
      .comment('pending until enough approvals, then approved');
    table
      .string('requested_by', 255)
      .nullable()
      .comment('Entity ref of who asked for the waiver (never an approver)');
  });
};

/**
 * @param {import('knex').Knex} knex
 */
exports.down = async function down(knex) {
  await knex.schema.alterTable('gauntlet_waivers', table => {
    table.dropColumn('requested_by');
    table.dropColumn('state');
  });
  await knex.schema.dropTable('gauntlet_approvals');
};
