import {
  coreServices,
  createBackendModule,
} from '@backstage/backend-plugin-api';
import { catalogProcessingExtensionPoint } from '@backstage/plugin-catalog-node';
import {
  HuggingFaceEntityProvider,
  readHuggingFaceSourceConfig,
} from './huggingface/HuggingFaceEntityProvider';
import {
  MlflowEntityProvider,
  readMlflowSourceConfig,
} from './mlflow/MlflowEntityProvider';

/**
 * Catalog module of Model Hub ingestion: one entity provider per configured
 * MLflow registry (`modelHub.ingestion.mlflow[]`) and one for Hugging Face
 * (`modelHub.ingestion.huggingFace`). Sources with
 * `enabled: false` are skipped; with no config the module adds nothing.
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
      },
      async init({ catalog, logger, config, scheduler }) {
        const ids = new Set<string>();
        for (const c of config.getOptionalConfigArray(
          'modelHub.ingestion.mlflow',
        ) ?? []) {
          if (c.getOptionalBoolean('enabled') === false) continue;
          const source = readMlflowSourceConfig(c);
          if (ids.has(source.sourceId)) {
            throw new Error(
              `modelHub.ingestion.mlflow has the id "${source.sourceId}" twice; ids must be unique`,
            );
          }
          ids.add(source.sourceId);
          catalog.addEntityProvider(
            new MlflowEntityProvider({
              source,
              scheduler,
              logger: logger.child({ provider: `mlflow:${source.sourceId}` }),
            }),
          );
        }
        const hf = config.getOptionalConfig('modelHub.ingestion.huggingFace');
        if (hf && hf.getOptionalBoolean('enabled') !== false) {
          const source = readHuggingFaceSourceConfig(hf);
          catalog.addEntityProvider(
            new HuggingFaceEntityProvider({
              source,
              scheduler,
              logger: logger.child({
                provider: `huggingface:${source.sourceId}`,
              }),
            }),
          );
        }
      },
    });
  },
});
