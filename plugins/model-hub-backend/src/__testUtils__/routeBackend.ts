import {
  AuditorService,
  AuthService,
  BackendFeature,
  coreServices,
  createBackendPlugin,
  DatabaseService,
  HttpAuthService,
  HttpRouterService,
  LoggerService,
  PermissionsRegistryService,
  PermissionsService,
  RootConfigService,
  UserInfoService,
} from '@backstage/backend-plugin-api';
import { mockServices, startTestBackend } from '@backstage/backend-test-utils';
import { Entity } from '@backstage/catalog-model';
import {
  CatalogService,
  catalogServiceRef,
} from '@backstage/plugin-catalog-node';
import { catalogServiceMock } from '@backstage/plugin-catalog-node/testUtils';
import permissionBackend from '@backstage/plugin-permission-backend';
import { Permission } from '@backstage/plugin-permission-common';
import { PermissionPolicy } from '@backstage/plugin-permission-node';
import { JsonObject } from '@backstage/types';
import { Knex } from 'knex';
import {
  modelHubModelPermissionRules,
  modelHubModelResourceRef,
} from '../permissions/rules';
import { partitionPermissions } from '../registry/resources';
import { capturingAuditorFactory, CapturedAuditEvent } from './auditor';
import { testHttpAuthServiceFactory } from './httpAuth';
import {
  testCatalogFactory,
  TestGroups,
  testPolicyModule,
  testUserInfoFactory,
} from './modelHubBackend';

/** The services a route test plugin gets, plus the backend's fake clock. */
export interface RouteTestDeps {
  config: RootConfigService;
  database: DatabaseService;
  logger: LoggerService;
  auth: AuthService;
  httpAuth: HttpAuthService;
  httpRouter: HttpRouterService;
  permissions: PermissionsService;
  permissionsRegistry: PermissionsRegistryService;
  userInfo: UserInfoService;
  auditor: AuditorService;
  catalog: CatalogService;
  /** The fake clock: starts at `now` and moves only by `setNow`. */
  clock: () => Date;
}

/** Options of {@link startRouteTestBackend}. */
export interface RouteTestBackendOptions {
  /** The catalog's entities. */
  entities: Entity[];
  /** Group refs of each user ref, for their ownership claims. */
  groups?: TestGroups;
  /** The permission policy. */
  policy: PermissionPolicy;
  /** A test database (migrations run); the backend's in-memory SQLite otherwise. */
  knex?: Knex;
  /** `modelHub` config. */
  modelHub?: JsonObject;
  /** Where the fake clock starts. */
  now?: Date;
  /** The auditor; a capturing one that fills `audit` by default. */
  auditor?: BackendFeature;
  /** More features or service factories. */
  features?: BackendFeature[];
  /** Mounts the routers under test (as plugin.ts would) with the test services. */
  setup(deps: RouteTestDeps): Promise<void>;
}

/** A running route test backend. */
export interface RouteTestBackend {
  server: any;
  /** The catalog the plugin sees (spy on it to observe calls). */
  catalog: ReturnType<typeof catalogServiceMock>;
  /** Every audit event of the default capturing auditor. */
  audit: CapturedAuditEvent[];
  /** Moves the fake clock. */
  setNow(now: Date): void;
  stop(): Promise<void>;
}

/**
 * Registers the model resource type with `permissions` (the basic ones on
 * their own), as plugin.ts does; resources are the catalog's entities unless
 * `getResources` says otherwise.
 */
export function registerModelResourceType(
  deps: Pick<RouteTestDeps, 'permissionsRegistry' | 'auth' | 'catalog'>,
  permissions: Permission[],
  getResources?: (refs: string[]) => Promise<Array<Entity | undefined>>,
) {
  const parts = partitionPermissions(
    permissions,
    modelHubModelResourceRef.resourceType,
  );
  deps.permissionsRegistry.addResourceType({
    resourceRef: modelHubModelResourceRef,
    permissions: parts.resource,
    rules: Object.values(modelHubModelPermissionRules),
    getResources:
      getResources ??
      (async refs => {
        const credentials = await deps.auth.getOwnServiceCredentials();
        const { items } = await deps.catalog.getEntitiesByRefs(
          { entityRefs: refs },
          { credentials },
        );
        return items.map(e => e ?? undefined);
      }),
  });
  if (parts.basic.length) deps.permissionsRegistry.addPermissions(parts.basic);
}

/**
 * Starts a backend whose model-hub plugin mounts only the routers `setup`
 * adds, next to the real permission backend with `policy`, a mock catalog,
 * user info from `groups`, the test http auth and a fake clock.
 */
export async function startRouteTestBackend(
  options: RouteTestBackendOptions,
): Promise<RouteTestBackend> {
  let now = options.now ?? new Date('2026-11-27T10:00:00.000Z');
  const audit: CapturedAuditEvent[] = [];
  const catalog = catalogServiceMock({ entities: options.entities });
  const testPlugin = createBackendPlugin({
    pluginId: 'model-hub',
    register(env) {
      env.registerInit({
        deps: {
          config: coreServices.rootConfig,
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
          await options.setup({ ...deps, clock: () => now });
        },
      });
    },
  });
  const backend = await startTestBackend({
    features: [
      testPlugin,
      permissionBackend,
      testPolicyModule(options.policy),
      testCatalogFactory(catalog),
      testUserInfoFactory(options.groups),
      options.auditor ?? capturingAuditorFactory(audit),
      testHttpAuthServiceFactory,
      ...(options.knex
        ? [mockServices.database.factory({ knex: options.knex })]
        : []),
      ...(options.features ?? []),
      mockServices.rootConfig.factory({
        data: {
          permission: { enabled: true },
          ...(options.modelHub ? { modelHub: options.modelHub } : {}),
        },
      }),
    ],
  });
  return {
    server: backend.server,
    catalog,
    audit,
    setNow(value) {
      now = value;
    },
    stop: () => backend.stop(),
  };
}
