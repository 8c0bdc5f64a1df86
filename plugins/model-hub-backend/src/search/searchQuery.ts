import {
  EntityFilterQuery,
  QueryEntitiesInitialRequest,
} from '@backstage/catalog-client';
import { InputError } from '@backstage/errors';
import {
  MODEL_LIFECYCLES,
  MODEL_SEARCH_FACETS,
  MODEL_TASKS,
  MODEL_TIERS,
  MODEL_SEARCH_SORTS,
  ModelSearchFacet,
  ModelSearchSort,
} from '@internal/plugin-model-hub-common';
import { z } from 'zod';

/** Largest page of `GET /v1/models`. */
export const MAX_SEARCH_LIMIT = 100;
/** Default page of `GET /v1/models`. */
export const DEFAULT_SEARCH_LIMIT = 25;

/** A catalog filter predicate (as the catalog client types it). */
export type FilterPredicate = NonNullable<QueryEntitiesInitialRequest['query']>;

const FACETS = Object.keys(MODEL_SEARCH_FACETS) as ModelSearchFacet[];
const SORTS = Object.keys(MODEL_SEARCH_SORTS) as ModelSearchSort[];

/**
 * Sort columns every Model has (required by the schema). The catalog drops
 * entities without the sort field, so the others are sorted in two phases:
 * the models with a value, then the models without one (by name).
 */
const ALWAYS_PRESENT = new Set<ModelSearchSort>([
  'name',
  'task',
  'owner',
  'lifecycle',
  'license',
]);

const values = z
  .union([z.string(), z.array(z.string())])
  .transform(v => (Array.isArray(v) ? v : [v]))
  .pipe(z.array(z.string().trim().min(1).max(255)).max(20));

/**
 * Facets whose values the Model schema enumerates: any other value can
 * match nothing, so it is a mistake to report (the catalog compares
 * case-insensitively, and so does this check).
 */
const ENUMERATED: Partial<Record<ModelSearchFacet, readonly string[]>> = {
  tier: MODEL_TIERS,
  lifecycle: MODEL_LIFECYCLES,
  task: MODEL_TASKS,
};

/** The values of one facet, checked against its enumeration when it has one. */
function facetValues(facet: ModelSearchFacet) {
  const allowed = ENUMERATED[facet];
  if (!allowed) return values;
  const known = new Set(allowed.map(v => v.toLocaleLowerCase('en-US')));
  return values.superRefine((list, ctx) => {
    const unknown = list.find(v => !known.has(v.toLocaleLowerCase('en-US')));
    if (unknown !== undefined) {
      ctx.addIssue({
        code: z.ZodIssueCode.custom,
        message: `unknown ${facet} '${unknown}'; one of ${allowed.join(', ')}`,
      });
    }
  });
}

/** The parsed search: filters, text, sort and page size. */
export interface SearchParams {
  q?: string;
  filters: Partial<Record<ModelSearchFacet, string[]>>;
  sort: ModelSearchSort;
  order: 'asc' | 'desc';
  archived: boolean;
  limit: number;
}

const searchSchema = z
  .object({
    q: z.string().trim().max(200).optional(),
    sort: z
      .string()
      .regex(
        new RegExp(`^-?(${SORTS.join('|')})$`),
        `sort must be one of ${SORTS.join(', ')} (prefix - for descending)`,
      )
      .optional(),
    archived: z.enum(['true', 'false']).optional(),
    limit: z.coerce.number().int().min(1).max(MAX_SEARCH_LIMIT).optional(),
    ...Object.fromEntries(FACETS.map(f => [f, facetValues(f).optional()])),
  })
  .strict();

/** Parses the query string of `GET /v1/models`; one-line InputError when invalid. */
export function parseSearchParams(query: unknown): SearchParams {
  const parsed = searchSchema.safeParse(query);
  if (!parsed.success) {
    const issue = parsed.error.issues[0];
    const where = issue.path.join('.') || 'query';
    throw new InputError(
      `Invalid model search: ${where}: ${issue.message} (filters: ${FACETS.join(
        ', ',
      )}; also q, sort, archived, limit, cursor)`,
    );
  }
  const p = parsed.data as Record<string, any>;
  const sortRaw: string = p.sort ?? 'name';
  const filters: SearchParams['filters'] = {};
  for (const f of FACETS) {
    if (p[f]?.length) filters[f] = p[f];
  }
  return {
    q: p.q || undefined,
    filters,
    sort: sortRaw.replace(/^-/, '') as ModelSearchSort,
    order: sortRaw.startsWith('-') ? 'desc' : 'asc',
    archived: p.archived === 'true',
    limit: p.limit ?? DEFAULT_SEARCH_LIMIT,
  };
}

