// @ts-check

/**
 * Gauntlet run leases: a runner holds a run with a lease it renews by
 * heartbeat; a run whose lease expired (its runner died) is re-queued once
 * and recorded as retried, then failed on a second expiry.
 *
 * @param {import('knex').Knex} knex
 */
exports.up = async function up(knex) {
  await knex.schema.alterTable('gauntlet_runs', table => {
    table
      .string('lease_owner', 255)
      .nullable()
      .comment('Runner instance (host:pid) holding the run while it runs');
    table
      .timestamp('lease_expires_at', { useTz: true })
      .nullable()
      .comment(
        'Until when the lease holds; renewed by the heartbeat, expired means the runner died',
      );
    table
      .timestamp('retried_at', { useTz: true })
      .nullable()
      .comment('When an expired lease put the run back in the queue');
    table.index(['status', 'lease_expires_at'], 'gauntlet_runs_lease_idx');
  });
};

/**
 * @param {import('knex').Knex} knex
 */
exports.down = async function down(knex) {
  await knex.schema.alterTable('gauntlet_runs', table => {
    table.dropIndex(['status', 'lease_expires_at'], 'gauntlet_runs_lease_idx');
    table.dropColumn('retried_at');
    table.dropColumn('lease_expires_at');
    table.dropColumn('lease_owner');
  });
};
