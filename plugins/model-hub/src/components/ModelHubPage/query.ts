import {
  MODEL_SEARCH_FACETS,
  MODEL_SEARCH_SORTS,
  ModelSearchFacet,
  ModelSearchQuery,
  ModelSearchSort,
} from '@internal/plugin-model-hub-common';

/** Page size of the hub list. */
export const MODEL_HUB_PAGE_SIZE = 25;

/** The filters of the hub page, in the order they are shown. */
export const FILTER_KEYS = Object.keys(
  MODEL_SEARCH_FACETS,
) as ModelSearchFacet[];

/** A filter the user can set on the hub page. */
export type FilterKey = ModelSearchFacet;

/** The sort columns of the hub page. */
export const SORT_KEYS = Object.keys(MODEL_SEARCH_SORTS) as ModelSearchSort[];

/** Everything the user chose on the hub page; kept in the URL so it can be shared. */
export interface ModelHubQuery {
  term: string;
  filters: Partial<Record<FilterKey, string>>;
  sort: ModelSearchSort;
  order: 'asc' | 'desc';
  showArchived: boolean;
}

/** The initial state of the hub page. */
export const EMPTY_QUERY: ModelHubQuery = {
  term: '',
  filters: {},
  sort: 'name',
  order: 'asc',
  showArchived: false,
};

/** Reads the page state from the URL (`?q=&task=&sort=-lastActivity&archived=true`). */
export function queryFromParams(params: URLSearchParams): ModelHubQuery {
  const filters: ModelHubQuery['filters'] = {};
  for (const key of FILTER_KEYS) {
    const value = params.get(key);
    if (value) filters[key] = value;
  }
  const rawSort = params.get('sort') ?? '';
  const sort = rawSort.replace(/^-/, '') as ModelSearchSort;
  const valid = SORT_KEYS.includes(sort);
  return {
    term: params.get('q') ?? '',
    filters,
    sort: valid ? sort : 'name',
    order: valid && rawSort.startsWith('-') ? 'desc' : 'asc',
    showArchived: params.get('archived') === 'true',
  };
}

/** Writes the page state to URL parameters, leaving defaults out. */
export function paramsFromQuery(query: ModelHubQuery): URLSearchParams {
  const params = new URLSearchParams();
  if (query.term.trim()) params.set('q', query.term.trim());
  for (const key of FILTER_KEYS) {
    const value = query.filters[key];
    if (value) params.set(key, value);
  }
  if (query.sort !== 'name' || query.order !== 'asc') {
    params.set('sort', `${query.order === 'desc' ? '-' : ''}${query.sort}`);
  }
  if (query.showArchived) params.set('archived', 'true');
  return params;
}

/** The hub search request of a page state (the first page). */
export function toSearchQuery(query: ModelHubQuery): ModelSearchQuery {
  const filters: ModelSearchQuery['filters'] = {};
  for (const key of FILTER_KEYS) {
    const value = query.filters[key];
    if (value) filters[key] = [value];
  }
  return {
    q: query.term,
    filters,
    sort: `${query.order === 'desc' ? '-' : ''}${
      query.sort
    }` as ModelSearchQuery['sort'],
    archived: query.showArchived,
    limit: MODEL_HUB_PAGE_SIZE,
  };
}

/** Whether anything narrows the list (for the empty state). */
export function isFiltered(query: ModelHubQuery): boolean {
  return Boolean(
    query.term.trim() || Object.values(query.filters).some(Boolean),
  );
}
