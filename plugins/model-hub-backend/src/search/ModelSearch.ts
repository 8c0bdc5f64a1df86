import { BackstageCredentials } from '@backstage/backend-plugin-api';
import { Entity } from '@backstage/catalog-model';
import { InputError } from '@backstage/errors';
import { CatalogService } from '@backstage/plugin-catalog-node';
import {
  isModelEntity,
  MODEL_SEARCH_FACETS,
  MODEL_SEARCH_SORTS,
  ModelSearchFacet,
  ModelSearchFacetCounts,
  ModelSearchResponse,
} from '@internal/plugin-model-hub-common';
import { EffectiveTierCache } from '../gauntlet/EffectiveTierCache';
import { PrincipalCache } from '../service/PrincipalCache';
import {
  FilterPredicate,
  ITEM_FIELDS,
  parseSearchParams,
  SearchParams,
  searchPredicate,
  sortIsOptional,
  TEXT_FIELDS,
} from './searchQuery';

/** Options of {@link ModelSearch}. */
export interface ModelSearchOptions {
  catalog: CatalogService;
  tiers: Pick<EffectiveTierCache, 'getMany'>;
  /** Most text matches counted for facets (beyond: `facetsApproximate`). */
  maxFacetScan?: number;
  /**
   * How long the total and facet counts of one caller's filter are reused
   * (ms; `modelHub.search.summaryCacheSeconds`); 0 or absent: never.
   */
  summaryTtlMs?: number;
}

/** The page-independent part of a search: total and facet counts. */
interface SearchSummary {
  total: number;
  facets: {
    counts: Record<ModelSearchFacet, ModelSearchFacetCounts>;
    approximate: boolean;
  };
}

/** What a hub cursor carries: the query it continues, phase, catalog cursor, total. */
interface HubCursor {
  /** The original query string (re-validated on every page). */
  qs: Record<string, unknown>;
  /** 1: models with a value in the sort column; 2: models without one. */
  phase: 1 | 2;
  /** The catalog's cursor within the phase. */
  c?: string;
  /** Total matches, computed on the first page. */
  t: number;
}

function encodeCursor(cursor: HubCursor): string {
  return Buffer.from(JSON.stringify(cursor), 'utf8').toString('base64url');
}

function decodeCursor(raw: string): HubCursor {
  try {
    const c = JSON.parse(Buffer.from(raw, 'base64url').toString('utf8'));
    if (
      c &&
      typeof c === 'object' &&
      typeof c.qs === 'object' &&
      c.qs !== null &&
      (c.phase === 1 || c.phase === 2) &&
      (c.c === undefined || typeof c.c === 'string') &&
      typeof c.t === 'number'
    ) {
      return c as HubCursor;
    }
  } catch {
    // fall through
  }
  throw new InputError(
    'Invalid cursor: pass the nextCursor of a previous page unchanged',
  );
}

const lower = (v: string) => v.toLocaleLowerCase('en-US');

/** The values of a facet field on an entity (relations give several). */
function fieldValues(entity: Entity, facet: ModelSearchFacet): string[] {
  if (facet === 'owner') {
    return (entity.relations ?? [])
      .filter(r => r.type === 'ownedBy')
      .map(r => r.targetRef);
  }
  const path = MODEL_SEARCH_FACETS[facet];
  let value: unknown = entity;
  if (path.startsWith('metadata.annotations.')) {
    value =
      entity.metadata.annotations?.[path.slice('metadata.annotations.'.length)];
  } else {
    for (const part of path.split('.')) {
      value = (value as Record<string, unknown> | undefined)?.[part];
    }
  }
  return typeof value === 'string' ? [value] : [];
}

/**
 * The hub's model search (`GET /v1/models`): one page of Model entities
 * from the catalog's own `/entities/by-query` (filters, full-text term,
 * ordering and cursor paging all in the catalog's database), facet counts
 * from the catalog's facets endpoint, and the effective tier of the page's
 * models from one batched, cached lookup. Every catalog call is made with
 * the caller's credentials, so the catalog's permission policy decides what
 * is listed and counted.
 */
export class ModelSearch {
  readonly #catalog: CatalogService;
  readonly #tiers: ModelSearchOptions['tiers'];
  readonly #maxFacetScan: number;
  readonly #summaries: PrincipalCache<SearchSummary>;

