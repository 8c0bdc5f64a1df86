import { DatabaseService } from '@backstage/backend-plugin-api';
import { Entity } from '@backstage/catalog-model';
import { Knex } from 'knex';
import { migrateModelHub } from '../database/migrate';
import {
  contentHashOf,
  QueryTerms,
  similarDocumentOf,
  similarRefOf,
  termRowsOf,
} from './terms';

const MODELS = 'model_hub_similar_models';
const TERMS = 'model_hub_similar_terms';
/** Rows per insert statement (SQLite allows 32,766 bound values; 8 each). */
const INSERT_CHUNK = 500;
/** Refs per `in (…)` list. */
const REF_CHUNK = 1000;
/**
 * Partners kept per model for the duplicate-effort report: without a bound
 * the same-task pairs of near-identical generated names grow with the
 * square of the portfolio (135,000 pairs for 2,000 models).
 */
export const DEFAULT_MAX_PARTNERS = 25;

/** An indexed model: its ref and the projection the exact ranking reads. */
export interface IndexedModel {
  entityRef: string;
  document: Entity;
}

/** A candidate of a query, with its term score (for ordering only). */
export interface ScoredCandidate extends IndexedModel {
  /** The database's score, for ordering candidates only. */
  termScore: number;
}

/** What one {@link SimilarIndexStore.sync} changed. */
export interface SyncResult {
  /** Models (re)written because their content hash changed or they are new. */
  written: number;
  /** Models removed because the catalog no longer has them. */
  removed: number;
  /** Models left alone (same hash). */
  unchanged: number;
}

/** min(t.n, q.n), portable: Dice counts a shared trigram as often as both words have it. */
const MIN_N = 'case when t.n < q.n then t.n else q.n end';

function chunks<T>(items: T[], size: number): T[][] {
  const out: T[][] = [];
  for (let i = 0; i < items.length; i += size) {
    out.push(items.slice(i, i + size));
  }
  return out;
}

/**
 * The similar-models term index (tables `model_hub_similar_models` and
 * `model_hub_similar_terms`). {@link SimilarIndexStore.sync} rewrites only
 * the models whose content hash changed; {@link SimilarIndexStore.candidates}
 * and {@link SimilarIndexStore.sameTaskPairs} each answer in one statement,
 * whatever the number of models.
 */
export class SimilarIndexStore {
  readonly #db: Knex;

  /** Connects to the plugin database and runs the migrations (unless skipped). */
  static async create(options: {
    database: DatabaseService;
  }): Promise<SimilarIndexStore> {
    const client = await options.database.getClient();
    if (!options.database.migrations?.skip) {
      await migrateModelHub(client);
    }
    return new SimilarIndexStore(client);
  }

  private constructor(db: Knex) {
    this.#db = db;
  }

