export { ModelHubPage } from './ModelHubPage';
export type { ModelHubPageProps } from './ModelHubPage';
export { buildQueryRequest, MODEL_HUB_PAGE_SIZE } from './query';
export type { ModelHubQuery, ModelSort, FilterKey } from './query';
