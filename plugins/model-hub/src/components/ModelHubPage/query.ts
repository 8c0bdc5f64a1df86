import {
  EntityFilterQuery,
  EntityOrderQuery,
  QueryEntitiesInitialRequest,
} from '@backstage/catalog-client';
import { LAST_ACTIVITY_ANNOTATION } from '../../lib/model';

/** Page size of the hub list. */
export const MODEL_HUB_PAGE_SIZE = 20;

/** The facets the hub page filters on, keyed by catalog search field. */
export const FILTER_FIELDS = {
  task: 'spec.task',
  framework: 'spec.framework',
  tier: 'spec.tier',
  license: 'spec.license',
  owner: 'relations.ownedBy',
  lifecycle: 'spec.lifecycle',
} as const;

/** A filter the user can set on the hub page. */
export type FilterKey = keyof typeof FILTER_FIELDS;

/** How the hub page sorts. */
export type ModelSort = 'name' | 'lastActivity' | 'usage';

/** Everything the user chose on the hub page. */
export interface ModelHubQuery {
  term: string;
  filters: Partial<Record<FilterKey, string>>;
  sort: ModelSort;
  showArchived: boolean;
}

/** The initial state of the hub page. */
export const EMPTY_QUERY: ModelHubQuery = {
  term: '',
  filters: {},
  sort: 'name',
  showArchived: false,
};

const ORDER: Record<ModelSort, EntityOrderQuery> = {
  name: { field: 'metadata.name', order: 'asc' },
  lastActivity: [
    {
      field: `metadata.annotations.${LAST_ACTIVITY_ANNOTATION}`,
      order: 'desc',
    },
    { field: 'metadata.name', order: 'asc' },
  ],
  // The catalog cannot order by a relation count; the server orders by name
  // and the page re-orders what it shows (the UI says so).
  usage: { field: 'metadata.name', order: 'asc' },
};

/**
 * Turns the page state into a server-side catalog query: filtering, full
 * text search, ordering and paging all happen in the catalog, never in the
 * browser.
 */
export function buildQueryRequest(
  query: ModelHubQuery,
): QueryEntitiesInitialRequest {
  const filter: EntityFilterQuery = { kind: 'Model' };
  for (const [key, field] of Object.entries(FILTER_FIELDS)) {
    const value = query.filters[key as FilterKey];
    if (value) {
      filter[field] = value;
    }
  }
  const request: QueryEntitiesInitialRequest = {
    filter,
    orderFields: ORDER[query.sort],
    limit: MODEL_HUB_PAGE_SIZE,
  };
  const term = query.term.trim();
  if (term) {
    request.fullTextFilter = {
      term,
      fields: ['metadata.name', 'metadata.title', 'metadata.description'],
    };
  }
  const lifecycleChosen = Boolean(query.filters.lifecycle);
  if (!query.showArchived && !lifecycleChosen) {
    request.query = { $not: { 'spec.lifecycle': 'archived' } };
  }
  return request;
}
