// @ts-check

/**
 * Models registered through the hub (their birth certificates, served to the
 * catalog by the hub's entity provider) and deprecations recorded by the hub
 * for any model.
 *
 * @param {import('knex').Knex} knex
 */
exports.up = async function up(knex) {
  await knex.schema.createTable('registered_models', table => {
    table.comment(
      'Model entities registered through the hub rather than YAML in a repository',
    );
    table
      .string('entity_ref', 255)
      .primary()
      .notNullable()
      .comment('Lower-case entity ref of the model, e.g. model:default/foo');
    table
      .text('entity')
      .notNullable()
      .comment(
        'The registered Model entity as JSON, without location annotations',
      );
    table
      .string('created_by', 255)
      .notNullable()
      .comment('Entity ref of the user who registered the model');
    table
      .timestamp('created_at', { useTz: true })
      .notNullable()
      .comment('When the model was first registered');
    table
      .string('updated_by', 255)
      .notNullable()
      .comment('Entity ref of the user who last changed the registration');
    table
      .timestamp('updated_at', { useTz: true })
      .notNullable()
      .comment('When the registration was last changed');
  });

  await knex.schema.createTable('model_deprecations', table => {
    table.comment(
      'Deprecations recorded by the hub; the catalog applies them to the model',
    );
    table
      .string('entity_ref', 255)
      .primary()
      .notNullable()
      .comment('Lower-case entity ref of the deprecated model');
    table
      .text('reason')
      .notNullable()
      .comment('Why the model is deprecated, shown to its consumers');
    table
      .string('successor', 255)
      .nullable()
      .comment('Lower-case entity ref of the model replacing it, if any');
    table
      .string('deprecated_by', 255)
      .notNullable()
      .comment('Entity ref of the user who deprecated the model');
    table
      .timestamp('deprecated_at', { useTz: true })
      .notNullable()
      .comment(
        'When the model was deprecated (or the deprecation last changed)',
      );
  });
};

/**
 * @param {import('knex').Knex} knex
 */
exports.down = async function down(knex) {
  await knex.schema.dropTable('model_deprecations');
  await knex.schema.dropTable('registered_models');
};
