/*
 * The gauntlet contract and checks from @internal/plugin-model-hub-node,
 * imported in one place for everything in this folder.
 */
export {
  GAUNTLET_CHECK_IDS,
  GAUNTLET_CHECK_STATUSES,
  runGauntletCheck,
} from '@internal/plugin-model-hub-node';
export type {
  GauntletCatalogReader,
  GauntletCheck,
  GauntletCheckContext,
  GauntletCheckFile,
  GauntletCheckResult,
  GauntletCheckStatus,
  PendingRescan,
} from '@internal/plugin-model-hub-node';
export { builtinGauntletChecks } from '@internal/plugin-model-hub-node';
