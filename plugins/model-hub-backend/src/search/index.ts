export { ModelSearch } from './ModelSearch';
export type { ModelSearchOptions } from './ModelSearch';
export { createModelSearchRouter } from './router';
export type { ModelSearchRouterOptions } from './router';
export { createSearchCatalog } from './searchCatalog';
export type { SearchCatalog, SearchCatalogOptions } from './searchCatalog';
