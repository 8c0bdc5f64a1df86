import { dirname, join } from 'node:path';

/**
 * Set by the CLI's bundler (`packages/cli/scripts/pack.js`) to the folder,
 * relative to the bundled file, that holds this package's worker scripts.
 * Undefined when the package runs from its sources (backend, tests, the CLI
 * inside the repository).
 */
declare const __MODEL_HUB_NODE_ASSETS__: string | undefined;

/**
 * Absolute path of a file shipped with this package (worker scripts run in
 * child processes, e.g. `workers/hdf5Reader.mjs`), both from the sources and
 * from the packed CLI, where the workers are copied next to the bundle.
 */
export function packageAssetPath(relativePath: string): string {
  if (typeof __MODEL_HUB_NODE_ASSETS__ === 'string') {
    // eslint-disable-next-line no-restricted-syntax
    return join(__dirname, __MODEL_HUB_NODE_ASSETS__, relativePath);
  }
  return join(
    dirname(require.resolve('@internal/plugin-model-hub-node/package.json')),
    relativePath,
  );
}
