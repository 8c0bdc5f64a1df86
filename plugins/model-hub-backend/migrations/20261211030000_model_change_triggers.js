// @ts-check

/**
 * Model change events written by the database itself: every insert, update
 * or delete of a row the versions GET, the gauntlet GET or the effective
 * tier reads appends the model's ref to `gauntlet_tier_events`, inside the
 * writing transaction. The per-replica read caches (src/database/
 * ModelChangeFeed.ts) drop a model's entries on its events, so no writer, of
 * today or tomorrow, can forget to invalidate them: publishing, sealing,
 * draft clean-up, aliases, deletions, rescans, imports, gauntlet runs and
 * their leases, promotions, waivers and approvals all write these tables.
 */

/** Tables with an `entity_ref` column whose rows the cached reads return. */
const TABLES = [
  'model_versions',
  'model_aliases',
  'gauntlet_runs',
  'gauntlet_results',
  'gauntlet_promotion_requests',
  'gauntlet_waivers',
  'gauntlet_approvals',
];
/** Files name their model through their version. */
const FILES = 'model_version_files';
/** @type {Array<'insert' | 'update' | 'delete'>} */
const OPS = ['insert', 'update', 'delete'];

/** @param {import('knex').Knex} knex */
function dialectOf(knex) {
  const client = String(knex.client.config.client);
  if (client === 'pg') return 'pg';
  if (client.includes('sqlite')) return 'sqlite';
  throw new Error(
    `Model Hub's change events need PostgreSQL or SQLite, not ${client}; use one of those as the plugin database`,
  );
}

/** SQLite: milliseconds since the epoch, as knex stores dates there. */
const SQLITE_NOW = "CAST((julianday('now') - 2440587.5) * 86400000 AS INTEGER)";

/** @param {import('knex').Knex} knex */
exports.up = async function up(knex) {
  await knex.schema.alterTable('gauntlet_tier_events', table => {
    table.comment(
      'Models whose cached reads (versions, gauntlet state, effective tier) changed; written by triggers, read by the caches of all replicas',
    );
  });
  if (dialectOf(knex) === 'pg') {
    await knex.raw(`
      CREATE FUNCTION model_hub_model_changed() RETURNS trigger AS $$
      BEGIN
        IF TG_OP <> 'INSERT' THEN
          INSERT INTO gauntlet_tier_events (entity_ref, created_at)
            VALUES (lower(OLD.entity_ref), now());
        END IF;
        IF TG_OP <> 'DELETE' AND (TG_OP = 'INSERT' OR NEW.entity_ref IS DISTINCT FROM OLD.entity_ref) THEN
          INSERT INTO gauntlet_tier_events (entity_ref, created_at)
            VALUES (lower(NEW.entity_ref), now());
        END IF;
        RETURN NULL;
      END $$ LANGUAGE plpgsql`);
    await knex.raw(`
      CREATE FUNCTION model_hub_model_file_changed() RETURNS trigger AS $$
      BEGIN
        INSERT INTO gauntlet_tier_events (entity_ref, created_at)
          SELECT lower(v.entity_ref), now() FROM model_versions v
          WHERE v.id = CASE WHEN TG_OP = 'DELETE' THEN OLD.version_id ELSE NEW.version_id END
             OR (TG_OP = 'UPDATE' AND v.id = OLD.version_id);
        RETURN NULL;
      END $$ LANGUAGE plpgsql`);
    for (const table of [...TABLES, FILES]) {
      const fn =
        table === FILES
          ? 'model_hub_model_file_changed'
          : 'model_hub_model_changed';
      await knex.raw(
        `CREATE TRIGGER ${table}_model_changed AFTER INSERT OR UPDATE OR DELETE ON ${table} FOR EACH ROW EXECUTE FUNCTION ${fn}()`,
      );
    }
    return;
  }
  for (const table of [...TABLES, FILES]) {
    for (const op of OPS) {
      const rows = { insert: ['NEW'], update: ['OLD', 'NEW'], delete: ['OLD'] }[
        op
      ];
      const inserts = rows.map(row =>
        table === FILES
          ? `INSERT INTO gauntlet_tier_events (entity_ref, created_at) SELECT lower(entity_ref), ${SQLITE_NOW} FROM model_versions WHERE id = ${row}.version_id;`
          : `INSERT INTO gauntlet_tier_events (entity_ref, created_at) VALUES (lower(${row}.entity_ref), ${SQLITE_NOW});`,
      );
      await knex.raw(
        `CREATE TRIGGER ${table}_model_changed_${op} AFTER ${op.toUpperCase()} ON ${table} FOR EACH ROW BEGIN ${inserts.join(
          ' ',
        )} END`,
      );
    }
  }
};

/** @param {import('knex').Knex} knex */
exports.down = async function down(knex) {
  if (dialectOf(knex) === 'pg') {
    for (const table of [...TABLES, FILES]) {
      await knex.raw(`DROP TRIGGER ${table}_model_changed ON ${table}`);
    }
    await knex.raw('DROP FUNCTION model_hub_model_changed()');
    await knex.raw('DROP FUNCTION model_hub_model_file_changed()');
    return;
  }
  for (const table of [...TABLES, FILES]) {
    for (const op of OPS) {
      await knex.raw(`DROP TRIGGER ${table}_model_changed_${op}`);
    }
  }
};
