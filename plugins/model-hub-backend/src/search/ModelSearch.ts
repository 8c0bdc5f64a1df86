import { BackstageCredentials } from '@backstage/backend-plugin-api';
import { InputError } from '@backstage/errors';
import {
  isModelEntity,
  MODEL_SEARCH_SORTS,
  ModelSearchFacetsResponse,
  ModelSearchResponse,
} from '@internal/plugin-model-hub-common';
import { EffectiveTierCache } from '../gauntlet/EffectiveTierCache';
import { PrincipalCache } from '../service/PrincipalCache';
import { foldCase } from '../service/foldCase';
import { HubCatalog } from '../service/hubCatalog';
import { FacetCounts } from './FacetCounts';
import { decodeCursor, encodeCursor, HubCursor } from './searchCursor';
import {
  FilterPredicate,
  ITEM_FIELDS,
  parseSearchParams,
  SearchParams,
  searchPredicate,
  searchSelection,
  sortIsOptional,
  summaryKey,
  textFilter,
} from './searchQuery';

/** The catalog calls the model search makes. */
export type SearchCatalog = Pick<
  HubCatalog,
  'queryEntities' | 'getEntityFacets'
>;

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
  /** The clock of the caches, for tests. */
  now?: () => number;
}

/** The `facets` flag of `GET /v1/models`: true unless `facets=false`. */
function parseFacetsFlag(raw: unknown): boolean {
  if (raw === undefined || raw === 'true') return true;
  if (raw === 'false') return false;
  throw new InputError(
    'Invalid model search: facets must be true or false (false: the page and total only; counts come from GET /v1/models/facets)',
  );
}

/**
 * The hub's model search (`GET /v1/models`): one page of Model entities
 * from the catalog's own `/entities/by-query` (filters, full-text term,
 * ordering and cursor paging all in the catalog's database), facet counts
 * from the catalog's facets endpoint ({@link FacetCounts}), and the
 * effective tier of the page's models from one batched, cached lookup.
 * Every catalog call is made with the caller's credentials, so the
 * catalog's permission policy decides what is listed and counted.
 */
export class ModelSearch {
  readonly #catalog: SearchCatalog;
  readonly #tiers: ModelSearchOptions['tiers'];
  readonly #totals: PrincipalCache<number>;
  readonly #facetCounts: FacetCounts;

  constructor(options: ModelSearchOptions) {
    this.#catalog = options.catalog;
    this.#tiers = options.tiers;
    this.#totals = new PrincipalCache({
      ttlMs: options.summaryTtlMs ?? 0,
      refreshAfterMs: (options.summaryTtlMs ?? 0) / 2,
      now: options.now,
    });
    this.#facetCounts = new FacetCounts({
      catalog: options.catalog,
      maxFacetScan: options.maxFacetScan ?? 5000,
      ttlMs: options.summaryTtlMs ?? 0,
      totals: this.#totals,
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

    // The total: carried by the cursor, else a fresh cached (or in-flight)
    // one, else counted by the page's own catalog query when one phase
    // holds every match (no second catalog call), else one count query.
    // A cached total past half its time is counted again in the
    // background, so a steady stream of the same search never waits for a
    // count (each expiry used to put one under every search meanwhile).
    const cachedTotal = first
      ? this.#totals.peek(credentials, summaryKey(params), () =>
          this.#count(params, credentials),
        )
      : undefined;
    const countInPage = first && !twoPhase && !cachedTotal;
    // A page that counts holds its total's place in the cache at once, so
    // the same caller's searches of the same filter meanwhile wait for its
    // count instead of each counting: at 50 clients every expiry of the
    // total otherwise sent ~50 count queries at once.
    const counting = countInPage
      ? this.#countingTotal(params, credentials)
      : undefined;
    const [page, counted, facets] = await Promise.all([
      this.#page(params, cursor?.phase ?? 1, cursor?.c, credentials, {
        count: countInPage,
      }),
      cachedTotal?.catch(() => this.#total(params, credentials)) ??
        (first && !countInPage ? this.#total(params, credentials) : undefined),
      first && withFacets
        ? this.#facetCounts.get(params, credentials)
        : undefined,
    ]).catch(error => {
      counting?.reject(error);
      throw error;
    });
    counting?.resolve(page.res.totalItems);
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
          foldCase(
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
    const facets = await this.#facetCounts.get(params, credentials);
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

  /**
   * The cache entry of a total that a page's own query is counting: settled
   * with the page (a failure is not kept; those waiting count on their own).
   */
  #countingTotal(params: SearchParams, credentials: BackstageCredentials) {
    let resolve!: (total: number) => void;
    let reject!: (error: unknown) => void;
    const total = new Promise<number>((res, rej) => {
      resolve = res;
      reject = rej;
    });
    // Handled here too: with the cache off, nobody else awaits it.
    total.catch(() => undefined);
    this.#totals.get(credentials, summaryKey(params), () => total);
    return { resolve, reject };
  }

  /** All matching models (both phases), one count query, from the cache when fresh. */
  #total(params: SearchParams, credentials: BackstageCredentials) {
    return this.#totals.get(credentials, summaryKey(params), () =>
      this.#count(params, credentials),
    );
  }

  /** All matching models (both phases): one count query. */
  async #count(params: SearchParams, credentials: BackstageCredentials) {
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
  }
}
