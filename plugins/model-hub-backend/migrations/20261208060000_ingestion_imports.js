// @ts-check

/**
 * Imports of ingested models' upstream versions (MLflow, Hugging Face) into
 * the hub's store: one row per hub version, so a second import of the same
 * version (another user, the auto-import task, another replica) finds the
 * running or finished one instead of starting again, and the model page can
 * show importing / imported / failed with the reason.
 *
 * @param {import('knex').Knex} knex
 */
exports.up = async function up(knex) {
  await knex.schema.createTable('model_hub_imports', table => {
    table.comment(
      'Imports of upstream versions of ingested models into the hub',
    );
    table
      .string('entity_ref', 255)
      .notNullable()
      .comment('The Model entity ref, lower case');
    table
      .string('version', 255)
      .notNullable()
      .comment('The hub version it publishes (e.g. 3.0.0, 0.0.0-g<sha>)');
    table
      .string('source', 255)
      .notNullable()
      .comment('Ingestion source, e.g. mlflow:prod or huggingface:hf');
    table
      .string('remote_id', 1000)
      .notNullable()
      .comment('Upstream model id: MLflow name or Hugging Face repo id');
    table
      .string('remote_version', 255)
      .notNullable()
      .comment('Upstream version: MLflow version number or commit sha');
    table
      .string('state', 16)
      .notNullable()
      .comment('importing, imported or failed');
    table.text('error').nullable().comment('One-line reason of a failure');
    table
      .string('requested_by', 255)
      .notNullable()
      .comment('User ref of the requester, or model-hub:auto-import');
    table
      .timestamp('started_at')
      .notNullable()
      .comment('When the current attempt began');
    table
      .timestamp('finished_at')
      .nullable()
      .comment('When the attempt ended; null while importing');
    table.primary(['entity_ref', 'version']);
  });
};

/** @param {import('knex').Knex} knex */
exports.down = async function down(knex) {
  await knex.schema.dropTable('model_hub_imports');
};
