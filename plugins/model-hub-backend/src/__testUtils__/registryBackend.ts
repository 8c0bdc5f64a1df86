import {
  coreServices,
  createBackendModule,
  createBackendPlugin,
  createServiceFactory,
} from '@backstage/backend-plugin-api';
import { mockServices, startTestBackend } from '@backstage/backend-test-utils';
import { Entity } from '@backstage/catalog-model';
import { catalogServiceRef } from '@backstage/plugin-catalog-node';
import { catalogServiceMock } from '@backstage/plugin-catalog-node/testUtils';
import permissionBackend from '@backstage/plugin-permission-backend';
import {
  AuthorizeResult,
  isPermission,
  PolicyDecision,
} from '@backstage/plugin-permission-common';
import {
  PermissionPolicy,
  PolicyQuery,
  PolicyQueryUser,
} from '@backstage/plugin-permission-node';
import { policyExtensionPoint } from '@backstage/plugin-permission-node/alpha';
import {
  isModelHubOwnerPermission,
  modelHubPermissions,
  modelRegisterPermission,
} from '@internal/plugin-model-hub-common';
import { createLifecycleRouter, DeprecationStore } from '../lifecycle';
import { testHttpAuthServiceFactory } from './httpAuth';
import {
  modelHubModelPermissionRules,
  modelHubModelResourceRef,
  modelHubConditions,
  createModelHubConditionalDecision,
} from '../permissions/rules';
import {
  createModelResourceLoader,
  createRegistryRouter,
  partitionPermissions,
  RegisteredModelStore,
} from '../registry';

/** The portal's default policy for Model Hub permissions, for the tests. */
class RegistryTestPolicy implements PermissionPolicy {
  async handle(
    query: PolicyQuery,
    user?: PolicyQueryUser,
  ): Promise<PolicyDecision> {
    if (isPermission(query.permission, modelRegisterPermission)) {
      return { result: user ? AuthorizeResult.ALLOW : AuthorizeResult.DENY };
    }
    if (isModelHubOwnerPermission(query.permission)) {
      return createModelHubConditionalDecision(
        query.permission,
        modelHubConditions.isModelOwner({
          claims: user?.info.ownershipEntityRefs ?? [],
        }),
      );
    }
    return { result: AuthorizeResult.ALLOW };
  }
}

const policyModule = createBackendModule({
  pluginId: 'permission',
  moduleId: 'test-registry-policy',
  register(env) {
    env.registerInit({
      deps: { policy: policyExtensionPoint },
      async init({ policy }) {
        policy.setPolicy(new RegistryTestPolicy());
      },
    });
  },
});

/** What a test backend with the registry and lifecycle routes exposes. */
export interface RegistryTestBackend {
  server: any;
  catalog: ReturnType<typeof catalogServiceMock>;
  /** The lifecycle router's `onApplied` (runs 200 ms after a change at the latest here). */
  onApplied: jest.Mock;
  auditEvents: Array<{ eventId: string; outcome: string; meta: unknown }>;
  setNow(now: Date): void;
  stop(): Promise<void>;
}

/**
 * Starts a backend with the model-hub registry and lifecycle routes wired as
 * in plugin.ts (permission backend, conditional owner policy, in-memory
 * catalog holding `entities`, users and their groups from `groups`).
 */
export async function startRegistryTestBackend(options: {
  entities: Entity[];
  groups: Record<string, string[]>;
  extraFeatures?: any[];
}): Promise<RegistryTestBackend> {
  let now = new Date('2026-11-27T10:00:00.000Z');
  const auditEvents: RegistryTestBackend['auditEvents'] = [];
  const catalog = catalogServiceMock({ entities: options.entities });
  jest.spyOn(catalog, 'refreshEntity');
  const onApplied = jest.fn(async () => {});

  const userInfo = mockServices.userInfo.mock({
    async getUserInfo(credentials) {
      const ref = (credentials.principal as { userEntityRef: string })
        .userEntityRef;
      return {
        userEntityRef: ref,
        ownershipEntityRefs: [ref, ...(options.groups[ref] ?? [])],
      };
    },
  });
  const auditor = mockServices.auditor.mock({
    async createEvent(o) {
      return {
        success: async () => {
          auditEvents.push({
            eventId: o.eventId,
            outcome: 'success',
            meta: o.meta,
          });
        },
        fail: async () => {
          auditEvents.push({
            eventId: o.eventId,
            outcome: 'fail',
            meta: o.meta,
          });
        },
      };
    },
  });

  const testPlugin = createBackendPlugin({
    pluginId: 'model-hub',
    register(env) {
      env.registerInit({
        deps: {
          database: coreServices.database,
          logger: coreServices.logger,
          auth: coreServices.auth,
          httpAuth: coreServices.httpAuth,
          httpRouter: coreServices.httpRouter,
          permissions: coreServices.permissions,
          permissionsRegistry: coreServices.permissionsRegistry,
          userInfo: coreServices.userInfo,
          auditor: coreServices.auditor,
          catalog: catalogServiceRef,
        },
        async init(deps) {
          const registeredModels = await RegisteredModelStore.create({
            database: deps.database,
          });
          const permissions = partitionPermissions(
            modelHubPermissions,
            modelHubModelResourceRef.resourceType,
          );
          deps.permissionsRegistry.addResourceType({
            resourceRef: modelHubModelResourceRef,
            permissions: permissions.resource,
            rules: Object.values(modelHubModelPermissionRules),
            getResources: createModelResourceLoader({
              catalog: deps.catalog,
              auth: deps.auth,
              registeredModels,
            }),
          });
          deps.permissionsRegistry.addPermissions(permissions.basic);
          deps.httpRouter.use(
            await createRegistryRouter({
              ...deps,
              store: registeredModels,
              clock: () => now,
            }),
          );
          deps.httpRouter.use(
            await createLifecycleRouter({
              ...deps,
              store: await DeprecationStore.create({ database: deps.database }),
              clock: () => now,
              onApplied,
              followTimeoutMs: 200,
              async pendingModel(entityRef) {
                return (await registeredModels.get(entityRef))?.entity;
              },
            }),
          );
        },
      });
    },
  });

  const backend = await startTestBackend({
    features: [
      testPlugin,
      permissionBackend,
      policyModule,
      createServiceFactory({
        service: catalogServiceRef,
        deps: {},
        factory: () => catalog,
      }),
      userInfo.factory,
      auditor.factory,
      testHttpAuthServiceFactory,
      mockServices.rootConfig.factory({
        data: { permission: { enabled: true } },
      }),
      ...(options.extraFeatures ?? []),
    ],
  });
  return {
    server: backend.server,
    catalog,
    onApplied,
    auditEvents,
    setNow(value) {
      now = value;
    },
    stop: () => backend.stop(),
  };
}