  /**
   * Makes the index hold exactly `entities` (the catalog's models): new and
   * changed models are (re)written with their terms, models gone from the
   * catalog are removed, the rest is not touched. Safe when two replicas
   * sync at once (writes are idempotent upserts).
   */
  async sync(entities: readonly Entity[], now: Date): Promise<SyncResult> {
    const stored = new Map<string, string>(
      (
        await this.#db(MODELS).select<
          Array<{ entity_ref: string; content_hash: string }>
        >('entity_ref', 'content_hash')
      ).map(r => [r.entity_ref, r.content_hash]),
    );
    const seen = new Set<string>();
    const changed: Array<{ ref: string; document: Entity; hash: string }> = [];
    for (const entity of entities) {
      const ref = similarRefOf(entity);
      if (seen.has(ref)) continue;
      seen.add(ref);
      const document = similarDocumentOf(entity);
      const hash = contentHashOf(document);
      if (stored.get(ref) !== hash) changed.push({ ref, document, hash });
    }
    const gone = [...stored.keys()].filter(ref => !seen.has(ref));
    for (const batch of chunks(changed, INSERT_CHUNK)) {
      await this.#db.transaction(async tx => {
        const refs = batch.map(c => c.ref);
        await tx(TERMS).whereIn('entity_ref', refs).delete();
        await tx(MODELS)
          .insert(
            batch.map(c => ({
              entity_ref: c.ref,
              content_hash: c.hash,
              task: (c.document.spec?.task as string | undefined) ?? null,
              document: JSON.stringify(c.document),
              indexed_at: now,
            })),
          )
          .onConflict('entity_ref')
          .merge(['content_hash', 'task', 'document', 'indexed_at']);
        const rows = batch.flatMap(c =>
          termRowsOf(c.document).map(row => ({
            entity_ref: c.ref,
            ...row,
            task: (c.document.spec?.task as string | undefined) ?? null,
          })),
        );
        for (const part of chunks(rows, INSERT_CHUNK)) {
          await tx(TERMS)
            .insert(part)
            .onConflict(['entity_ref', 'word', 'term'])
            .merge(['n', 'grams', 'weight', 'task']);
        }
      });
    }
    for (const batch of chunks(gone, REF_CHUNK)) {
      await this.#db.transaction(async tx => {
        await tx(TERMS).whereIn('entity_ref', batch).delete();
        await tx(MODELS).whereIn('entity_ref', batch).delete();
      });
    }
    return {
      written: changed.length,
      removed: gone.length,
      unchanged: seen.size - changed.length,
    };
  }

  /** Whether nothing has been indexed yet (a fresh database). */
  async isEmpty(): Promise<boolean> {
    const row = await this.#db(MODELS).first('entity_ref');
    return !row;
  }

  /** One indexed model, or undefined. */
  async get(entityRef: string): Promise<IndexedModel | undefined> {
    const row = await this.#db(MODELS)
      .where('entity_ref', entityRef.toLocaleLowerCase('en-US'))
      .first('entity_ref', 'document');
    return row
      ? { entityRef: row.entity_ref, document: JSON.parse(row.document) }
      : undefined;
  }

  /**
   * The `limit` models most like a query, best first, in one statement:
   * models with a name/title word whose trigram Dice coefficient with a
   * query word is at least 0.5 (the ranking's own test for alike words), or
   * sharing a keyword; ordered by the summed coefficients and the weights of
   * the other shared terms (task, description words, framework, base model).
   */
  async candidates(
    query: QueryTerms,
    limit: number,
  ): Promise<ScoredCandidate[]> {
    if (query.grams.length === 0 && query.others.length === 0) return [];
    const db = this.#db;
    const branches: string[] = [];
    const bindings: Array<string | number> = [];
    if (query.grams.length > 0) {
      const values = query.grams
        .map(
          () =>
            'select cast(? as varchar(255)) as word, cast(? as varchar(255)) as term, cast(? as integer) as n, cast(? as integer) as grams',
        )
        .join(' union all ');
      bindings.push(
        ...query.grams.flatMap(g => [g.word, g.term, g.n, g.grams]),
      );
      branches.push(
        `select t.entity_ref, (2.0 * sum(${MIN_N})) / (t.grams + q.grams) as score, 1 as content
         from ${TERMS} t join (${values}) q on t.term = q.term
         group by t.entity_ref, t.word, q.word, t.grams, q.grams
         having 4 * sum(${MIN_N}) >= t.grams + q.grams`,
      );
    }
    if (query.others.length > 0) {
      branches.push(
        `select t.entity_ref, t.weight as score,
           case when t.term like 'k:%' then 1 else 0 end as content
         from ${TERMS} t where t.term in (${query.others
          .map(() => '?')
          .join(', ')})`,
      );
      bindings.push(...query.others);
    }
    const { rows } = normalize(
      await db.raw(
        `select m.entity_ref, m.document, s.score from (
           select w.entity_ref, sum(w.score) as score, max(w.content) as content
           from (${branches.join(' union all ')}) w
           group by w.entity_ref
         ) s join ${MODELS} m on m.entity_ref = s.entity_ref
         where s.content = 1
         order by s.score desc, m.entity_ref asc
         limit ?`,
        [...bindings, limit],
      ),
    );
    return rows.map(r => ({
      entityRef: r.entity_ref as string,
      document: JSON.parse(r.document as string),
      termScore: Number(r.score),
    }));
  }

  /**
   * Pairs of models of the same task with alike name/title words (the
   * ranking's trigram test) or a shared keyword, as refs, in one statement:
   * the pairs the exact ranking can find alike, so the caller confirms them
   * without reading any other model. Bounded: each model (the pair's
   * smaller ref) keeps at most `maxPartners` partners, the first by ref, so
   * the answer grows linearly with the portfolio even when thousands of
   * generated names share their words; grouping is transitive, so a group
   * stays whole as long as its members link through kept pairs.
   */
  async sameTaskPairs(
    options: { maxPartners?: number } = {},
  ): Promise<Array<{ a: string; b: string }>> {
    const maxPartners = options.maxPartners ?? DEFAULT_MAX_PARTNERS;
    const pairJoin = `from ${TERMS} a join ${TERMS} b
      on a.term = b.term and a.task = b.task and a.entity_ref < b.entity_ref
      where a.task is not null`;
    const { rows } = normalize(
      await this.#db.raw(
        `select r.a_ref, r.b_ref from (
           select p.a_ref, p.b_ref,
                  row_number() over (partition by p.a_ref order by p.b_ref) as partner_no
           from (
             select a.entity_ref as a_ref, b.entity_ref as b_ref ${pairJoin}
               and a.term like 'g:%'
               group by a.entity_ref, b.entity_ref, a.word, b.word, a.grams, b.grams
               having 4 * sum(case when a.n < b.n then a.n else b.n end) >= a.grams + b.grams
             union
             select a.entity_ref as a_ref, b.entity_ref as b_ref ${pairJoin}
               and a.term like 'k:%'
           ) p
         ) r
         where r.partner_no <= ?
         order by r.a_ref, r.b_ref`,
        [maxPartners],
      ),
    );
    return rows.map(r => ({ a: r.a_ref as string, b: r.b_ref as string }));
  }

  /** The indexed documents of `refs` (lower case), 1,000 refs per query. */
  async documents(refs: readonly string[]): Promise<Map<string, Entity>> {
    const out = new Map<string, Entity>();
    for (const chunk of chunks([...refs], REF_CHUNK)) {
      const rows = await this.#db(MODELS)
        .whereIn('entity_ref', chunk)
        .select('entity_ref', 'document');
      for (const row of rows) {
        out.set(row.entity_ref, JSON.parse(row.document));
      }
    }
    return out;
  }
}

/** `knex.raw` answers rows on SQLite and `{ rows }` on PostgreSQL. */
function normalize(result: unknown): { rows: Array<Record<string, unknown>> } {
  if (Array.isArray(result)) return { rows: result };
  return { rows: (result as { rows: Array<Record<string, unknown>> }).rows };
}
