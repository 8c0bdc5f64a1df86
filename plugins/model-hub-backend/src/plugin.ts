import { createBackendPlugin } from '@backstage/backend-plugin-api';
import {
  GauntletCheck,
  modelHubGauntletExtensionPoint,
} from '@internal/plugin-model-hub-node';
import {
  cachedModelLookup,
  readModelLookupCacheMs,
} from './service/cachedEntityLookup';
import { createModelSearchRouter, ModelSearch } from './search';
import { modelHubPluginDeps } from './wiring/deps';
import { wireExamples } from './wiring/examples';
import { wireGovernance } from './wiring/governance';
import { wirePlatform } from './wiring/platform';
import { wireModelRegistryRoutes } from './wiring/registryRoutes';
import { wireReuse } from './wiring/reuse';
import { wireVersionRoutes } from './wiring/versionRoutes';
import { wireVersionStorage } from './wiring/versionStorage';

/**
 * The Model Hub backend plugin (`/api/model-hub`): model versions and the
 * content-addressed artifact store, the compliance gauntlet that earns tiers,
 * and the stewardship engine that turns problems into team tasks.
 */
export const modelHubPlugin = createBackendPlugin({
  pluginId: 'model-hub',
  register(env) {
    const extraChecks: GauntletCheck[] = [];
    env.registerExtensionPoint(modelHubGauntletExtensionPoint, {
      addCheck(...checks: GauntletCheck[]) {
        extraChecks.push(...checks);
      },
    });
    env.registerInit({
      deps: modelHubPluginDeps,
      async init(deps) {
        const { config, httpAuth, hubCatalog } = deps;
        const platform = await wirePlatform(deps);
        const { httpRouter } = platform;
        const storage = await wireVersionStorage(deps, platform);

        // Read routes look their model up per caller, briefly cached.
        // Misses through the hub's own catalog access (reused tokens, no gzip).
        const modelLookup = cachedModelLookup(hubCatalog, {
          ttlMs: readModelLookupCacheMs(config),
        });
        const { gauntlet, stewardship } = await wireGovernance(
          deps,
          platform,
          storage,
          { extraChecks, modelLookup },
        );
        // Routers in this order (src/wiring): reuse, versions and files,
        // gauntlet, search, stewardship, registry and lifecycle.
        const { usage } = await wireReuse(deps, platform, modelLookup);
        await wireVersionRoutes(deps, platform, storage, {
          modelLookup,
          usage,
        });
        httpRouter.use(gauntlet.router);
        // Server-side model search with facets and batched tiers (issue #18).
        httpRouter.use(
          await createModelSearchRouter({
            httpAuth,
            search: new ModelSearch({
              // The hub's catalog access: uncompressed, tokens reused per caller.
              catalog: hubCatalog,
              tiers: gauntlet.tiers,
              summaryTtlMs:
                (config.getOptionalNumber(
                  'modelHub.search.summaryCacheSeconds',
                ) ?? 10) * 1000,
            }),
          }),
        );
        httpRouter.use(stewardship.router);
        await wireModelRegistryRoutes(deps, platform, stewardship);

        wireExamples(deps, platform, {
          versions: storage.versions,
          gauntlet,
          usage,
        });
      },
    });
  },
});
