// @ts-check

/**
 * Resumable multipart uploads of large files into draft versions: one row per
 * upload session, one per verified part received. Parts live in the staging
 * directory until the session completes (assembled, verified, stored) or is
 * collected as abandoned.
 *
 * @param {import('knex').Knex} knex
 */
exports.up = async function up(knex) {
  await knex.schema.createTable('multipart_uploads', table => {
    table.comment(
      'Resumable multipart uploads of one file into a draft version',
    );
    table.string('id', 64).primary().notNullable().comment('Random upload id');
    table
      .string('entity_ref', 255)
      .notNullable()
      .comment('Lower-case entity ref of the model');
    table.string('version', 255).notNullable().comment('Draft version');
    table
      .string('path', 1024)
      .notNullable()
      .comment('File path in the version');
    table
      .string('sha256', 64)
      .notNullable()
      .comment('Declared SHA-256 of the whole file, verified at completion');
    table.bigInteger('size').notNullable().comment('Declared size in bytes');
    table
      .bigInteger('part_size')
      .notNullable()
      .comment('Bytes per part (the last may be shorter)');
    table
      .string('created_by', 255)
      .notNullable()
      .comment('Principal that started the upload; only it may continue it');
    table
      .timestamp('created_at')
      .notNullable()
      .comment('When the upload started');
    table
      .timestamp('updated_at')
      .notNullable()
      .comment(
        'Last part received; abandoned uploads are collected after a while',
      );
    table.index(['entity_ref', 'version'], 'multipart_uploads_version_idx');
    table.index(['updated_at'], 'multipart_uploads_updated_idx');
  });
  await knex.schema.createTable('multipart_upload_parts', table => {
    table.comment('Verified parts received for a multipart upload');
    table
      .string('upload_id', 64)
      .notNullable()
      .references('id')
      .inTable('multipart_uploads')
      .onDelete('CASCADE')
      .comment('The upload this part belongs to');
    table.integer('part_number').notNullable().comment('1-based part number');
    table.bigInteger('size').notNullable().comment('Bytes in the part');
    table
      .string('sha256', 64)
      .notNullable()
      .comment('Verified SHA-256 of the part');
    table
      .timestamp('received_at')
      .notNullable()
      .comment('When the part was stored');
    table.primary(['upload_id', 'part_number']);
  });
};

/** @param {import('knex').Knex} knex */
exports.down = async function down(knex) {
  await knex.schema.dropTable('multipart_upload_parts');
  await knex.schema.dropTable('multipart_uploads');
};
