// @ts-check

/**
 * Tier change events: every replica appends the ref of a model whose
 * effective-tier inputs changed (gauntlet run, approval, waiver, alias,
 * seal), and every replica's tier cache reads the rows after the last id it
 * saw, so a change on one replica invalidates the caches of all of them.
 *
 * @param {import('knex').Knex} knex
 */
exports.up = async function up(knex) {
  await knex.schema.createTable('gauntlet_tier_events', table => {
    table.comment(
      'Models whose effective-tier inputs changed; read by the tier caches of all replicas',
    );
    table.bigIncrements('id').primary().comment('Event id, increasing');
    table
      .string('entity_ref', 255)
      .notNullable()
      .comment('Ref of the Model entity (lower case)');
    table
      .timestamp('created_at', { useTz: true })
      .notNullable()
      .defaultTo(knex.fn.now())
      .comment('When the change was recorded (for pruning)');
  });
};

/** @param {import('knex').Knex} knex */
exports.down = async function down(knex) {
  await knex.schema.dropTable('gauntlet_tier_events');
};
