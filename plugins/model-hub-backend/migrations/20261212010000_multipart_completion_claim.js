// @ts-check

/**
 * One completion of a multipart upload at a time across replicas: a
 * completion claims the upload (a random token and a lease it renews while
 * it assembles, hashes, scans and stores the file); another completion, or a
 * part request, on any replica gets 409 until the lease ends. A completion
 * whose process stopped lets the lease expire, and a retry takes over.
 *
 * @param {import('knex').Knex} knex
 */
exports.up = async function up(knex) {
  await knex.schema.alterTable('multipart_uploads', table => {
    table
      .string('completion_token', 64)
      .nullable()
      .comment('Token of the completion under way, if any');
    table
      .timestamp('completing_until')
      .nullable()
      .comment(
        'End of the lease of the completion under way (renewed while it runs)',
      );
  });
};

/** @param {import('knex').Knex} knex */
exports.down = async function down(knex) {
  await knex.schema.alterTable('multipart_uploads', table => {
    table.dropColumn('completing_until');
    table.dropColumn('completion_token');
  });
};