/** The cache key of a filter's total and facet counts (page-independent). */
export function summaryKey(params: SearchParams) {
  const { q, filters, archived } = params;
  return { q, filters, archived };
}

/** Whether the sort column can be missing on a model (sorted in two phases). */
export function sortIsOptional(sort: ModelSearchSort): boolean {
  return !ALWAYS_PRESENT.has(sort);
}

/**
 * The catalog predicate of a search: kind Model, the chosen values of every
 * facet except `without` (for that facet's own counts), no archived models
 * unless asked for or a lifecycle is chosen.
 */
export function searchPredicate(
  params: SearchParams,
  without?: ModelSearchFacet,
): FilterPredicate {
  const all: FilterPredicate[] = [{ kind: 'model' }];
  for (const [facet, chosen] of Object.entries(params.filters)) {
    if (facet === without || !chosen?.length) continue;
    const field = MODEL_SEARCH_FACETS[facet as ModelSearchFacet];
    all.push({ [field]: { $in: chosen } } as FilterPredicate);
  }
  if (!params.archived && !params.filters.lifecycle?.length) {
    all.push({ $not: { 'spec.lifecycle': 'archived' } } as FilterPredicate);
  }
  return { $all: all };
}

/**
 * A value the catalog's `filter` form carries unchanged: that form joins a
 * filter's statements with commas and trims each, so a value holding a
 * comma (or, for safety, any control character) is sent as a predicate.
 */
const FILTER_SAFE_VALUE = /^[^,\p{Cc}]+$/u;

/** The lifecycles an unarchived model can have (`spec.lifecycle` is required and enumerated). */
const UNARCHIVED = MODEL_LIFECYCLES.filter(l => l !== 'archived');

/**
 * The same selection as {@link searchPredicate}, in the catalog's `filter`
 * form when it can be written there, else as a predicate. The filter form
 * is sent as a GET and parsed without the predicate grammar's schema, which
 * cost the catalog more CPU than the rest of its answer (profiled: about
 * 15 % of a search's back-end CPU, most of it building the errors of the
 * grammar's union branches). "Not archived" becomes the other three
 * lifecycles, which is the same set for every Model the catalog accepts
 * (the schema requires one of the four).
 */
export function searchSelection(
  params: SearchParams,
  without?: ModelSearchFacet,
): { filter: EntityFilterQuery } | { query: FilterPredicate } {
  const filter: Record<string, string[]> = { kind: ['model'] };
  for (const [facet, chosen] of Object.entries(params.filters)) {
    if (facet === without || !chosen?.length) continue;
    if (!chosen.every(v => FILTER_SAFE_VALUE.test(v) && v === v.trim())) {
      return { query: searchPredicate(params, without) };
    }
    filter[MODEL_SEARCH_FACETS[facet as ModelSearchFacet]] = chosen;
  }
  if (!params.archived && !params.filters.lifecycle?.length) {
    filter['spec.lifecycle'] = UNARCHIVED;
  }
  return { filter };
}

/** Fields the text search looks in. */
export const TEXT_FIELDS = [
  'metadata.name',
  'metadata.title',
  'metadata.description',
  'spec.task',
  'spec.framework',
];

/** The catalog's full-text filter of a search with a term, else nothing. */
export function textFilter(params: SearchParams): {
  fullTextFilter?: { term: string; fields: string[] };
} {
  return params.q
    ? { fullTextFilter: { term: params.q, fields: TEXT_FIELDS } }
    : {};
}

/** Fields of an entity a search page returns (enough for the hub table). */
export const ITEM_FIELDS = [
  'kind',
  'apiVersion',
  'metadata.name',
  'metadata.namespace',
  'metadata.title',
  'metadata.description',
  'metadata.annotations',
  'metadata.uid',
  'metadata.tags',
  'spec',
  'relations',
];
