export { MostReusedModelsContent } from './MostReusedModelsCard';
export type { MostReusedModelsContentProps } from './MostReusedModelsCard';
