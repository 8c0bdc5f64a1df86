// @ts-check

/**
 * The compliance gauntlet: runs (which double as the work queue), the result
 * of every check of every run, promotion requests with their governance
 * decisions, per-check waivers, and the last effective tier of each model.
 *
 * @param {import('knex').Knex} knex
 */
exports.up = async function up(knex) {
  await knex.schema.createTable('gauntlet_runs', table => {
    table.comment(
      'Gauntlet runs of one model version for one tier; queued rows are the work queue',
    );
    table
      .increments('id')
      .primary()
      .comment('Run id; increases with enqueue order');
    table
      .string('entity_ref', 255)
      .notNullable()
      .comment('Ref of the Model entity, e.g. model:default/foo');
    table
      .string('version', 255)
      .notNullable()
      .comment('The model version checked');
    table
      .string('tier', 16)
      .notNullable()
      .comment(
        'The tier the checks decided on (official, community, external)',
      );
    table
      .string('trigger', 16)
      .notNullable()
      .comment('Why the run started: sealed, manual or scheduled');
    table
      .string('trigger_reason', 1024)
      .nullable()
      .comment('Details of the trigger, e.g. which input changed');
    table
      .string('requested_by', 255)
      .nullable()
      .comment('Entity ref of who asked for a manual run');
    table
      .string('status', 16)
      .notNullable()
      .comment(
        'queued, running, completed or failed (the run itself, not a check)',
      );
    table
      .string('claimed_by', 255)
      .nullable()
      .comment(
        'Claim token (runner instance + random) of the runner executing it',
      );
    table
      .timestamp('claimed_at', { useTz: true })
      .nullable()
      .comment(
        'When the run was claimed; stale claims are taken over after the lease',
      );
    table
      .integer('attempts')
      .notNullable()
      .defaultTo(0)
      .comment('How many times the run was claimed');
    table
      .timestamp('queued_at', { useTz: true })
      .notNullable()
      .comment('When the run was enqueued');
    table
      .timestamp('started_at', { useTz: true })
      .nullable()
      .comment('When execution started');
    table
      .timestamp('finished_at', { useTz: true })
      .nullable()
      .comment('When execution finished');
    table
      .integer('duration_ms')
      .nullable()
      .comment('finished_at - started_at in milliseconds');
    table
      .string('entity_sha256', 64)
      .nullable()
      .comment(
        'SHA-256 of the canonical JSON of the entity spec and metadata checked',
      );
    table
      .string('files_sha256', 64)
      .nullable()
      .comment('SHA-256 over the sorted path:sha256 list of the version files');
    table
      .string('config_sha256', 64)
      .nullable()
      .comment(
        'SHA-256 of the canonical JSON of modelHub.gauntlet config (policy)',
      );
    table
      .string('inputs_sha256', 64)
      .nullable()
      .comment(
        'SHA-256 over entity, files and config hashes and the check versions',
      );
    table
      .text('check_versions')
      .nullable()
      .comment('JSON object check id -> check version of the checks run');
    table.text('error').nullable().comment('Why the run failed, when it did');
    table.index(['status', 'id'], 'gauntlet_runs_status_idx');
    table.index(['entity_ref', 'version', 'tier'], 'gauntlet_runs_entity_idx');
  });

  await knex.schema.createTable('gauntlet_results', table => {
    table.comment('The result of one check in one gauntlet run');
    table.increments('id').primary().comment('Result id');
    table
      .integer('run_id')
      .unsigned()
      .notNullable()
      .references('id')
      .inTable('gauntlet_runs')
      .onDelete('CASCADE')
      .comment('The run the result belongs to');
    table
      .string('entity_ref', 255)
      .notNullable()
      .comment('Ref of the Model entity');
    table
      .string('version', 255)
      .notNullable()
      .comment('The model version checked');
    table
      .string('tier', 16)
      .notNullable()
      .comment('The tier the check decided on');
    table
      .string('check_id', 64)
      .notNullable()
      .comment('Id of the check, e.g. security');
    table
      .string('check_version', 32)
      .notNullable()
      .comment('Version of the check rules that produced the result');
    table
      .string('status', 16)
      .notNullable()
      .comment('pass, warn, fail, error or not-applicable');
    table.text('summary').notNullable().comment('One-line summary');
    table.text('reason').nullable().comment('Longer explanation');
    table
      .text('evidence')
      .notNullable()
      .comment('What the check looked at and found (JSON)');
    table
      .text('metrics')
      .nullable()
      .comment('Numeric results (JSON object), if any');
    table
      .string('config_sha256', 64)
      .notNullable()
      .comment('Config hash the check ran with');
    table
      .string('inputs_sha256', 64)
      .notNullable()
      .comment('Inputs hash of the run');
    table
      .timestamp('started_at', { useTz: true })
      .notNullable()
      .comment('When the check started');
    table
      .timestamp('finished_at', { useTz: true })
      .notNullable()
      .comment('When the check finished');
    table
      .integer('duration_ms')
      .notNullable()
      .comment('Check duration in milliseconds');
    table.index(
      ['entity_ref', 'version', 'tier', 'check_id'],
      'gauntlet_results_lookup_idx',
    );
  });

  await knex.schema.createTable('gauntlet_promotion_requests', table => {
    table.comment(
      'Requests by model owners to be granted a tier, and the governance decision',
    );
    table.increments('id').primary().comment('Request id');
    table
      .string('entity_ref', 255)
      .notNullable()
      .comment('Ref of the Model entity');
    table.string('tier', 16).notNullable().comment('The tier asked for');
    table
      .string('state', 16)
      .notNullable()
      .comment('pending, approved or rejected');
    table.text('comment').nullable().comment('Why the owner asks');
    table
      .string('requested_by', 255)
      .notNullable()
      .comment('Entity ref of the requester');
    table
      .timestamp('requested_at', { useTz: true })
      .notNullable()
      .comment('When it was requested');
    table
      .string('decided_by', 255)
      .nullable()
      .comment('Entity ref of the governance member who decided');
    table
      .timestamp('decided_at', { useTz: true })
      .nullable()
      .comment('When it was decided');
    table
      .text('decision_comment')
      .nullable()
      .comment('Why it was approved or rejected');
    table.index(['entity_ref', 'id'], 'gauntlet_promotion_requests_entity_idx');
  });

  await knex.schema.createTable('gauntlet_waivers', table => {
    table.comment(
      'Governance waivers: a failing check counts as accepted until expiry',
    );
    table.increments('id').primary().comment('Waiver id');
    table
      .string('entity_ref', 255)
      .notNullable()
      .comment('Ref of the Model entity');
    table.string('check_id', 64).notNullable().comment('The waived check');
    table
      .string('version', 255)
      .nullable()
      .comment(
        'The model version the waiver is limited to; null for every version',
      );
    table.text('reason').notNullable().comment('Why the check is waived');
    table
      .string('approved_by', 255)
      .notNullable()
      .comment('Entity ref of the governance member');
    table
      .timestamp('created_at', { useTz: true })
      .notNullable()
      .comment('When it was granted');
    table
      .timestamp('expires_at', { useTz: true })
      .notNullable()
      .comment('When it stops counting');
    table.index(['entity_ref', 'check_id'], 'gauntlet_waivers_entity_idx');
  });

  await knex.schema.createTable('gauntlet_tiers', table => {
    table.comment(
      'The last computed effective tier of each model, to detect and audit changes',
    );
    table
      .string('entity_ref', 255)
      .primary()
      .notNullable()
      .comment('Ref of the Model entity');
    table
      .string('requested_tier', 16)
      .notNullable()
      .comment('The tier the model asks for');
    table
      .string('effective_tier', 16)
      .nullable()
      .comment('The tier earned; null when none');
    table
      .string('version', 255)
      .nullable()
      .comment('The sealed version the tier was computed for');
    table.text('reason').notNullable().comment('Why the model has this tier');
    table
      .timestamp('updated_at', { useTz: true })
      .notNullable()
      .comment('When it last changed');
  });
};

/**
 * @param {import('knex').Knex} knex
 */
exports.down = async function down(knex) {
  await knex.schema.dropTable('gauntlet_tiers');
  await knex.schema.dropTable('gauntlet_waivers');
  await knex.schema.dropTable('gauntlet_promotion_requests');
  await knex.schema.dropTable('gauntlet_results');
  await knex.schema.dropTable('gauntlet_runs');
};
