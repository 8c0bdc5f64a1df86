/*
 * The gauntlet contract and checks from @internal/plugin-model-hub-node.
 * Its package index does not export `./gauntlet` (and `gauntlet/index.ts`
 * does not export `./checks`) yet; once it does, replace these deep imports
 * with `from '@internal/plugin-model-hub-node'`. Everything in this folder
 * imports them from here, so that is a one-file change.
 */
export {
  GAUNTLET_CHECK_IDS,
  GAUNTLET_CHECK_STATUSES,
  runGauntletCheck,
} from '@internal/plugin-model-hub-node/src/gauntlet';
export type {
  GauntletCatalogReader,
  GauntletCheck,
  GauntletCheckContext,
  GauntletCheckFile,
  GauntletCheckResult,
  GauntletCheckStatus,
} from '@internal/plugin-model-hub-node/src/gauntlet';
export { builtinGauntletChecks } from '@internal/plugin-model-hub-node/src/gauntlet/checks';
