/**
 * Catalog backend module for the Model Hub: the `Model` entity kind, the
 * dataset convention, their relations, and the earned tier of each model.
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
