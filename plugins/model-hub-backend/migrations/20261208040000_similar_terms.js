// @ts-check

/**
 * The similar-models term index (issue #18): one row per indexed Model with
 * the hash of its indexed content and the projection the exact ranking
 * reads, and its weighted terms (name/title word trigrams, keywords, task,
 * description words, framework, base model). Similar-model and
 * duplicate-effort queries score candidates by shared terms in one
 * statement instead of reading every model.
 *
 * @param {import('knex').Knex} knex
 */
exports.up = async function up(knex) {
  await knex.schema.createTable('model_hub_similar_models', table => {
    table.comment('Models in the similar-models index, one row each');
    table
      .string('entity_ref', 255)
      .primary()
      .comment('Ref of the Model entity (lower case)');
    table
      .string('content_hash', 64)
      .notNullable()
      .comment('SHA-256 of the indexed projection; unchanged means no rewrite');
    table
      .string('task', 255)
      .nullable()
      .comment('spec.task, for same-task (duplicate effort) pairs');
    table
      .text('document')
      .notNullable()
      .comment('JSON projection of the entity that the exact ranking reads');
    table
      .timestamp('indexed_at', { useTz: true })
      .notNullable()
      .comment('When this row was last written');
  });
  await knex.schema.createTable('model_hub_similar_terms', table => {
    table.comment('Weighted terms of the indexed models');
    table
      .string('entity_ref', 255)
      .notNullable()
      .references('entity_ref')
      .inTable('model_hub_similar_models')
      .onDelete('CASCADE')
      .comment('The model the term belongs to');
    table
      .string('term', 255)
      .notNullable()
      .comment(
        'Prefixed term: g: trigram, k: keyword, t: task, d: word, f: framework, b: base model',
      );
    table
      .string('word', 255)
      .notNullable()
      .defaultTo('')
      .comment('For a trigram: the stemmed word it is from; empty otherwise');
    table
      .integer('n')
      .notNullable()
      .defaultTo(1)
      .comment('For a trigram: how often it occurs in the word');
    table
      .integer('grams')
      .notNullable()
      .defaultTo(0)
      .comment(
        'For a trigram: how many trigrams the word has (Dice denominator)',
      );
    table
      .float('weight')
      .notNullable()
      .comment(
        'How much sharing this (non-trigram) term counts in candidate ordering',
      );
    table
      .string('task', 255)
      .nullable()
      .comment('The model task (copied), so same-task pairs join on one index');
    table.primary(['entity_ref', 'word', 'term']);
    table.index(['term', 'task'], 'model_hub_similar_terms_term_idx');
  });
};

/** @param {import('knex').Knex} knex */
exports.down = async function down(knex) {
  await knex.schema.dropTable('model_hub_similar_terms');
  await knex.schema.dropTable('model_hub_similar_models');
};
