// @ts-check

/**
 * Model versions, their files, aliases and the content-addressed blobs the
 * files point at.
 *
 * @param {import('knex').Knex} knex
 */
exports.up = async function up(knex) {
  await knex.schema.createTable('artifact_blobs', table => {
    table.comment('Content-addressed artifacts present in the artifact store');
    table
      .string('sha256', 64)
      .primary()
      .notNullable()
      .comment('Lower-case hex SHA-256 of the content; the storage key');
    table
      .bigInteger('size')
      .notNullable()
      .comment('Size of the content in bytes');
    table
      .timestamp('created_at', { useTz: true })
      .notNullable()
      .comment('When the content was first stored');
  });

  await knex.schema.createTable('model_versions', table => {
    table.comment('Versions of Model catalog entities');
    table
      .increments('id')
      .primary()
      .comment('Surrogate key; increases with creation order');
    table
      .string('entity_ref', 255)
      .notNullable()
      .comment('Ref of the Model entity, e.g. model:default/foo');
    table
      .string('version', 255)
      .notNullable()
      .comment('Semantic version, unique per model');
    table
      .text('description')
      .nullable()
      .comment('Optional human description of the version');
    table
      .string('state', 16)
      .notNullable()
      .comment('draft while files are uploaded, sealed (immutable) after');
    table
      .string('created_by', 255)
      .notNullable()
      .comment('Entity ref of the user (or service subject) who created it');
    table
      .timestamp('created_at', { useTz: true })
      .notNullable()
      .comment('When the version was created');
    table
      .timestamp('sealed_at', { useTz: true })
      .nullable()
      .comment('When the version was sealed; null while draft');
    table.unique(['entity_ref', 'version'], {
      indexName: 'model_versions_entity_ref_version_idx',
    });
  });

  await knex.schema.createTable('model_version_files', table => {
    table.comment('Files of a model version, pointing at artifact blobs');
    table
      .integer('version_id')
      .unsigned()
      .notNullable()
      .references('id')
      .inTable('model_versions')
      .onDelete('CASCADE')
      .comment('The version the file belongs to');
    table
      .string('path', 1024)
      .notNullable()
      .comment('Relative path inside the version, / separated');
    table
      .string('sha256', 64)
      .notNullable()
      .references('sha256')
      .inTable('artifact_blobs')
      .comment('SHA-256 of the content (the artifact blob)');
    table.bigInteger('size').notNullable().comment('Size of the file in bytes');
    table
      .string('format', 32)
      .notNullable()
      .comment('Format detected by the scanner from the content');
    table
      .string('scan_verdict', 16)
      .notNullable()
      .comment('Scanner verdict: safe, unsafe, error or unsupported');
    table.text('scan').notNullable().comment('Full scanner result as JSON');
    table
      .string('uploaded_by', 255)
      .notNullable()
      .comment('Entity ref of the user (or service subject) who uploaded it');
    table
      .timestamp('uploaded_at', { useTz: true })
      .notNullable()
      .comment('When the file was uploaded');
    table.primary(['version_id', 'path']);
    table.index('sha256', 'model_version_files_sha256_idx');
  });

  await knex.schema.createTable('model_aliases', table => {
    table.comment('Named pointers (e.g. champion, latest) to sealed versions');
    table
      .string('entity_ref', 255)
      .notNullable()
      .comment('Ref of the Model entity the alias belongs to');
    table
      .string('alias', 63)
      .notNullable()
      .comment('Alias name, unique per model');
    table
      .integer('version_id')
      .unsigned()
      .notNullable()
      .references('id')
      .inTable('model_versions')
      .onDelete('CASCADE')
      .comment('The version the alias points at');
    table
      .string('updated_by', 255)
      .notNullable()
      .comment('Entity ref of who last set the alias');
    table
      .timestamp('updated_at', { useTz: true })
      .notNullable()
      .comment('When the alias was last set');
    table.primary(['entity_ref', 'alias']);
  });
};

/**
 * @param {import('knex').Knex} knex
 */
exports.down = async function down(knex) {
  await knex.schema.dropTable('model_aliases');
  await knex.schema.dropTable('model_version_files');
  await knex.schema.dropTable('model_versions');
  await knex.schema.dropTable('artifact_blobs');
};
