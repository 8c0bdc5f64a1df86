import {
  gauntletPermissions,
  modelHubAuditReadPermission,
  modelHubPermissions,
  stewardshipPermissions,
} from '@internal/plugin-model-hub-common';
import { setupEventsAndAudit } from '../events/setup';
import { assertAdvisorySource } from '../production/advisorySource';
import {
  modelHubModelResourceRef,
  modelHubModelPermissionRules,
} from '../permissions/rules';
import {
  createModelResourceLoader,
  partitionPermissions,
  RegisteredModelStore,
} from '../registry';
import { TaskRunStore, withTaskRunLog } from '../scheduling';
import {
  readExposeInternalErrors,
  withErrorBoundary,
} from '../service/errorBoundary';
import { setupTokens } from '../tokens/setup';
import { ModelHubPluginDeps } from './deps';

/**
 * What every subsystem of the plugin stands on: the scheduler that logs its
 * task runs, the router behind the error boundary, the audit trail and
 * events, personal access tokens and service principals (the permissions
 * every router uses), and the model resource type of the permission
 * framework.
 */
export async function wirePlatform(deps: ModelHubPluginDeps) {
  const {
    logger,
    config,
    database,
    httpRouter: pluginRouter,
    httpAuth,
    auth,
    permissions: rawPermissions,
    permissionsRegistry,
    catalog,
    scheduler: clusterScheduler,
    auditor: rawAuditor,
    lifecycle,
    events,
  } = deps;
  // Every cluster-wide task run is logged with its replica
  // (model_hub_task_runs; README "Running several replicas").
  const scheduler = withTaskRunLog(clusterScheduler, {
    store: await TaskRunStore.create({ database }),
    logger,
  });
  // Every router below answers unexpected errors with one line and a
  // request id, never a message, path or stack (src/service/errorBoundary).
  const httpRouter = withErrorBoundary(pluginRouter, {
    logger,
    exposeInternal: readExposeInternalErrors(config),
  });
  // Production refuses to start without a real advisory source.
  await assertAdvisorySource(config);
  // Every audit event is also kept in the audit trail (admin view) and
  // the CI/CD-relevant ones go out as typed events and webhooks (#21).
  const eventsAndAudit = await setupEventsAndAudit({
    config,
    database,
    logger: logger.child({ service: 'events' }),
    auditor: rawAuditor,
    httpAuth,
    auth,
    catalog,
    permissions: rawPermissions,
    events,
    scheduler,
    lifecycle,
  });
  const auditor = eventsAndAudit.auditor;
  httpRouter.use(eventsAndAudit.router);
  permissionsRegistry.addPermissions([modelHubAuditReadPermission]);
  // Personal access tokens, and service principals limited to their
  // modelHub.servicePrincipals grants in every router below.
  const tokens = await setupTokens({
    config,
    database,
    logger,
    auth,
    httpAuth,
    auditor,
    catalog,
    permissions: rawPermissions,
    lifecycle,
  });
  const permissions = tokens.permissions;
  httpRouter.use(tokens.router);
  const registeredModels = await RegisteredModelStore.create({
    database,
  });
  // A resource type only takes permissions of its own type; the basic
  // ones (registering a model) are added on their own.
  const modelPermissions = partitionPermissions(
    [...modelHubPermissions, ...gauntletPermissions, ...stewardshipPermissions],
    modelHubModelResourceRef.resourceType,
  );
  permissionsRegistry.addResourceType({
    resourceRef: modelHubModelResourceRef,
    permissions: modelPermissions.resource,
    rules: Object.values(modelHubModelPermissionRules),
    // Called by the permission backend to evaluate conditions.
    getResources: createModelResourceLoader({
      catalog,
      auth,
      registeredModels,
    }),
  });
  permissionsRegistry.addPermissions(modelPermissions.basic);
  return { scheduler, httpRouter, auditor, permissions, registeredModels };
}

/** What {@link wirePlatform} gives the other subsystems. */
export type ModelHubPlatform = Awaited<ReturnType<typeof wirePlatform>>;
