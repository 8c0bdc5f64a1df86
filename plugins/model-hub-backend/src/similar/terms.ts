import { createHash } from 'node:crypto';
import { Entity, stringifyEntityRef } from '@backstage/catalog-model';
import { JsonObject } from '@backstage/types';
import {
  SimilarModelQuery,
  stemWord,
  tokenizeModelName,
  wordTrigrams,
} from '@internal/plugin-model-hub-common';

/**
 * Terms of the similar-models index. A term is prefixed by what it is:
 * - `g:` a character trigram of a stemmed name/title word, with the word,
 *   how often it occurs in it and the word's trigram count. The exact
 *   ranking (`findSimilarModels`) counts two words alike when the Dice
 *   coefficient of their trigrams is at least 0.5; with these columns the
 *   database applies that very test, so it finds exactly the word matches;
 * - `k:` a keyword: a stemmed tag or name word (the ranking matches a
 *   model's tags against the query's tags and name words);
 * - `t:` the task (scored, never enough on its own, as in the ranking);
 * - `d:` a description word, `f:` the framework, `b:` the base model: they
 *   order candidates that tie on the above, and never make a match.
 */

/** A row of `model_hub_similar_terms` (without the model's ref and task). */
export interface TermRow {
  term: string;
  /** For `g:` terms: the stemmed word; empty otherwise. */
  word: string;
  /** For `g:` terms: occurrences of the trigram in the word. */
  n: number;
  /** For `g:` terms: trigrams in the word. */
  grams: number;
  /** For other terms: how much sharing it counts when candidates are ordered. */
  weight: number;
}

/** What a query looks up: its word trigrams and its other terms. */
export interface QueryTerms {
  grams: TermRow[];
  /** `k:`, `t:`, `d:`, `f:` and `b:` terms. */
  others: string[];
}

/** Ordering weights of the non-trigram terms (a word match counts its Dice coefficient, up to 1). */
const WEIGHTS = { k: 0.5, t: 0.4, d: 0.02, f: 0.05, b: 0.1 } as const;
/** Longest term or word kept (the columns hold 255 characters). */
const MAX_TERM = 200;

const lower = (v: string) => v.toLocaleLowerCase('en-US');

function strings(value: unknown): string[] {
  return Array.isArray(value)
    ? value.filter((v): v is string => typeof v === 'string')
    : [];
}

function text(value: unknown): string | undefined {
  return typeof value === 'string' && value.trim() !== '' ? value : undefined;
}

/** The lower-cased ref of a model entity. */
export function similarRefOf(entity: Entity): string {
  return lower(stringifyEntityRef(entity));
}

/**
 * What the index keeps of a model: the fields the exact ranking, the
 * duplicate-effort report (owner) and the terms read, nothing else.
 */
export function similarDocumentOf(entity: Entity): Entity {
  const spec = entity.spec ?? {};
  const keep = ['type', 'task', 'lifecycle', 'owner', 'tier', 'framework'];
  const projected: JsonObject = {};
  for (const key of keep) {
    if (spec[key] !== undefined) projected[key] = spec[key];
  }
  const base = spec.baseModel as { ref?: unknown } | undefined;
  if (typeof base?.ref === 'string') projected.baseModel = { ref: base.ref };
  const { name, namespace, title, description, tags } = entity.metadata;
  return {
    apiVersion: entity.apiVersion,
    kind: entity.kind,
    metadata: {
      name,
      namespace: namespace ?? 'default',
      ...(title ? { title } : {}),
      ...(description ? { description } : {}),
      ...(tags?.length ? { tags: strings(tags) } : {}),
    },
    spec: projected,
    relations: (entity.relations ?? [])
      .filter(r => r.type === 'ownedBy')
      .map(r => ({ type: r.type, targetRef: r.targetRef })),
  };
}

/** SHA-256 of a projection: an unchanged hash means nothing to re-index. */
export function contentHashOf(document: Entity): string {
  return createHash('sha256').update(JSON.stringify(document)).digest('hex');
}

/** The query a model makes when its own neighbours are asked for. */
export function queryOfDocument(document: Entity) {
  const spec = (document.spec ?? {}) as Record<string, unknown>;
  return {
    name: document.metadata.name,
    title: document.metadata.title,
    tags: strings(document.metadata.tags),
    task: text(spec.task),
    description: document.metadata.description,
    framework: text(spec.framework),
    baseModel: text((spec.baseModel as { ref?: unknown } | undefined)?.ref),
  };
}

/** A query: what someone registers, or an indexed model's own fields. */
export type SimilarTermsQuery = SimilarModelQuery & {
  description?: string;
  framework?: string;
  baseModel?: string;
};

/** The trigram rows and other terms of a query or model. */
function termsOf(query: SimilarTermsQuery): {
  grams: TermRow[];
  others: Map<string, number>;
} {
  const words = tokenizeModelName(
    [query.name ?? '', query.title ?? ''].join(' '),
  ).filter(w => w.length <= MAX_TERM);
  const grams: TermRow[] = [];
  for (const word of words) {
    const all = wordTrigrams(word);
    const counts = new Map<string, number>();
    for (const g of all) counts.set(g, (counts.get(g) ?? 0) + 1);
    for (const [g, n] of counts) {
      grams.push({ term: `g:${g}`, word, n, grams: all.length, weight: 0 });
    }
  }
  const others = new Map<string, number>();
  const add = (prefix: keyof typeof WEIGHTS, value: string) => {
    if (value.length <= MAX_TERM)
      others.set(`${prefix}:${value}`, WEIGHTS[prefix]);
  };
  for (const word of words) add('k', word);
  for (const tag of strings(query.tags)) add('k', stemWord(tag.trim()));
  if (query.task) add('t', query.task);
  for (const word of tokenizeModelName(query.description ?? '')) add('d', word);
  if (query.framework) add('f', lower(query.framework));
  if (query.baseModel) add('b', lower(query.baseModel));
  return { grams, others };
}

/** The rows an indexed model (its projection) writes. */
export function termRowsOf(document: Entity): TermRow[] {
  const { grams, others } = termsOf(queryOfDocument(document));
  return [
    ...grams,
    ...[...others].map(([term, weight]) => ({
      term,
      word: '',
      n: 1,
      grams: 0,
      weight,
    })),
  ];
}

/** What a query looks up. */
export function queryTermsOf(query: SimilarTermsQuery): QueryTerms {
  const { grams, others } = termsOf(query);
  return { grams, others: [...others.keys()] };
}
