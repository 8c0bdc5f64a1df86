export { ModelSearch } from './ModelSearch';
export type { ModelSearchOptions } from './ModelSearch';
export { createModelSearchRouter } from './router';
export type { ModelSearchRouterOptions } from './router';
export type { SearchCatalog } from './ModelSearch';
