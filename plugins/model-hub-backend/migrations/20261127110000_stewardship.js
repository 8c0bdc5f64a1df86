// @ts-check

/**
 * Stewardship tasks (open and closed, with their history) and the record of
 * the daily digest sent to each team.
 *
 * @param {import('knex').Knex} knex
 */
exports.up = async function up(knex) {
  await knex.schema.createTable('stewardship_tasks', table => {
    table.comment(
      'Stewardship tasks opened by the rules engine; closed tasks are kept as history',
    );
    table
      .string('id', 36)
      .primary()
      .notNullable()
      .comment('Random UUID of the task');
    table
      .string('dedup_key', 1024)
      .notNullable()
      .comment('Identity of the condition the task was opened for');
    table
      .string('open_key', 1024)
      .nullable()
      .comment(
        'Equals dedup_key while the task is open, null once closed; unique, so one open task per condition',
      );
    table
      .string('kind', 64)
      .notNullable()
      .comment('Condition kind, e.g. orphaned, steward-missing, stale-warning');
    table
      .string('entity_ref', 255)
      .notNullable()
      .comment('Normalized ref of the model concerned, e.g. model:default/foo');
    table
      .string('assignee', 255)
      .notNullable()
      .comment('Normalized ref of the group (or user) expected to act');
    table
      .string('severity', 16)
      .notNullable()
      .comment('critical, high, medium or low');
    table.text('title').notNullable().comment('One-line summary');
    table
      .text('description')
      .notNullable()
      .comment('What is wrong and what to do about it');
    table
      .text('details')
      .notNullable()
      .comment('Machine-readable facts behind the condition, as JSON');
    table
      .timestamp('due_at', { useTz: true })
      .nullable()
      .comment('Deadline of the task, if any');
    table
      .timestamp('opened_at', { useTz: true })
      .notNullable()
      .comment('When the task was opened');
    table
      .timestamp('updated_at', { useTz: true })
      .notNullable()
      .comment('When the task was opened or last refreshed from its condition');
    table
      .timestamp('closed_at', { useTz: true })
      .nullable()
      .comment('When the task was closed; null while open');
    table
      .text('close_reason')
      .nullable()
      .comment('Why the task was closed, e.g. condition cleared');
    table
      .timestamp('notified_at', { useTz: true })
      .nullable()
      .comment(
        'When the assignee was notified of the opened task; null while pending',
      );
    table.unique(['open_key'], { indexName: 'stewardship_tasks_open_key_idx' });
    table.index(['assignee', 'closed_at'], 'stewardship_tasks_assignee_idx');
    table.index(['entity_ref'], 'stewardship_tasks_entity_ref_idx');
  });

  await knex.schema.createTable('stewardship_task_events', table => {
    table.comment('History of each stewardship task: opened, updated, closed');
    table
      .increments('id')
      .primary()
      .comment('Surrogate key; increases with time');
    table
      .string('task_id', 36)
      .notNullable()
      .references('id')
      .inTable('stewardship_tasks')
      .onDelete('CASCADE')
      .comment('The task the event belongs to');
    table
      .string('event', 16)
      .notNullable()
      .comment('opened, updated or closed');
    table
      .timestamp('at', { useTz: true })
      .notNullable()
      .comment('When it happened');
    table
      .text('message')
      .notNullable()
      .comment('What happened: the title at the time, or the close reason');
    table.index(['task_id'], 'stewardship_task_events_task_idx');
  });

  await knex.schema.createTable('stewardship_digests', table => {
    table.comment('The last stewardship digest sent to each assignee');
    table
      .string('assignee', 255)
      .primary()
      .notNullable()
      .comment('Normalized ref of the team (or user) the digest went to');
    table
      .timestamp('last_digest_at', { useTz: true })
      .notNullable()
      .comment('When the last digest was sent');
  });
};

/**
 * @param {import('knex').Knex} knex
 */
exports.down = async function down(knex) {
  await knex.schema.dropTable('stewardship_digests');
  await knex.schema.dropTable('stewardship_task_events');
  await knex.schema.dropTable('stewardship_tasks');
};
