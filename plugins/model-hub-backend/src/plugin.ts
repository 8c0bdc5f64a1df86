import {
  coreServices,
  createBackendPlugin,
} from '@backstage/backend-plugin-api';
import { catalogServiceRef } from '@backstage/plugin-catalog-node';
import { modelHubPermissions } from '@internal/plugin-model-hub-common';
import { createArtifactStore, readArtifactsConfig } from './artifacts/config';
import { defaultFileScanner } from './artifacts/FileScanner';
import { UploadStaging } from './artifacts/UploadStaging';
import {
  modelHubModelPermissionRules,
  modelHubModelResourceRef,
} from './permissions/rules';
import { createRouter } from './service/router';
import { ModelVersionService } from './versions/ModelVersionService';
import { VersionStore } from './versions/VersionStore';

/**
 * The Model Hub backend plugin (`/api/model-hub`): model versions and the
 * content-addressed artifact store.
 */
export const modelHubPlugin = createBackendPlugin({
  pluginId: 'model-hub',
  register(env) {
    env.registerInit({
      deps: {
        logger: coreServices.logger,
        config: coreServices.rootConfig,
        database: coreServices.database,
        httpRouter: coreServices.httpRouter,
        httpAuth: coreServices.httpAuth,
        auth: coreServices.auth,
        permissions: coreServices.permissions,
        permissionsRegistry: coreServices.permissionsRegistry,
        catalog: catalogServiceRef,
      },
      async init({
        logger,
        config,
        database,
        httpRouter,
        httpAuth,
        auth,
        permissions,
        permissionsRegistry,
        catalog,
      }) {
        permissionsRegistry.addResourceType({
          resourceRef: modelHubModelResourceRef,
          permissions: modelHubPermissions,
          rules: Object.values(modelHubModelPermissionRules),
          async getResources(resourceRefs) {
            // Called by the permission backend to evaluate conditions.
            const credentials = await auth.getOwnServiceCredentials();
            const { items } = await catalog.getEntitiesByRefs(
              { entityRefs: resourceRefs },
              { credentials },
            );
            return items.map(entity =>
              entity?.kind.toLocaleLowerCase('en-US') === 'model'
                ? entity
                : undefined,
            );
          },
        });

        const artifactsConfig = readArtifactsConfig(config);
        const artifacts = createArtifactStore(artifactsConfig);
        logger.info(
          artifactsConfig.store.type === 's3'
            ? `Artifacts are stored in S3 bucket ${artifactsConfig.store.bucket}`
            : `Artifacts are stored in ${artifactsConfig.store.directory}`,
        );
        const staging = new UploadStaging({
          directory: artifactsConfig.stagingDirectory,
          maxBytes: artifactsConfig.maxUploadBytes,
        });
        const versions = new ModelVersionService({
          store: await VersionStore.create({ database }),
          artifacts,
          staging,
          scanner: defaultFileScanner,
          logger,
        });
        httpRouter.use(
          await createRouter({
            logger,
            httpAuth,
            permissions,
            catalog,
            versions,
            staging,
          }),
        );
      },
    });
  },
});
