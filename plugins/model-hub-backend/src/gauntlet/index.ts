/**
 * The compliance gauntlet of the Model Hub backend: the runner and its
 * database queue, tier gates and effective tiers, promotions and waivers,
 * and the HTTP API. The plugin wires it up with {@link createGauntlet}.
 */
export { createGauntletRouter } from './router';
export { gauntletAnnotations } from './readRoutes';
export type { GauntletRouterOptions } from './routeContext';
export {
  GauntletRunner,
  entitySha256,
  filesSha256,
  gauntletCatalogFromService,
  requestedTierOf,
  staleness,
} from './GauntletRunner';
export type {
  GauntletCatalog,
  GauntletEvaluation,
  GauntletRunnerOptions,
  GauntletVersionSource,
} from './GauntletRunner';
export { GauntletStore } from './GauntletStore';
export type {
  ClaimedRun,
  GauntletRunInputs,
  NewGauntletResult,
  NewGauntletRun,
  StoredTier,
} from './GauntletStore';
export {
  DEFAULT_TIER_GATES,
  canonicalJson,
  readGauntletConfig,
} from './config';
export type { GauntletConfig, TierGateRequirement, TierGates } from './config';
export {
  computeEffectiveTier,
  evaluateGate,
  hasApproval,
  tierChain,
} from './tiers';
export type { EffectiveTierDecision } from './tiers';
export { gauntletPolicyDecision, isInGroup } from './permissions';
export { createGauntlet } from './createGauntlet';
export type { CreateGauntletOptions, Gauntlet } from './createGauntlet';
export * from './types';
