import { Entity, stringifyEntityRef } from '@backstage/catalog-model';

/**
 * Similarity of models, for "a model like this already exists" hints while
 * someone registers a new one: shared name and title words (after simple
 * stemming, with trigram similarity for near-misses), shared tags and the
 * same task. Pure, so the front end and a backend rank alike.
 */

/** What is known about the model being registered. */
export interface SimilarModelQuery {
  /** The new model's `metadata.name`, e.g. `review-sentiment`. */
  name?: string;
  /** The new model's `metadata.title`. */
  title?: string;
  /** The new model's tags. */
  tags?: string[];
  /** The new model's `spec.task`. */
  task?: string;
}

/** One existing model that resembles the query, with why. */
export interface SimilarModelMatch {
  /** The existing model. */
  entity: Entity;
  /** Its entity ref, e.g. `model:default/sentiment-classifier`. */
  entityRef: string;
  /** 0..1, higher is more similar. */
  score: number;
  /** Stemmed name/title words both share (or nearly share). */
  sharedWords: string[];
  /** Tags of the existing model that the query has as a tag or a name word. */
  sharedTags: string[];
  /** Whether both declare the same `spec.task`. */
  sameTask: boolean;
}

/** Options of {@link findSimilarModels}. */
export interface FindSimilarModelsOptions {
  /** At most this many matches, best first (default 5). */
  limit?: number;
  /** Matches scoring below this are dropped (default 0.3). */
  minScore?: number;
}

const WEIGHT_NAME = 0.55;
const WEIGHT_TAGS = 0.25;
const WEIGHT_TASK = 0.2;
/** Name and tags alone must reach this, so a shared task is never enough. */
const MIN_CONTENT_SCORE = 0.15;
/** Two different words count as the same word from this trigram similarity. */
const MIN_TRIGRAM_SIMILARITY = 0.5;
/** Deprecated and archived models are still shown, but below live ones. */
const RETIRED_FACTOR = 0.8;

/** Words that say little about what a model does; they count for less. */
const GENERIC_WORDS = new Set(
  [
    'model',
    'classifier',
    'classification',
    'detector',
    'detection',
    'estimator',
    'predictor',
    'prediction',
    'regressor',
    'forecaster',
    'assistant',
    'base',
    'large',
    'small',
    'tiny',
    'llm',
    'ml',
    'ai',
    'new',
  ].map(stemWord),
);
const GENERIC_WEIGHT = 0.3;
const STOP_WORDS = new Set(['a', 'an', 'the', 'of', 'for', 'and', 'or', 'to']);

/**
 * Reduces an English word to a crude stem (`forecasting`, `forecaster` and
 * `forecasts` all become `forecast`), enough to match name words.
 */
export function stemWord(word: string): string {
  const w = word.toLocaleLowerCase('en-US');
  const rules: Array<[suffix: string, replacement: string, minLength: number]> =
    [
      ['ies', 'y', 5],
      ['ing', '', 6],
      ['ion', '', 6],
      ['ers', '', 6],
      ['er', '', 5],
      ['or', '', 6],
      ['ed', '', 5],
      ['es', '', 6],
      ['s', '', 4],
    ];
  for (const [suffix, replacement, minLength] of rules) {
    if (
      w.length >= minLength &&
      w.endsWith(suffix) &&
      !(suffix === 's' && w.endsWith('ss'))
    ) {
      return w.slice(0, w.length - suffix.length) + replacement;
    }
  }
  return w;
}

/**
 * Splits a name or title into stemmed words: `ReviewSentiment-v2` and
 * `review sentiment` both give `review`, `sentiment`. Version-like and
 * purely numeric parts and stop words are dropped.
 */
export function tokenizeModelName(text: string): string[] {
  const words = text
    .replace(/([a-z])([A-Z])/g, '$1 $2')
    .toLocaleLowerCase('en-US')
    .split(/[^a-z0-9]+/)
    .filter(w => w.length > 1)
    .filter(w => !/^v?\d+$/.test(w))
    .filter(w => !STOP_WORDS.has(w))
    .map(stemWord);
  return Array.from(new Set(words));
}

/**
 * The character trigrams of a word, padded as {@link trigramSimilarity}
 * compares them: two words with a similarity above 0 share one of these
 * (so an index of them finds every near-miss candidate).
 */
export function wordTrigrams(word: string): string[] {
  const padded = `  ${word} `;
  const grams: string[] = [];
  for (let i = 0; i + 3 <= padded.length; i++) {
    grams.push(padded.slice(i, i + 3));
  }
  return grams;
}

