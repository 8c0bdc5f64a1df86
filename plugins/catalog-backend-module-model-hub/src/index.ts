/**
 * Catalog backend module for the Model Hub: the `Model` entity kind, the
 * dataset convention, their relations, the earned tier of each model, the
 * deprecations recorded by the hub, and the models registered through it.
 *
 * @packageDocumentation
 */
export { catalogModuleModelHub as default } from './module';
export { ModelEntityProcessor } from './processor';
export {
  DEFAULT_TIER_REFRESH_SECONDS,
  ModelHubTierClient,
  ModelHubTierProcessor,
  parseEffectiveTiers,
  tierKey,
} from './tiers';
export type {
  EffectiveTierEntry,
  EffectiveTierSource,
  ModelHubTierClientOptions,
} from './tiers';
export {
  DEFAULT_REGISTERED_MODELS_REFRESH_SECONDS,
  ModelHubEntityProvider,
  parseRegisteredModels,
  registeredModelLocation,
  toCatalogEntity,
} from './provider';
export type { ModelHubEntityProviderOptions } from './provider';
export {
  ModelHubDeprecationClient,
  ModelHubLifecycleProcessor,
  parseModelDeprecation,
} from './lifecycle';
export type {
  ModelDeprecationSource,
  ModelHubDeprecationClientOptions,
} from './lifecycle';
