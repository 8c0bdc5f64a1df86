import { BackstageCredentials } from '@backstage/backend-plugin-api';
import { Entity } from '@backstage/catalog-model';
import { InputError } from '@backstage/errors';
import {
  isModelEntity,
  MODEL_SEARCH_FACETS,
  MODEL_SEARCH_SORTS,
  ModelSearchFacet,
  ModelSearchFacetCounts,
  ModelSearchFacetsResponse,
  ModelSearchResponse,
} from '@internal/plugin-model-hub-common';
import { EffectiveTierCache } from '../gauntlet/EffectiveTierCache';
import { PrincipalCache } from '../service/PrincipalCache';
import { HubCatalog } from '../service/hubCatalog';

/** The catalog calls the model search makes. */
export type SearchCatalog = Pick<
  HubCatalog,
  'queryEntities' | 'getEntityFacets'
>;
import {
  FilterPredicate,
  ITEM_FIELDS,
  parseSearchParams,
  SearchParams,
  searchPredicate,
  searchSelection,
  sortIsOptional,
  TEXT_FIELDS,
  textFilter,
} from './searchQuery';

/** Options of {@link ModelSearch}. */
export interface ModelSearchOptions {
  catalog: SearchCatalog;
  tiers: Pick<EffectiveTierCache, 'getMany'>;
  /** Most text matches counted for facets (beyond: `facetsApproximate`). */
  maxFacetScan?: number;
  /**
   * How long the total and facet counts of one caller's filter are reused
   * (ms; `modelHub.search.summaryCacheSeconds`); 0 or absent: never.
   */
  summaryTtlMs?: number;
}

/** The facet counts of one filter. */
interface FacetSummary {
  counts: Record<ModelSearchFacet, ModelSearchFacetCounts>;
  approximate: boolean;
}

/** The `facets` flag of `GET /v1/models`: true unless `facets=false`. */
function parseFacetsFlag(raw: unknown): boolean {
  if (raw === undefined || raw === 'true') return true;
  if (raw === 'false') return false;
  throw new InputError(
    'Invalid model search: facets must be true or false (false: the page and total only; counts come from GET /v1/models/facets)',
  );
}

