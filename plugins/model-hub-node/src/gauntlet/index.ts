/**
 * The compliance gauntlet: the check contract, the extension point for custom
 * checks, and the shared fairness and license logic used by the backend's
 * checks and the CLI.
 */
export * from './types';
export { runGauntletCheck } from './check';
export type {
  GauntletCatalogReader,
  GauntletCheck,
  GauntletCheckContext,
  GauntletCheckFile,
  PendingRescan,
} from './check';
export { modelHubGauntletExtensionPoint } from './extensionPoint';
export type { ModelHubGauntletExtensionPoint } from './extensionPoint';
export * from './fairness';
export * from './license';
export * from './checks';
