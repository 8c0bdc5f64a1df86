import {
  coreServices,
  createBackendModule,
} from '@backstage/backend-plugin-api';
import { ConfigReader } from '@backstage/config';
import { catalogProcessingExtensionPoint } from '@backstage/plugin-catalog-node';
import { modelHubIngestionSyncPermission } from '@internal/plugin-model-hub-common';
import { DatabaseIngestionStateStore } from './delta/IngestionStateStore';
import { startDemoMlflowSource } from './demo/demoSource';
import {
  HuggingFaceEntityProvider,
  readHuggingFaceSourceConfig,
} from './huggingface/HuggingFaceEntityProvider';
import {
  MlflowEntityProvider,
  MlflowSourceConfig,
  readMlflowSourceConfig,
} from './mlflow/MlflowEntityProvider';
import { IngestionEntityProvider } from './provider/IngestionEntityProvider';
import { createSourcesRouter } from './service/sourcesRouter';

/**
 * Catalog module of Model Hub ingestion: one entity provider per configured
 * MLflow registry (`modelHub.ingestion.mlflow[]`) and one for Hugging Face
 * (`modelHub.ingestion.huggingFace`); `modelHub.ingestion.demo: true` adds a
 * bundled fake MLflow registry for the example portal. Sources with
 * `enabled: false` are skipped; with no config the module adds nothing.
 * What each source last emitted is kept in the catalog's database, and the
 * sources' status and "sync now" are served under
 * `/api/catalog/model-hub-ingestion/sources`.
 */
export const catalogModuleModelHubIngestion = createBackendModule({
  pluginId: 'catalog',
  moduleId: 'model-hub-ingestion',
  register(reg) {
    reg.registerInit({
      deps: {
        catalog: catalogProcessingExtensionPoint,
        logger: coreServices.logger,
        config: coreServices.rootConfig,
        scheduler: coreServices.scheduler,
        database: coreServices.database,
        httpRouter: coreServices.httpRouter,
        httpAuth: coreServices.httpAuth,
        permissions: coreServices.permissions,
        lifecycle: coreServices.lifecycle,
        permissionsRegistry: coreServices.permissionsRegistry,
      },
      async init(deps) {
        const { catalog, logger, config, scheduler } = deps;
        const mlflowSources: MlflowSourceConfig[] = [];
        for (const c of config.getOptionalConfigArray(
          'modelHub.ingestion.mlflow',
        ) ?? []) {
          if (c.getOptionalBoolean('enabled') === false) continue;
          mlflowSources.push(readMlflowSourceConfig(c));
        }
        if (config.getOptionalBoolean('modelHub.ingestion.demo')) {
          const demo = await startDemoMlflowSource();
          deps.lifecycle.addShutdownHook(() => demo.server.close());
          logger.info(
            `Model Hub ingestion demo: a fake MLflow registry of ${demo.server.registry.models.length} models at ${demo.server.url} (modelHub.ingestion.demo)`,
          );
          mlflowSources.push(
            readMlflowSourceConfig(new ConfigReader(demo.source)),
          );
        }
        const hf = config.getOptionalConfig('modelHub.ingestion.huggingFace');
        const hfSource =
          hf && hf.getOptionalBoolean('enabled') !== false
            ? readHuggingFaceSourceConfig(hf)
            : undefined;
        if (mlflowSources.length === 0 && !hfSource) return;

        const ids = new Set<string>();
        for (const s of mlflowSources) {
          if (ids.has(s.sourceId)) {
            throw new Error(
              `modelHub.ingestion.mlflow has the id "${s.sourceId}" twice; ids must be unique`,
            );
          }
          ids.add(s.sourceId);
        }
        const state = await DatabaseIngestionStateStore.create({
          database: deps.database,
        });
        const providers: IngestionEntityProvider[] = mlflowSources.map(
          source =>
            new MlflowEntityProvider({
              source,
              scheduler,
              state,
              logger: logger.child({ provider: `mlflow:${source.sourceId}` }),
            }),
        );
        if (hfSource) {
          providers.push(
            new HuggingFaceEntityProvider({
              source: hfSource,
              scheduler,
              state,
              logger: logger.child({
                provider: `huggingface:${hfSource.sourceId}`,
              }),
            }),
          );
        }
        for (const p of providers) catalog.addEntityProvider(p);
        deps.permissionsRegistry.addPermissions([
          modelHubIngestionSyncPermission,
        ]);
        deps.httpRouter.use(
          createSourcesRouter({
            providers,
            scheduler,
            httpAuth: deps.httpAuth,
            permissions: deps.permissions,
          }),
        );
      },
    });
  },
});
