/**
 * Model Hub front end: the hub page, Model entity cards, tier badges and the
 * team and service cards.
 *
 * @packageDocumentation
 */
export {
  modelHubPlugin,
  ModelHubPage,
  EntityModelCard,
  EntityModelVersionsCard,
  EntityModelGauntletCard,
  EntityModelLineageCard,
  EntityUseModelCard,
  EntityModelDeprecationBanner,
  EntityModelUpstreamDriftBanner,
  IngestionSourcesCard,
  EntityModelHeaderTierBadge,
  EntityModelConsumersCard,
  EntityModelsUsedCard,
  EntityTeamStewardshipCard,
  EntityModelReadmeCard,
  EntityModelFilesContent,
  EntityModelCompareContent,
  EntityModelChartsContent,
  EntityModelStewardshipCard,
  EntityModelImportCard,
  EntityTeamModelsCard,
  ModelSearchResultListItem,
} from './plugin';
export { rootRouteRef as modelHubRootRouteRef } from './routes';
export * from './api';
export {
  TierBadge,
  describeTier,
  createTierColumn,
  ModelCardContent,
} from './components';
export type {
  TierBadgeProps,
  TierBadgeVariant,
  TierBadgeDescription,
  ModelHubPageProps,
  ModelSearchDocument,
} from './components';
export * from './scaffolder';
export { isDeprecatedModel, getTierStatus } from './lib/model';
export type { TierStatus } from './lib/model';
export { ModelHubTokensPage, ModelHubAccessTokensCard } from './plugin';
export { tokensRouteRef as modelHubTokensRouteRef } from './routes';
export {
  ModelHubReusePage,
  EntityModelUsageCard,
  EntityModelReuseBadge,
  EntityTeamReuseCard,
  HomePageMostReusedModels,
} from './plugin';
export { reuseRouteRef as modelHubReuseRouteRef } from './routes';
export { ModelHubAuditPage } from './plugin';
export { auditRouteRef as modelHubAuditRouteRef } from './routes';
