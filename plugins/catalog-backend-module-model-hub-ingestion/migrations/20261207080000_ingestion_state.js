// @ts-check

/**
 * What each ingestion source last emitted into the catalog, per remote id:
 * the content hash (so a restarted replica applies only real changes) and
 * the entity (so a model that disappears while the backend was down is
 * still re-emitted as deprecated). Lives in the catalog's database, in
 * tables of its own with their own migration history.
 *
 * @param {import('knex').Knex} knex
 */
exports.up = async function up(knex) {
  await knex.schema.createTable('model_hub_ingestion_state', table => {
    table.string('location_key', 255).notNullable();
    table.string('remote_id', 512).notNullable();
    table.string('hash', 64).notNullable();
    table.text('entity', 'longtext').notNullable();
    table.timestamp('updated_at').notNullable();
    table.primary(['location_key', 'remote_id']);
  });
};

/** @param {import('knex').Knex} knex */
exports.down = async function down(knex) {
  await knex.schema.dropTable('model_hub_ingestion_state');
};