/** Dice coefficient of the character trigrams of two words, 0..1. */
export function trigramSimilarity(a: string, b: string): number {
  if (a === b) return 1;
  const ga = wordTrigrams(a);
  const gb = new Map<string, number>();
  for (const g of wordTrigrams(b)) gb.set(g, (gb.get(g) ?? 0) + 1);
  let shared = 0;
  for (const g of ga) {
    const count = gb.get(g) ?? 0;
    if (count > 0) {
      shared++;
      gb.set(g, count - 1);
    }
  }
  return (2 * shared) / (ga.length + wordTrigrams(b).length);
}

/** How much a stemmed name word counts: generic words (`model`, `classifier`) count less. */
export const similarityWeightOf = (word: string) =>
  GENERIC_WORDS.has(word) ? GENERIC_WEIGHT : 1;
const weightOf = similarityWeightOf;

/** Weighted Dice similarity of two word sets, with near-miss words counted by trigram similarity. */
function wordSimilarity(
  query: string[],
  candidate: string[],
): { score: number; shared: string[] } {
  if (query.length === 0 || candidate.length === 0) {
    return { score: 0, shared: [] };
  }
  let matched = 0;
  const shared: string[] = [];
  for (const q of query) {
    let best = 0;
    let bestWord = '';
    for (const c of candidate) {
      const similarity = trigramSimilarity(q, c);
      if (similarity > best) {
        best = similarity;
        bestWord = c;
      }
    }
    if (best >= MIN_TRIGRAM_SIMILARITY) {
      // Both sides of the pair count, so a match contributes twice (Dice).
      matched += best * (weightOf(q) + weightOf(bestWord));
      shared.push(bestWord);
    }
  }
  const total =
    query.reduce((sum, w) => sum + weightOf(w), 0) +
    candidate.reduce((sum, w) => sum + weightOf(w), 0);
  return { score: Math.min(1, matched / total), shared };
}

function stringArray(value: unknown): string[] {
  return Array.isArray(value)
    ? value.filter((v): v is string => typeof v === 'string')
    : [];
}

/**
 * Ranks existing models by how much they resemble a model being registered:
 * 55% shared name/title words, 25% shared tags (a query name word equal to
 * a tag counts too), 20% the same task. A shared task alone is never a match.
 * The entity with exactly the query's name is kept (score 1 on words): it is
 * the strongest hint there is.
 */
export function findSimilarModels(
  query: SimilarModelQuery,
  candidates: Entity[],
  options: FindSimilarModelsOptions = {},
): SimilarModelMatch[] {
  const limit = options.limit ?? 5;
  const minScore = options.minScore ?? 0.3;
  const queryWords = tokenizeModelName(
    [query.name ?? '', query.title ?? ''].join(' '),
  );
  const queryTags = new Set(
    stringArray(query.tags).map(t => stemWord(t.trim())),
  );
  const queryKeywords = new Set([...queryTags, ...queryWords]);

  const matches: SimilarModelMatch[] = [];
  for (const entity of candidates) {
    const spec = (entity.spec ?? {}) as Record<string, unknown>;
    const candidateWords = tokenizeModelName(
      [entity.metadata.name, entity.metadata.title ?? ''].join(' '),
    );
    const words = wordSimilarity(queryWords, candidateWords);
    const candidateTags = stringArray(entity.metadata.tags);
    const sharedTags = candidateTags.filter(tag =>
      queryKeywords.has(stemWord(tag)),
    );
    const tagScore =
      sharedTags.length === 0
        ? 0
        : sharedTags.length /
          Math.max(1, Math.min(candidateTags.length, queryKeywords.size));
    const sameTask =
      typeof query.task === 'string' &&
      query.task !== '' &&
      spec.task === query.task;

    const content = WEIGHT_NAME * words.score + WEIGHT_TAGS * tagScore;
    if (content < MIN_CONTENT_SCORE) continue;
    let score = content + (sameTask ? WEIGHT_TASK : 0);
    if (spec.lifecycle === 'deprecated' || spec.lifecycle === 'archived') {
      score *= RETIRED_FACTOR;
    }
    if (score < minScore) continue;
    matches.push({
      entity,
      entityRef: stringifyEntityRef(entity),
      score: Math.round(score * 1000) / 1000,
      sharedWords: Array.from(new Set(words.shared)),
      sharedTags,
      sameTask,
    });
  }
  return matches
    .sort((a, b) => b.score - a.score || a.entityRef.localeCompare(b.entityRef))
    .slice(0, limit);
}
