// @ts-check

/**
 * Personal access tokens issued by the hub. Only a keyed hash of each
 * token's secret is stored; the token itself is shown once at creation.
 *
 * @param {import('knex').Knex} knex
 */
exports.up = async function up(knex) {
  await knex.schema.createTable('model_hub_access_tokens', table => {
    table.comment('Personal access tokens of users (hashed secrets only)');
    table
      .string('id', 32)
      .primary()
      .notNullable()
      .comment('Public token id, also embedded in the token string');
    table
      .string('owner', 255)
      .notNullable()
      .index()
      .comment('Entity ref of the user the token acts as');
    table
      .string('name', 255)
      .notNullable()
      .comment('Name the owner gave the token');
    table
      .text('scopes')
      .notNullable()
      .comment('JSON array of scopes: read, publish, admin');
    table
      .string('secret_hash', 128)
      .notNullable()
      .comment('Hex HMAC-SHA256 of the secret, keyed with the pepper');
    table
      .timestamp('created_at', { useTz: true })
      .notNullable()
      .comment('When the token was created');
    table
      .timestamp('expires_at', { useTz: true })
      .notNullable()
      .comment('When the token stops working');
    table
      .timestamp('revoked_at', { useTz: true })
      .nullable()
      .comment('When the token was revoked, if it was');
    table
      .string('revoked_by', 255)
      .nullable()
      .comment('Entity ref of whoever revoked the token');
    table
      .timestamp('last_used_at', { useTz: true })
      .nullable()
      .comment('Last use, recorded at most about once a minute');
  });
};

/** @param {import('knex').Knex} knex */
exports.down = async function down(knex) {
  await knex.schema.dropTable('model_hub_access_tokens');
};
