// @ts-check

/**
 * Direct S3 transfers: a multipart upload may go straight to S3 through
 * presigned part URLs. It then records S3's multipart upload id (to
 * complete or abort it) and, per part, the ETag S3 answered the client with.
 *
 * @param {import('knex').Knex} knex
 */
exports.up = async function up(knex) {
  await knex.schema.alterTable('multipart_uploads', table => {
    table
      .string('s3_upload_id', 1024)
      .nullable()
      .comment(
        'S3 multipart upload id when the parts go directly to S3 (presigned); null when they go through the backend',
      );
  });
  await knex.schema.alterTable('multipart_upload_parts', table => {
    table
      .string('etag', 255)
      .nullable()
      .comment(
        'ETag S3 returned for a part PUT directly to S3; null for parts stored by the backend',
      );
  });
};

/** @param {import('knex').Knex} knex */
exports.down = async function down(knex) {
  await knex.schema.alterTable('multipart_upload_parts', table => {
    table.dropColumn('etag');
  });
  await knex.schema.alterTable('multipart_uploads', table => {
    table.dropColumn('s3_upload_id');
  });
};
