import {
  startTransition,
  useCallback,
  useEffect,
  useLayoutEffect,
  useMemo,
  useRef,
  useState,
} from 'react';
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

/** The two requests of one search (by its key), cancelled together. */
interface Started {
  key: string;
  controller: AbortController;
  first: Promise<ModelSearchResponse>;
  facets: Promise<ModelSearchFacetsResponse>;
  /** Whether a rendered search uses it (then its effect cancels it). */
  adopted: boolean;
}

function start(api: ModelHubApi, key: string): Started {
  const controller = new AbortController();
  const { signal } = controller;
  const request: ModelSearchQuery = JSON.parse(key);
  const started: Started = {
    key,
    controller,
    first: api.searchModels({ ...request, facets: false }, { signal }),
    facets: api.searchModelFacets(request, { signal }),
    adopted: false,
  };
  // A search that is never shown is cancelled: not an unhandled rejection.
  started.first.catch(() => undefined);
  started.facets.catch(() => undefined);
  return started;
}

const aborted = (signal: AbortSignal) => signal.aborted;

/** `started` if it holds the requests of `key` and they were not cancelled. */
function liveFor(started: Started | undefined, key: string) {
  return started?.key === key && !aborted(started.controller.signal)
    ? started
    : undefined;
}

/** How long a search started early waits to be shown before it is cancelled. */
const EARLY_TTL_MS = 10_000;

/**
 * The hub page's first search, started while the page renders, before its
 * frame, filter bar and table have rendered and committed (the search
 * hook's layout effect comes after all of them). At most one; the search
 * hook adopts it when the keys match, and one never adopted is cancelled.
 */
let early:
  | { started: Started; timer: ReturnType<typeof setTimeout> }
  | undefined;

function dropEarly() {
  if (!early) return;
  clearTimeout(early.timer);
  if (!early.started.adopted) early.started.controller.abort();
  early = undefined;
}

/** The search started early for `key`, handed over once; any other is dropped. */
function takeEarly(key: string): Started | undefined {
  const found = liveFor(early?.started, key);
  if (found) {
    clearTimeout(early!.timer);
    early = undefined;
  } else {
    dropEarly();
  }
  return found;
}

/**
 * Starts the requests of the hub page's first search from the page's own
 * render, so they leave before the rest of the page renders; the search
 * hook of the same query takes them over. Idempotent for one query, so a
 * render run twice (or again) asks once.
 */
export function useEarlySearch(api: ModelHubApi, query: ModelSearchQuery) {
  const key = JSON.stringify(query);
  const asked = useRef(false);
  if (asked.current) return;
  asked.current = true;
  if (liveFor(early?.started, key)) return;
  dropEarly();
  const started = start(api, key);
  early = { started, timer: setTimeout(dropEarly, EARLY_TTL_MS) };
}

/**
 * The hub page's search: the first page of `query` (without facet counts,
 * so the table never waits for them) and its facet counts as two requests
 * at once, later pages by `cursor`. A newer query or cursor cancels the
 * requests of the older one, and the last page and counts stay on screen
 * until their successors arrive, so the table updates in place.
 *
 * `prefetch(next)` starts the requests of a query about to be shown (at a
 * click, before the URL changes and the page renders for it); the search
 * of `next` then uses them instead of asking again.
 */
export function useModelSearch(
  api: ModelHubApi,
  query: ModelSearchQuery,
  cursor: string | undefined,
  limit: number,
): ModelSearchState & { prefetch: (next: ModelSearchQuery) => void } {
  const key = useMemo(() => JSON.stringify(query), [query]);
  const [first, setFirst] = useState<Loaded<ModelSearchResponse>>();
  const [later, setLater] = useState<Loaded<ModelSearchResponse>>();
  const [facets, setFacets] = useState<Loaded<ModelSearchFacetsResponse>>();
  const started = useRef<Started>();

  const prefetch = useCallback(
    (next: ModelSearchQuery) => {
      const nextKey = JSON.stringify(next);
      const old = started.current;
      if (liveFor(old, nextKey)) return;
      if (old && !old.adopted) old.controller.abort();
      started.current = start(api, nextKey);
    },
    [api],
  );

  // A layout effect: the requests leave before the browser lays out and
  // paints the page (a passive effect of the first render waits for both).
  useLayoutEffect(() => {
    let search = liveFor(started.current, key);
    if (!search) {
      const old = started.current;
      if (old && !old.adopted) old.controller.abort();
      search = takeEarly(key) ?? start(api, key);
    }
    search.adopted = true;
    started.current = search;
    const { signal } = search.controller;
    search.first.then(
      value => !aborted(signal) && setFirst({ key, value }),
      error => !aborted(signal) && setFirst({ key, error }),
    );
    // The counts yield to the rows: React renders them when the first
    // page (if it arrives at the same time) is on screen.
    search.facets.then(
      value =>
        !aborted(signal) && startTransition(() => setFacets({ key, value })),
      // The filter bar keeps the last counts; the page shows any error.
      error =>
        !aborted(signal) &&
        startTransition(() => setFacets(old => ({ ...old, key, error }))),
    );
    const { controller } = search;
    return () => controller.abort();
  }, [api, key]);

  // A prefetch whose search was never shown ends with the page.
  useEffect(
    () => () => {
      if (started.current && !started.current.adopted) {
        started.current.controller.abort();
      }
    },
    [],
  );

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
    prefetch,
  };
}
