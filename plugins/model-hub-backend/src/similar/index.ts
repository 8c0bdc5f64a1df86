export { setupSimilarModels, SIMILAR_INDEX_TASK_ID } from './setup';
export { SimilarModels } from './SimilarModels';
export type { Overlaps, SimilarModelsOptions } from './SimilarModels';
