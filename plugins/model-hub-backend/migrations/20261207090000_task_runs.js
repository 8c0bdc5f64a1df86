// @ts-check

/**
 * A log of the runs of the plugin's cluster-wide (`scope: 'global'`)
 * scheduled tasks: which replica ran which task when, and how it ended. It
 * shows operators that each task runs on one replica at a time and once per
 * period, also after a replica died mid-run (its row keeps no end).
 *
 * @param {import('knex').Knex} knex
 */
exports.up = async function up(knex) {
  await knex.schema.createTable('model_hub_task_runs', table => {
    table.comment('One run of a cluster-wide scheduled task of the hub');
    table.increments('id').primary().comment('Run id');
    table
      .string('task_id', 255)
      .notNullable()
      .comment('Scheduler task id, e.g. model-hub-stewardship');
    table
      .string('replica', 255)
      .notNullable()
      .comment('The backend replica that ran it (host:pid)');
    table.timestamp('started_at').notNullable().comment('When the run began');
    table
      .timestamp('finished_at')
      .nullable()
      .comment(
        'When the run ended; null while running or when the replica died',
      );
    table
      .string('outcome', 16)
      .nullable()
      .comment(
        'succeeded or failed; null while running or when the replica died',
      );
    table.index(['task_id', 'started_at'], 'model_hub_task_runs_task_idx');
  });
};

/** @param {import('knex').Knex} knex */
exports.down = async function down(knex) {
  await knex.schema.dropTable('model_hub_task_runs');
};
