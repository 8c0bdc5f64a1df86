// @ts-check

/**
 * Transactional publishing and blob garbage collection: a draft declares the
 * manifest its seal is checked against, and every blob carries the time it
 * was last claimed by an upload, so the collector never removes a blob an
 * upload is about to reference.
 *
 * @param {import('knex').Knex} knex
 */
exports.up = async function up(knex) {
  await knex.schema.alterTable('model_versions', table => {
    table
      .text('manifest')
      .nullable()
      .comment(
        'Files the draft declared as JSON [{path, sha256, size?}]; the seal is refused unless the uploaded files match it. Null: nothing declared',
      );
  });
  await knex.schema.alterTable('artifact_blobs', table => {
    table
      .timestamp('last_referenced_at', { useTz: true })
      .nullable()
      .comment(
        'When an upload last claimed the blob (set before its bytes are stored); the collector only removes unreferenced blobs older than the grace period',
      );
  });
  await knex('artifact_blobs').update({
    last_referenced_at: knex.ref('created_at'),
  });
  await knex.schema.alterTable('artifact_blobs', table => {
    table.index(['last_referenced_at'], 'artifact_blobs_last_referenced_idx');
  });
};

/**
 * @param {import('knex').Knex} knex
 */
exports.down = async function down(knex) {
  await knex.schema.alterTable('artifact_blobs', table => {
    table.dropIndex(
      ['last_referenced_at'],
      'artifact_blobs_last_referenced_idx',
    );
    table.dropColumn('last_referenced_at');
  });
  await knex.schema.alterTable('model_versions', table => {
    table.dropColumn('manifest');
  });
};
