export { ModelHubPage } from './ModelHubPage';
export type { ModelHubPageProps } from './ModelHubPage';
export {
  MODEL_HUB_PAGE_SIZE,
  paramsFromQuery,
  queryFromParams,
  toSearchQuery,
} from './query';
export type { ModelHubQuery, FilterKey } from './query';
