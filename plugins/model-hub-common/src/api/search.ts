import { Entity } from '@backstage/catalog-model';
import { MODEL_HUB_ANNOTATIONS, ModelTier } from '../entity';

/**
 * The filters of `GET /v1/models`, each a catalog field: `tier` is the tier a
 * model earned (the hub's effective-tier annotation), `owner` the owning
 * group's entity ref.
 */
export const MODEL_SEARCH_FACETS = {
  task: 'spec.task',
  framework: 'spec.framework',
  tier: `metadata.annotations.${MODEL_HUB_ANNOTATIONS.effectiveTier}`,
  license: 'spec.license',
  owner: 'relations.ownedBy',
  lifecycle: 'spec.lifecycle',
} as const;

/** A filter of the model search. */
export type ModelSearchFacet = keyof typeof MODEL_SEARCH_FACETS;

/** The columns the model search sorts by (`sort=name`, `sort=-lastActivity`). */
export const MODEL_SEARCH_SORTS = {
  name: 'metadata.name',
  title: 'metadata.title',
  task: 'spec.task',
  framework: 'spec.framework',
  tier: `metadata.annotations.${MODEL_HUB_ANNOTATIONS.effectiveTier}`,
  owner: 'spec.owner',
  lifecycle: 'spec.lifecycle',
  license: 'spec.license',
  lastActivity: `metadata.annotations.${MODEL_HUB_ANNOTATIONS.lastActivity}`,
} as const;

/** A column of the model search's sort. */
export type ModelSearchSort = keyof typeof MODEL_SEARCH_SORTS;

/** What the hub knows of a listed model's tier right now (batched, cached). */
export interface ModelSearchTier {
  requestedTier: ModelTier;
  effectiveTier: ModelTier | null;
  status: string;
  reason: string;
  /** The latest sealed version, or null. */
  version: string | null;
}

/** One model of a search page. */
export interface ModelSearchItem {
  /** The catalog entity, as the caller may read it. */
  entity: Entity;
  tier: ModelSearchTier;
}

/** Counts of one facet's values over the matching models. */
export type ModelSearchFacetCounts = Array<{ value: string; count: number }>;

/** Body of `GET /v1/models`. */
export interface ModelSearchResponse {
  items: ModelSearchItem[];
  /** Matching models (all pages). */
  totalItems: number;
  /** Opaque; pass as `cursor` (alone) for the next page. */
  pageInfo: { nextCursor?: string };
  /**
   * Value counts per facet, first page only. Each facet is counted with
   * every other filter applied but not its own, so choosing a value shows
   * what the alternatives would give.
   */
  facets?: Record<ModelSearchFacet, ModelSearchFacetCounts>;
  /** True when the text search matched more models than were counted for facets. */
  facetsApproximate?: boolean;
}

/** Body of `GET /v1/models/facets` (same filter parameters as `GET /v1/models`). */
export interface ModelSearchFacetsResponse {
  /** Value counts per facet (see {@link ModelSearchResponse.facets}). */
  facets: Record<ModelSearchFacet, ModelSearchFacetCounts>;
  /** True when the text search matched more models than were counted. */
  facetsApproximate?: boolean;
}

/** The query of `GET /v1/models` (all optional). */
export interface ModelSearchQuery {
  q?: string;
  filters?: Partial<Record<ModelSearchFacet, string[]>>;
  /** A column, `-` first for descending. */
  sort?: ModelSearchSort | `-${ModelSearchSort}`;
  /** Include archived models (hidden unless a lifecycle is chosen). */
  archived?: boolean;
  limit?: number;
  cursor?: string;
  /**
   * false: the first page carries the total but no facet counts, so it does
   * not wait for them (ask `GET /v1/models/facets` alongside).
   */
  facets?: boolean;
}

/** Builds the query string of `GET /v1/models`. */
export function modelSearchParams(query: ModelSearchQuery): URLSearchParams {
  const params = new URLSearchParams();
  if (query.cursor) {
    params.set('cursor', query.cursor);
    if (query.limit) params.set('limit', String(query.limit));
    return params;
  }
  if (query.q?.trim()) params.set('q', query.q.trim());
  for (const [facet, values] of Object.entries(query.filters ?? {})) {
    for (const v of values ?? []) params.append(facet, v);
  }
  if (query.sort) params.set('sort', query.sort);
  if (query.archived) params.set('archived', 'true');
  if (query.limit) params.set('limit', String(query.limit));
  if (query.facets === false) params.set('facets', 'false');
  return params;
}
