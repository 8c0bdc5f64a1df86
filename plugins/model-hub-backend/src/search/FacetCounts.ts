import { BackstageCredentials } from '@backstage/backend-plugin-api';
import { Entity } from '@backstage/catalog-model';
import {
  MODEL_SEARCH_FACETS,
  ModelSearchFacet,
  ModelSearchFacetCounts,
} from '@internal/plugin-model-hub-common';
import { PrincipalCache } from '../service/PrincipalCache';
import { foldCase } from '../service/foldCase';
import { HubCatalog } from '../service/hubCatalog';
import {
  SearchParams,
  searchSelection,
  summaryKey,
  TEXT_FIELDS,
} from './searchQuery';

/** The facet counts of one filter. */
export interface FacetSummary {
  counts: Record<ModelSearchFacet, ModelSearchFacetCounts>;
  approximate: boolean;
}

/** Options of {@link FacetCounts}. */
export interface FacetCountsOptions {
  catalog: Pick<HubCatalog, 'queryEntities' | 'getEntityFacets'>;
  /** Most text matches counted (beyond: `approximate`). */
  maxFacetScan: number;
  /** How long one caller's counts of a filter are reused (ms); 0: never. */
  ttlMs: number;
  /**
   * The search's per-caller totals: the counts of the facets nobody chose
   * seed the totals of the searches one facet click away.
   */
  totals: PrincipalCache<number>;
}

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

function sortCounts(list: ModelSearchFacetCounts): ModelSearchFacetCounts {
  return [...list].sort(
    (a, b) => b.count - a.count || a.value.localeCompare(b.value),
  );
}

/**
 * The facet counts of the hub search's filters, as one caller, cached per
 * caller and filter. Every catalog call is made with the caller's
 * credentials, so the catalog's permission policy decides what is counted.
 */
export class FacetCounts {
  readonly #catalog: FacetCountsOptions['catalog'];
  readonly #maxFacetScan: number;
  readonly #cache: PrincipalCache<FacetSummary>;
  readonly #totals: PrincipalCache<number>;

  constructor(options: FacetCountsOptions) {
    this.#catalog = options.catalog;
    this.#maxFacetScan = options.maxFacetScan;
    this.#cache = new PrincipalCache({ ttlMs: options.ttlMs });
    this.#totals = options.totals;
  }

  /** The facet counts of a search's filter, from the cache when fresh. */
  get(
    params: SearchParams,
    credentials: BackstageCredentials,
  ): Promise<FacetSummary> {
    return this.#cache.get(credentials, summaryKey(params), () =>
      this.#count(params, credentials),
    );
  }

  /**
   * Facet counts. Without a text term the catalog counts in its database:
   * one call for the facets nobody chose, one per chosen facet (counted
   * without its own filter). With a term (which the facets endpoint cannot
   * apply) the matches are read once, projected to the facet fields, and
   * counted here.
   */
  async #count(
    params: SearchParams,
    credentials: BackstageCredentials,
  ): Promise<FacetSummary> {
    const facets = Object.keys(MODEL_SEARCH_FACETS) as ModelSearchFacet[];
    const counts = Object.fromEntries(
      facets.map(f => [f, [] as ModelSearchFacetCounts]),
    ) as Record<ModelSearchFacet, ModelSearchFacetCounts>;
    if (params.q) {
      return this.#countText(params, credentials, facets, counts);
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
    const cached = this.#cache.peek(
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
        const folded = foldCase(value.trim());
        variants.set(folded, (variants.get(folded) ?? 0) + 1);
      }
      for (const { value, count } of counts[facet]) {
        if (value !== value.trim() || variants.get(foldCase(value)) !== 1) {
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

  async #countText(
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
      facets.map(f => [f, new Set((params.filters[f] ?? []).map(foldCase))]),
    ) as Record<ModelSearchFacet, Set<string>>;
    const matches = (e: Entity, f: ModelSearchFacet) =>
      chosen[f].size === 0 ||
      fieldValues(e, f).some(v => chosen[f].has(foldCase(v)));
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
