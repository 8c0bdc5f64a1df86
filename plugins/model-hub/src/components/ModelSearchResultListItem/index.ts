export {
  ModelSearchResultListItem,
  modelRefOfLocation,
} from './ModelSearchResultListItem';
export type { ModelSearchDocument } from './ModelSearchResultListItem';
