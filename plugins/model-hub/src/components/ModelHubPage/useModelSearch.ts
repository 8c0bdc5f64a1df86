import { useEffect, useMemo, useState } from 'react';
import {
  ModelSearchFacetsResponse,
  ModelSearchQuery,
  ModelSearchResponse,
} from '@internal/plugin-model-hub-common';
import { ModelHubApi } from '../../api';

/** One request's outcome: its value or its error, for the query it answered. */
interface Loaded<T> {
  key: string;
  value?: T;
  error?: Error;
}

/** What the hub page shows of a search. */
export interface ModelSearchState {
  /** The page on screen: the newest that arrived, kept while the next loads. */
  page?: ModelSearchResponse;
  /** The search's total (from its newest first page). */
  total?: number;
  /** The newest facet counts, kept while the next load. */
  facets?: ModelSearchFacetsResponse;
  /** Whether the facet counts shown are not (yet) the search's. */
  facetsLoading: boolean;
  /** Whether the page on screen is not (yet) the one asked for. */
  loading: boolean;
  /** Why the page asked for failed. */
  error?: Error;
}

const aborted = (signal: AbortSignal) => signal.aborted;

/**
 * The hub page's search: the first page of `query` (without facet counts,
 * so the table never waits for them) and its facet counts as two requests
 * at once, later pages by `cursor`. A newer query or cursor cancels the
 * requests of the older one, and the last page and counts stay on screen
 * until their successors arrive, so the table updates in place.
 */
export function useModelSearch(
  api: ModelHubApi,
  query: ModelSearchQuery,
  cursor: string | undefined,
  limit: number,
): ModelSearchState {
  const key = useMemo(() => JSON.stringify(query), [query]);
  const [first, setFirst] = useState<Loaded<ModelSearchResponse>>();
  const [later, setLater] = useState<Loaded<ModelSearchResponse>>();
  const [facets, setFacets] = useState<Loaded<ModelSearchFacetsResponse>>();

  useEffect(() => {
    const controller = new AbortController();
    const { signal } = controller;
    const request: ModelSearchQuery = JSON.parse(key);
    api.searchModels({ ...request, facets: false }, { signal }).then(
      value => !aborted(signal) && setFirst({ key, value }),
      error => !aborted(signal) && setFirst({ key, error }),
    );
    api.searchModelFacets(request, { signal }).then(
      value => !aborted(signal) && setFacets({ key, value }),
      // The filter bar keeps the last counts; the page shows any error.
      error => !aborted(signal) && setFacets(old => ({ ...old, key, error })),
    );
    return () => controller.abort();
  }, [api, key]);

  useEffect(() => {
    if (!cursor) return undefined;
    const controller = new AbortController();
    const { signal } = controller;
    api.searchModels({ cursor, limit }, { signal }).then(
      value => !aborted(signal) && setLater({ key: cursor, value }),
      error => !aborted(signal) && setLater({ key: cursor, error }),
    );
    return () => controller.abort();
  }, [api, cursor, limit]);

  const wanted = cursor ? later : first;
  const wantedKey = cursor ?? key;
  const current = wanted?.key === wantedKey ? wanted : undefined;
  return {
    page: current?.value ?? later?.value ?? first?.value,
    total: first?.value?.totalItems,
    facets: facets?.value,
    facetsLoading: facets?.key !== key,
    loading: !current,
    error: current?.error,
  };
}