  constructor(options: ModelSearchOptions) {
    this.#catalog = options.catalog;
    this.#tiers = options.tiers;
    this.#maxFacetScan = options.maxFacetScan ?? 5000;
    this.#summaries = new PrincipalCache({
      ttlMs: options.summaryTtlMs ?? 0,
    });
  }

  /** Answers a search request's query string as `credentials`. */
  async search(
    query: Record<string, unknown>,
    credentials: BackstageCredentials,
  ): Promise<ModelSearchResponse> {
    const { cursor: rawCursor, ...rest } = query;
    let cursor: HubCursor | undefined;
    let qs = rest;
    if (rawCursor !== undefined) {
      if (typeof rawCursor !== 'string') {
        throw new InputError('Invalid cursor: give one cursor');
      }
      cursor = decodeCursor(rawCursor);
      // Only the page size may change along the way.
      qs = { ...cursor.qs, ...(rest.limit ? { limit: rest.limit } : {}) };
    }
    const params = parseSearchParams(qs);
    const twoPhase = sortIsOptional(params.sort);
    const first = !cursor;

    const [page, summary] = await Promise.all([
      this.#page(params, cursor?.phase ?? 1, cursor?.c, credentials),
      first ? this.#summary(params, credentials) : undefined,
    ]);
    const total = { total: summary?.total ?? cursor!.t };
    const facets = summary?.facets;
    let { phase, res } = page;
    if (
      twoPhase &&
      phase === 1 &&
      res.items.length === 0 &&
      !res.pageInfo.nextCursor
    ) {
      // No model has a value in the sort column here: go on with the rest.
      ({ phase, res } = await this.#page(params, 2, undefined, credentials));
    }

    let nextCursor: string | undefined;
    const carry = { qs, t: total.total };
    if (res.pageInfo.nextCursor) {
      nextCursor = encodeCursor({
        ...carry,
        phase,
        c: res.pageInfo.nextCursor,
      });
    } else if (twoPhase && phase === 1) {
      nextCursor = encodeCursor({ ...carry, phase: 2 });
    }

    // A forged catalog cursor could name other kinds; the hub lists models.
    const models = res.items.filter(isModelEntity);
    const tiers = await this.#tiers.getMany(models);
    const response: ModelSearchResponse = {
      items: models.map(entity => {
        const t = tiers.get(
          lower(
            `model:${entity.metadata.namespace ?? 'default'}/${
              entity.metadata.name
            }`,
          ),
        );
        return {
          entity,
          tier: {
            requestedTier: t!.requestedTier,
            effectiveTier: t!.effectiveTier,
            status: t!.status,
            reason: t!.reason,
            version: t!.version,
          },
        };
      }),
      totalItems: total.total,
      pageInfo: nextCursor ? { nextCursor } : {},
    };
    if (facets) {
      response.facets = facets.counts;
      if (facets.approximate) response.facetsApproximate = true;
    }
    return response;
  }

  /** One page of one phase (see {@link sortIsOptional}). */
  async #page(
    params: SearchParams,
    phase: 1 | 2,
    catalogCursor: string | undefined,
    credentials: BackstageCredentials,
  ) {
    if (catalogCursor) {
      const res = await this.#catalog.queryEntities(
        { cursor: catalogCursor, limit: params.limit, fields: ITEM_FIELDS },
        { credentials },
      );
      return { phase, res };
    }
    const field = MODEL_SEARCH_SORTS[params.sort];
    let predicate = searchPredicate(params);
    if (phase === 2) {
      predicate = {
        $all: [
          predicate,
          { $not: { [field]: { $exists: true } } as FilterPredicate },
        ],
      } as FilterPredicate;
    }
    const res = await this.#catalog.queryEntities(
      {
        query: predicate,
        limit: params.limit,
        fields: ITEM_FIELDS,
        orderFields:
          phase === 1
            ? { field, order: params.order }
            : { field: 'metadata.name', order: 'asc' },
        ...(params.q
          ? { fullTextFilter: { term: params.q, fields: TEXT_FIELDS } }
          : {}),
        totalItems: 'exclude',
      },
      { credentials },
    );
    return { phase, res };
  }

  /** Total and facet counts, computed concurrently, from the cache when fresh. */
  #summary(
    params: SearchParams,
    credentials: BackstageCredentials,
  ): Promise<SearchSummary> {
    const { q, filters, archived } = params;
    return this.#summaries.get(
      credentials,
      { q, filters, archived },
      async () => {
        const [total, facets] = await Promise.all([
          this.#total(params, credentials),
          this.#facets(params, credentials),
        ]);
        return { total: total.total, facets };
      },
    );
  }

  /** All matching models (both phases), one count query. */
  async #total(params: SearchParams, credentials: BackstageCredentials) {
    const res = await this.#catalog.queryEntities(
      {
        query: searchPredicate(params),
        limit: 1,
        fields: ['kind'],
        ...(params.q
          ? { fullTextFilter: { term: params.q, fields: TEXT_FIELDS } }
          : {}),
      },
      { credentials },
    );
    return { total: res.totalItems };
  }

  /**
   * Facet counts. Without a text term the catalog counts in its database:
   * one call for the facets nobody chose, one per chosen facet (counted
   * without its own filter). With a term (which the facets endpoint cannot
   * apply) the matches are read once, projected to the facet fields, and
   * counted here.
   */
  async #facets(
    params: SearchParams,
    credentials: BackstageCredentials,
  ): Promise<{
    counts: Record<ModelSearchFacet, ModelSearchFacetCounts>;
    approximate: boolean;
  }> {
    const facets = Object.keys(MODEL_SEARCH_FACETS) as ModelSearchFacet[];
    const counts = Object.fromEntries(
      facets.map(f => [f, [] as ModelSearchFacetCounts]),
    ) as Record<ModelSearchFacet, ModelSearchFacetCounts>;
    if (params.q) {
      return this.#facetsOfText(params, credentials, facets, counts);
    }
    const chosen = facets.filter(f => params.filters[f]?.length);
    const free = facets.filter(f => !params.filters[f]?.length);
    const calls: Array<Promise<void>> = chosen.map(async f => {
      const res = await this.#catalog.getEntityFacets(
        {
          query: searchPredicate(params, f),
          facets: [MODEL_SEARCH_FACETS[f]],
        },
        { credentials },
      );
      counts[f] = sortCounts(res.facets[MODEL_SEARCH_FACETS[f]] ?? []);
    });
    if (free.length > 0) {
      calls.push(
        (async () => {
          const res = await this.#catalog.getEntityFacets(
            {
              query: searchPredicate(params),
              facets: free.map(f => MODEL_SEARCH_FACETS[f]),
            },
            { credentials },
          );
          for (const f of free) {
            counts[f] = sortCounts(res.facets[MODEL_SEARCH_FACETS[f]] ?? []);
          }
        })(),
      );
    }
    await Promise.all(calls);
    return { counts, approximate: false };
  }

  async #facetsOfText(
    params: SearchParams,
    credentials: BackstageCredentials,
    facets: ModelSearchFacet[],
    counts: Record<ModelSearchFacet, ModelSearchFacetCounts>,
  ) {
    const unfiltered: SearchParams = { ...params, filters: {} };
    const base: FilterPredicate = searchPredicate({
      ...unfiltered,
      // Keep archived hidden as the page does, unless a lifecycle is chosen.
      archived: params.archived || Boolean(params.filters.lifecycle?.length),
    });
    const res = await this.#catalog.queryEntities(
      {
        query: base,
        limit: this.#maxFacetScan,
        fields: [
          'kind',
          'spec.task',
          'spec.framework',
          'spec.license',
          'spec.lifecycle',
          'metadata.annotations',
          'relations',
        ],
        fullTextFilter: { term: params.q!, fields: TEXT_FIELDS },
      },
      { credentials },
    );
    const chosen = Object.fromEntries(
      facets.map(f => [f, new Set((params.filters[f] ?? []).map(lower))]),
    ) as Record<ModelSearchFacet, Set<string>>;
    const matches = (e: Entity, f: ModelSearchFacet) =>
      chosen[f].size === 0 ||
      fieldValues(e, f).some(v => chosen[f].has(lower(v)));
    const tallies = Object.fromEntries(
      facets.map(f => [f, new Map<string, number>()]),
    ) as Record<ModelSearchFacet, Map<string, number>>;
    for (const entity of res.items) {
      for (const f of facets) {
        if (!facets.every(g => g === f || matches(entity, g))) continue;
        for (const v of new Set(fieldValues(entity, f))) {
          tallies[f].set(v, (tallies[f].get(v) ?? 0) + 1);
        }
      }
    }
    for (const f of facets) {
      counts[f] = sortCounts(
        [...tallies[f]].map(([value, count]) => ({ value, count })),
      );
    }
    return { counts, approximate: res.totalItems > res.items.length };
  }
}

function sortCounts(list: ModelSearchFacetCounts): ModelSearchFacetCounts {
  return [...list].sort(
    (a, b) => b.count - a.count || a.value.localeCompare(b.value),
  );
}
