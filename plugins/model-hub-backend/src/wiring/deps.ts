import { coreServices, ServiceRef } from '@backstage/backend-plugin-api';
import { catalogServiceRef } from '@backstage/plugin-catalog-node';
import { notificationService } from '@backstage/plugin-notifications-node';
import { eventsServiceRef } from '@backstage/plugin-events-node';
import { hubCatalogServiceRef } from '../service/hubCatalog';
import { hfDownloadRecorderServiceRef } from '../hf';

/** The services the Model Hub plugin depends on. */
export const modelHubPluginDeps = {
  logger: coreServices.logger,
  config: coreServices.rootConfig,
  database: coreServices.database,
  httpRouter: coreServices.httpRouter,
  httpAuth: coreServices.httpAuth,
  auth: coreServices.auth,
  permissions: coreServices.permissions,
  permissionsRegistry: coreServices.permissionsRegistry,
  catalog: catalogServiceRef,
  scheduler: coreServices.scheduler,
  userInfo: coreServices.userInfo,
  auditor: coreServices.auditor,
  lifecycle: coreServices.lifecycle,
  notifications: notificationService,
  events: eventsServiceRef,
  hfDownloads: hfDownloadRecorderServiceRef,
  hubCatalog: hubCatalogServiceRef,
};

/** {@link modelHubPluginDeps} as the plugin's init receives them. */
export type ModelHubPluginDeps = {
  [K in keyof typeof modelHubPluginDeps]: (typeof modelHubPluginDeps)[K] extends ServiceRef<
    infer S,
    any,
    any
  >
    ? S
    : never;
};
