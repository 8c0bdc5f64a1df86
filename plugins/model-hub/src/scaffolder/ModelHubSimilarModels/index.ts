export { ModelHubSimilarModels } from './ModelHubSimilarModels';
export type { ModelHubSimilarModelsUiOptions } from './ModelHubSimilarModels';