/** The cache key of a filter's total and facet counts (page-independent). */
function summaryKey(params: SearchParams) {
  const { q, filters, archived } = params;
  return { q, filters, archived };
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

/**
 * Lower case as Backstage compares entity refs (`en-US`); printable ASCII,
 * which every valid name and namespace is, takes the plain (and much
 * cheaper: the ICU call was ~1 % of a search's CPU) path to the same result.
 */
const lower = (v: string) =>
  /^[ -~]*$/.test(v) ? v.toLowerCase() : v.toLocaleLowerCase('en-US');

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
  readonly #catalog: SearchCatalog;
  readonly #tiers: ModelSearchOptions['tiers'];
  readonly #maxFacetScan: number;
  readonly #totals: PrincipalCache<number>;
  readonly #facetCounts: PrincipalCache<FacetSummary>;

  constructor(options: ModelSearchOptions) {
    this.#catalog = options.catalog;
    this.#tiers = options.tiers;
    this.#maxFacetScan = options.maxFacetScan ?? 5000;
    this.#totals = new PrincipalCache({ ttlMs: options.summaryTtlMs ?? 0 });
    this.#facetCounts = new PrincipalCache({
      ttlMs: options.summaryTtlMs ?? 0,
    });
  }

  /**
   * Answers a search request's query string as `credentials`. With
   * `facets=false` the first page carries the total but no facet counts, so
   * it never waits for them (the hub page asks {@link ModelSearch.facets}
   * at the same time).
   */
  async search(
    query: Record<string, unknown>,
    credentials: BackstageCredentials,
  ): Promise<ModelSearchResponse> {
    const { cursor: rawCursor, facets: rawFacets, ...rest } = query;
    const withFacets = parseFacetsFlag(rawFacets);
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

    // The total: carried by the cursor, else a fresh cached one, else
    // counted by the page's own catalog query when one phase holds every
    // match (no second catalog call), else one count query.
    const cachedTotal = first
      ? this.#totals.peek(credentials, summaryKey(params))
      : undefined;
    const countInPage = first && !twoPhase && !cachedTotal;
    const [page, counted, facets] = await Promise.all([
      this.#page(params, cursor?.phase ?? 1, cursor?.c, credentials, {
        count: countInPage,
      }),
      cachedTotal ??
        (first && !countInPage ? this.#total(params, credentials) : undefined),
      first && withFacets ? this.#facets(params, credentials) : undefined,
    ]);
    if (countInPage) {
      const n = page.res.totalItems;
      this.#totals.get(credentials, summaryKey(params), async () => n);
    }
    const total = {
      total: countInPage ? page.res.totalItems : counted ?? cursor!.t,
    };
    let { phase, res } = page;
    if (
      twoPhase &&
      phase === 1 &&
      res.items.length === 0 &&
      !res.pageInfo.nextCursor
    ) {
      // No model has a value in the sort column here: go on with the rest.
      ({ phase, res } = await this.#page(params, 2, undefined, credentials, {
        count: false,
      }));
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

  /**
   * Answers `GET /v1/models/facets`: the facet counts of a search's filter
   * (its page, sort and cursor aside), from the cache when fresh.
   */
  async facets(
    query: Record<string, unknown>,
    credentials: BackstageCredentials,
  ): Promise<ModelSearchFacetsResponse> {
    const params = parseSearchParams(query);
    const facets = await this.#facets(params, credentials);
    return {
      facets: facets.counts,
      ...(facets.approximate ? { facetsApproximate: true } : {}),
    };
  }

  /** One page of one phase (see {@link sortIsOptional}). */
  async #page(
    params: SearchParams,
    phase: 1 | 2,
    catalogCursor: string | undefined,
    credentials: BackstageCredentials,
    { count }: { count: boolean },
  ) {
    if (catalogCursor) {
      const res = await this.#catalog.queryEntities(
        { cursor: catalogCursor, limit: params.limit, fields: ITEM_FIELDS },
        { credentials },
      );
      return { phase, res };
    }
    const field = MODEL_SEARCH_SORTS[params.sort];
    // Phase 2 ("no value in the sort column") needs a negation, which only
    // the predicate form has.
    const selection =
      phase === 1
        ? searchSelection(params)
        : {
            query: {
              $all: [
                searchPredicate(params),
                { $not: { [field]: { $exists: true } } as FilterPredicate },
              ],
            } as FilterPredicate,
          };
    const res = await this.#catalog.queryEntities(
      {
        ...selection,
        limit: params.limit,
        fields: ITEM_FIELDS,
        orderFields:
          phase === 1
            ? { field, order: params.order }
            : { field: 'metadata.name', order: 'asc' },
        ...textFilter(params),
        totalItems: count ? 'include' : 'exclude',
      },
      { credentials },
    );
    return { phase, res };
  }

  /** All matching models (both phases), one count query, from the cache when fresh. */
  #total(params: SearchParams, credentials: BackstageCredentials) {
    return this.#totals.get(credentials, summaryKey(params), async () => {
      const res = await this.#catalog.queryEntities(
        {
          ...searchSelection(params),
          limit: 1,
          fields: ['kind'],
          ...textFilter(params),
        },
        { credentials },
      );
      return res.totalItems;
    });
  }

  /** Facet counts, from the cache when fresh (see {@link ModelSearch.#countFacets}). */
  #facets(
    params: SearchParams,
    credentials: BackstageCredentials,
  ): Promise<FacetSummary> {
    return this.#facetCounts.get(credentials, summaryKey(params), () =>
      this.#countFacets(params, credentials),
    );
  }

  /**
   * Facet counts. Without a text term the catalog counts in its database:
   * one call for the facets nobody chose, one per chosen facet (counted
   * without its own filter). With a term (which the facets endpoint cannot
   * apply) the matches are read once, projected to the facet fields, and
   * counted here.
   */
  async #countFacets(
    params: SearchParams,
    credentials: BackstageCredentials,
  ): Promise<FacetSummary> {
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
      const shown = await this.#countsWithout(params, f, credentials);
      if (shown) {
        counts[f] = shown;
        return;
      }
      const res = await this.#catalog.getEntityFacets(
        {
          ...searchSelection(params, f),
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
              ...searchSelection(params),
              facets: free.map(f => MODEL_SEARCH_FACETS[f]),
            },
            { credentials },
          );
          for (const f of free) {
            counts[f] = sortCounts(res.facets[MODEL_SEARCH_FACETS[f]] ?? []);
          }
          this.#seedTotals(params, credentials, free, counts);
        })(),
      );
    }
    await Promise.all(calls);
    return { counts, approximate: false };
  }

  /**
   * The counts of chosen facet `facet`, when the same caller's counts of
   * the search without it are fresh in the cache: there `facet` was a free
   * facet, counted with exactly the other filters (a facet click asks for
   * the counts of the search it came from first). Not for lifecycle, whose
   * choice also changes which models are hidden.
   */
  async #countsWithout(
    params: SearchParams,
    facet: ModelSearchFacet,
    credentials: BackstageCredentials,
  ): Promise<ModelSearchFacetCounts | undefined> {
    if (facet === 'lifecycle') return undefined;
    const { [facet]: _chosen, ...others } = params.filters;
    const cached = this.#facetCounts.peek(
      credentials,
      summaryKey({ ...params, filters: others }),
    );
    const summary = await cached?.catch(() => undefined);
    return summary && !summary.approximate ? summary.counts[facet] : undefined;
  }

  /**
   * The count of a value of a facet nobody chose is the total of the same
   * search with that value chosen: the catalog counted it with the same
   * filters, as the same caller. Those totals are kept (for the summary
   * cache's time, like any total), so the page of a facet click needs no
   * count query. Left out: lifecycle (choosing one lifts the hidden
   * archived models), and values the catalog could match together with
   * another (the same letters in another case, or spaces around them).
   */
  #seedTotals(
    params: SearchParams,
    credentials: BackstageCredentials,
    free: ModelSearchFacet[],
    counts: Record<ModelSearchFacet, ModelSearchFacetCounts>,
  ) {
    for (const facet of free) {
      if (facet === 'lifecycle') continue;
      const variants = new Map<string, number>();
      for (const { value } of counts[facet]) {
        const folded = lower(value.trim());
        variants.set(folded, (variants.get(folded) ?? 0) + 1);
      }
      for (const { value, count } of counts[facet]) {
        if (value !== value.trim() || variants.get(lower(value)) !== 1) {
          continue;
        }
        const key = summaryKey({
          ...params,
          filters: { ...params.filters, [facet]: [value] },
        });
        this.#totals.get(credentials, key, async () => count);
      }
    }
  }

  async #facetsOfText(
    params: SearchParams,
    credentials: BackstageCredentials,
    facets: ModelSearchFacet[],
    counts: Record<ModelSearchFacet, ModelSearchFacetCounts>,
  ) {
    const unfiltered: SearchParams = { ...params, filters: {} };
    const base = searchSelection({
      ...unfiltered,
      // Keep archived hidden as the page does, unless a lifecycle is chosen.
      archived: params.archived || Boolean(params.filters.lifecycle?.length),
    });
    const res = await this.#catalog.queryEntities(
      {
        ...base,
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
