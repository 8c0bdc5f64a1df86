export {
  DEFAULT_TIER_REFRESH_SECONDS,
  ModelHubTierClient,
  parseEffectiveTiers,
  tierKey,
} from './ModelHubTierClient';
export type {
  EffectiveTierEntry,
  EffectiveTierSource,
  ModelHubTierClientOptions,
} from './ModelHubTierClient';
export { ModelHubTierProcessor } from './ModelHubTierProcessor';
