import { ModelCache, READ_CACHE_DEFAULTS } from '../database/ModelCache';
import { createHfRouter, readHfConfig } from '../hf';
import { setupImports } from '../ingestImport';
import { ModelLookup } from '../service/cachedEntityLookup';
import { createRouter } from '../service/router';
import { setupTransfers } from '../transfers/setup';
import { PullRecorder } from '../usage';
import { ModelHubPluginDeps } from './deps';
import { ModelHubPlatform } from './platform';
import { ModelHubVersionStorage } from './versionStorage';

/**
 * The routes of versions and their files, in this order: the versions API,
 * multipart uploads and dedupe (issue #16), imports of ingested models
 * (issue #20) and the read-only Hugging Face Hub protocol; downloads
 * through the file routes and the HF endpoints count as pulls.
 */
export async function wireVersionRoutes(
  deps: ModelHubPluginDeps,
  platform: ModelHubPlatform,
  storage: ModelHubVersionStorage,
  options: { modelLookup: ModelLookup; usage: { recorder: PullRecorder } },
) {
  const { logger, config, database, httpAuth, auth, catalog, hfDownloads } =
    deps;
  const { scheduler, httpRouter, auditor, permissions } = platform;
  const {
    versions,
    versionStore,
    staging,
    directTransfers,
    modelChanges,
    artifactsConfig,
  } = storage;
  const { modelLookup, usage } = options;
  httpRouter.use(
    await createRouter({
      logger,
      httpAuth,
      permissions,
      catalog,
      versions,
      staging,
      auditor,
      onFileDownload: d => usage.recorder.record(d),
      directTransfers,
      modelLookup,
      versionListCache: new ModelCache({
        feed: modelChanges,
        ...READ_CACHE_DEFAULTS,
      }),
    }),
  );
  // Multipart uploads and dedupe by content (issue #16).
  const transfers = await setupTransfers({
    config,
    database,
    scheduler,
    logger,
    httpAuth,
    permissions,
    catalog,
    versions,
    versionStore,
    stagingDirectory: artifactsConfig.stagingDirectory,
    maxUploadBytes: artifactsConfig.maxUploadBytes,
    directTransfers,
  });
  httpRouter.use(transfers.router);
  // Import of ingested models' upstream versions (issue #20).
  const imports = await setupImports({
    config,
    database,
    scheduler,
    logger: logger.child({ service: 'import' }),
    auth,
    httpAuth,
    permissions,
    catalog,
    auditor,
    versions,
    staging,
  });
  httpRouter.use(imports.router);
  // The Hugging Face Hub protocol, read-only (/api/model-hub/hf).
  httpRouter.use(
    await createHfRouter({
      logger,
      httpAuth,
      auth,
      catalog,
      versions,
      config: readHfConfig(config),
      // A download through the HF endpoints is a pull by the token's
      // user, like one through the hub's own file route.
      onDownload: async download => {
        await hfDownloads(download);
        await usage.recorder.record(download);
      },
    }),
  );
}
