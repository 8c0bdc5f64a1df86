// @ts-check

/**
 * Records which scanner version produced each stored scan result, and the
 * progress of background rescans when a newer scanner starts.
 *
 * @param {import('knex').Knex} knex
 */
exports.up = async function up(knex) {
  await knex.schema.alterTable('model_version_files', table => {
    table
      .string('scanner_version', 32)
      .nullable()
      .comment(
        'Version of the scanner that produced scan; null for results stored before it was recorded',
      );
  });

  await knex.schema.createTable('model_hub_rescans', table => {
    table.comment(
      'Progress of the background rescan of stored files, one row per scanner version',
    );
    table
      .string('scanner_version', 32)
      .primary()
      .notNullable()
      .comment('The scanner version files are being rescanned with');
    table
      .integer('last_version_id')
      .nullable()
      .comment(
        'Cursor: version id of the last file rescanned; null before the first batch',
      );
    table
      .string('last_path', 1024)
      .nullable()
      .comment(
        'Cursor: path of the last file rescanned within last_version_id',
      );
    table
      .integer('files_scanned')
      .notNullable()
      .defaultTo(0)
      .comment('Files rescanned so far');
    table
      .integer('verdicts_changed')
      .notNullable()
      .defaultTo(0)
      .comment('Files whose verdict changed so far');
    table
      .timestamp('started_at', { useTz: true })
      .notNullable()
      .comment('When the rescan started');
    table
      .timestamp('finished_at', { useTz: true })
      .nullable()
      .comment('When every stored file had been rescanned; null while running');
  });
};

/**
 * @param {import('knex').Knex} knex
 */
exports.down = async function down(knex) {
  await knex.schema.dropTable('model_hub_rescans');
  await knex.schema.alterTable('model_version_files', table => {
    table.dropColumn('scanner_version');
  });
};
