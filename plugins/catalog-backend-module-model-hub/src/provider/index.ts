export {
  DEFAULT_REGISTERED_MODELS_REFRESH_SECONDS,
  ModelHubEntityProvider,
  parseRegisteredModels,
  registeredModelLocation,
  toCatalogEntity,
} from './ModelHubEntityProvider';
export type { ModelHubEntityProviderOptions } from './ModelHubEntityProvider';
