// @ts-check

/**
 * Usage of models: raw pull events (kept for a configurable retention) and
 * rollups that are kept for good, so that leaderboards and series read a
 * few thousand rows rather than every pull. Per (model, user) and (model,
 * team) the rollups keep the day of the latest pull: "distinct users/teams
 * in the last 30 days" is then a count of rows whose last day is recent. A pull is the first file
 * download of a version by a principal within the pull window (see
 * src/usage/README.md).
 *
 * @param {import('knex').Knex} knex
 */
exports.up = async function up(knex) {
  await knex.schema.createTable('model_hub_usage_pulls', table => {
    table.comment(
      'Raw pull events; deleted after modelHub.usage.retentionDays',
    );
    table.bigIncrements('id').comment('Sequence number');
    table
      .string('entity_ref', 255)
      .notNullable()
      .comment('Lower-case ref of the pulled model');
    table.string('version', 255).notNullable().comment('Pulled version');
    table
      .string('owner_ref', 255)
      .notNullable()
      .comment("The model's owning team at pull time ('' when unknown)");
    table
      .string('actor', 255)
      .notNullable()
      .comment('User entity ref or service subject that pulled');
    table
      .string('actor_team', 255)
      .notNullable()
      .comment("The puller's team counted for reuse ('' when none)");
    table
      .string('client', 32)
      .notNullable()
      .comment('cli, scaffolder, hf, browser or api');
    table.timestamp('pulled_at').notNullable().comment('When it was pulled');
    table.index(['pulled_at'], 'model_hub_usage_pulls_at_idx');
  });
  await knex.schema.createTable('model_hub_usage_model_users', table => {
    table.comment(
      'Pulls per model and puller with the last day: distinct users over all time and the last N days',
    );
    table.string('entity_ref', 255).notNullable().comment('Model');
    table.string('actor', 255).notNullable().comment('Puller');
    table.bigInteger('pulls').notNullable().comment('Pulls so far');
    table
      .string('last_day', 10)
      .notNullable()
      .comment('UTC day (YYYY-MM-DD) of the latest pull');
    table.primary(['entity_ref', 'actor']);
  });
  await knex.schema.createTable('model_hub_usage_model_days', table => {
    table.comment('Pulls per model and day: series and pull counts');
    table.string('entity_ref', 255).notNullable().comment('Model');
    table.string('day', 10).notNullable().comment('UTC day YYYY-MM-DD');
    table.string('owner_ref', 255).notNullable().comment('Owning team');
    table.integer('pulls').notNullable().comment('Pulls on that day');
    table.primary(['entity_ref', 'day']);
    table.index(['day'], 'model_hub_usage_model_days_day_idx');
  });
  await knex.schema.createTable('model_hub_usage_model_teams', table => {
    table.comment(
      'Pulls per model and pulling team with the last day: distinct teams over all time and the last N days',
    );
    table.string('entity_ref', 255).notNullable().comment('Model');
    table
      .string('actor_team', 255)
      .notNullable()
      .comment("Pulling team ('' for pullers without one)");
    table.string('owner_ref', 255).notNullable().comment('Owning team');
    table.bigInteger('pulls').notNullable().comment('Pulls so far');
    table
      .string('last_day', 10)
      .notNullable()
      .comment('UTC day (YYYY-MM-DD) of the latest pull');
    table.primary(['entity_ref', 'actor_team']);
  });
  await knex.schema.createTable('model_hub_usage_first_consumers', table => {
    table.comment(
      'The first time a team other than the owner consumed a model: notified once',
    );
    table.string('entity_ref', 255).notNullable().comment('Model');
    table.string('team', 255).notNullable().comment('Consuming team');
    table.string('via', 16).notNullable().comment('pull or dependsOn');
    table.timestamp('first_at').notNullable().comment('When it was first seen');
    table.primary(['entity_ref', 'team']);
  });
};

/** @param {import('knex').Knex} knex */
exports.down = async function down(knex) {
  await knex.schema.dropTable('model_hub_usage_first_consumers');
  await knex.schema.dropTable('model_hub_usage_model_teams');
  await knex.schema.dropTable('model_hub_usage_model_days');
  await knex.schema.dropTable('model_hub_usage_model_users');
  await knex.schema.dropTable('model_hub_usage_pulls');
};
