export {
  ModelHubDeprecationClient,
  parseModelDeprecation,
} from './ModelHubDeprecationClient';
export type {
  ModelDeprecationSource,
  ModelHubDeprecationClientOptions,
} from './ModelHubDeprecationClient';
export { ModelHubLifecycleProcessor } from './ModelHubLifecycleProcessor';
export * from './ModelHubDeprecationSnapshot';
