import { createExtensionPoint } from '@backstage/backend-plugin-api';
import { GauntletCheck } from './check';

/** Lets backend modules add checks to the Model Hub gauntlet. */
export interface ModelHubGauntletExtensionPoint {
  /** Adds checks; ids must be unique across all registered checks. */
  addCheck(...checks: GauntletCheck[]): void;
}

/**
 * Extension point of the Model Hub backend for custom gauntlet checks, e.g.
 * `env.registerExtensionPoint` in the backend, `deps: { gauntlet:
 * modelHubGauntletExtensionPoint }` in a module.
 */
export const modelHubGauntletExtensionPoint =
  createExtensionPoint<ModelHubGauntletExtensionPoint>({
    id: 'model-hub.gauntlet',
  });
