import fs from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import {
  BackendFeature,
  createBackendModule,
  createServiceFactory,
} from '@backstage/backend-plugin-api';
import { mockServices, startTestBackend } from '@backstage/backend-test-utils';
import { Entity } from '@backstage/catalog-model';
import {
  CatalogService,
  catalogServiceRef,
} from '@backstage/plugin-catalog-node';
import { catalogServiceMock } from '@backstage/plugin-catalog-node/testUtils';
import permissionBackend from '@backstage/plugin-permission-backend';
import {
  AuthorizeResult,
  isPermission,
  Permission,
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
  isModelHubPublishPermission,
  ModelHubModelPermission,
  modelHubAuditReadPermission,
  modelRegisterPermission,
} from '@internal/plugin-model-hub-common';
import { JsonObject } from '@backstage/types';
import { Knex } from 'knex';
import { gauntletPolicyDecision } from '../gauntlet/permissions';
import { importPolicyDecision } from '../ingestImport/permissions';
import {
  createModelHubConditionalDecision,
  modelHubConditions,
} from '../permissions/rules';
import { modelHubPlugin } from '../plugin';
import { HubCatalog, hubCatalogServiceRef } from '../service/hubCatalog';
import { capturingAuditorFactory, CapturedAuditEvent } from './auditor';
import { catalogServiceHubCatalogFactory } from './hubCatalogFactory';
import {
  testModelHubHttpAuthServiceFactory,
  testUserTokenIssuerFactory,
} from './httpAuth';

/** The owning team's condition for the permissions `applies` picks; allow for the rest. */
function ownersOnly(
  query: PolicyQuery,
  user: PolicyQueryUser | undefined,
  applies: (permission: Permission) => boolean,
): PolicyDecision {
  if (!applies(query.permission)) return { result: AuthorizeResult.ALLOW };
  return createModelHubConditionalDecision(
    query.permission as ModelHubModelPermission,
    modelHubConditions.isModelOwner({
      claims: user?.info.ownershipEntityRefs ?? [],
    }),
  );
}

/** The governance group of {@link portalShapedPolicy} unless told otherwise. */
export const TEST_GOVERNANCE_GROUP = 'group:default/ai-governance';

/**
 * The portal policy's shape: owner permissions for the owning team,
 * governance permissions for the governance group, everything else allowed.
 */
export function portalShapedPolicy(
  governanceGroup = TEST_GOVERNANCE_GROUP,
): PermissionPolicy {
  return {
    async handle(query, user) {
      const gauntlet = gauntletPolicyDecision(query.permission, user, {
        governanceGroup,
      });
      if (gauntlet) return gauntlet;
      const imports = importPolicyDecision(query.permission, user, {
        governanceGroup,
      });
      if (imports) return imports;
      return ownersOnly(query, user, isModelHubOwnerPermission);
    },
  };
}

/**
 * {@link portalShapedPolicy}, plus reading the audit trail and webhook
 * deliveries for the governance group only, as the portal's policy grants it.
 */
export function auditReadersPolicy(
  governanceGroup = TEST_GOVERNANCE_GROUP,
): PermissionPolicy {
  const portal = portalShapedPolicy(governanceGroup);
  return {
    async handle(query, user) {
      if (isPermission(query.permission, modelHubAuditReadPermission)) {
        return {
          result: user?.info.ownershipEntityRefs.includes(governanceGroup)
            ? AuthorizeResult.ALLOW
            : AuthorizeResult.DENY,
        };
      }
      return portal.handle(query, user);
    },
  };
}

/** Publishing is for the model's owners; everything else is allowed. */
export function ownersPublishPolicy(): PermissionPolicy {
  return {
    async handle(query, user) {
      return ownersOnly(query, user, isModelHubPublishPermission);
    },
  };
}

/**
 * The portal's registry rules: registering is for signed-in users, owner
 * permissions for the owning team, everything else allowed.
 */
export function registrantsPolicy(): PermissionPolicy {
  return {
    async handle(query, user) {
      if (isPermission(query.permission, modelRegisterPermission)) {
        return { result: user ? AuthorizeResult.ALLOW : AuthorizeResult.DENY };
      }
      return ownersOnly(query, user, isModelHubOwnerPermission);
    },
  };
}

/** A policy branch such as `gauntletPolicyDecision`: undefined where it has no say. */
export type PolicyBranch = (
  permission: Permission,
  user: PolicyQueryUser | undefined,
  options: { governanceGroup: string },
) => PolicyDecision | undefined;

/** One policy branch with the test governance group; allow where it has no say. */
export function branchPolicy(
  branch: PolicyBranch,
  governanceGroup = TEST_GOVERNANCE_GROUP,
): PermissionPolicy {
  return {
    async handle(query, user) {
      return (
        branch(query.permission, user, { governanceGroup }) ?? {
          result: AuthorizeResult.ALLOW,
        }
      );
    },
  };
}

/** Installs `policy` as the permission backend's policy. */
export function testPolicyModule(policy: PermissionPolicy): BackendFeature {
  return createBackendModule({
    pluginId: 'permission',
    moduleId: 'model-hub-test-policy',
    register(env) {
      env.registerInit({
        deps: { policy: policyExtensionPoint },
        async init({ policy: point }) {
          point.setPolicy(policy);
        },
      });
    },
  });
}

/** Group refs of each user ref (or a function of it), for their ownership claims. */
export type TestGroups =
  | Record<string, string[]>
  | ((userEntityRef: string) => string[]);

/** User info whose ownership claims are the user and its `groups`. */
export function testUserInfoFactory(groups: TestGroups = {}) {
  const groupsOf =
    typeof groups === 'function' ? groups : (ref: string) => groups[ref] ?? [];
  return mockServices.userInfo.mock({
    async getUserInfo(credentials) {
      const ref = (credentials.principal as { userEntityRef: string })
        .userEntityRef;
      return {
        userEntityRef: ref,
        ownershipEntityRefs: [ref, ...groupsOf(ref)],
      };
    },
  }).factory;
}

/** Serves `catalog` as the catalog service. */
export function testCatalogFactory(catalog: CatalogService) {
  return createServiceFactory({
    service: catalogServiceRef,
    deps: {},
    factory: () => catalog,
  });
}

export { catalogServiceHubCatalogFactory };

/** Options of {@link startModelHubTestBackend}. */
export interface ModelHubTestBackendOptions {
  /** The catalog's entities. */
  entities: Entity[];
  /** Group refs of each user ref (or a function of it), for their ownership claims. */
  groups?: TestGroups;
  /** The permission policy; {@link portalShapedPolicy} by default. */
  policy?: PermissionPolicy;
  /** A test database; the backend's default in-memory SQLite otherwise. */
  knex?: Knex;
  /** `modelHub` config; artifact and staging directories are added under `dataDir`. */
  modelHub?: JsonObject;
  /** Changes the catalog the plugin sees (e.g. to make it fail). */
  wrapCatalog?(catalog: CatalogService): CatalogService;
  /** The hub's catalog reads (`hubCatalogServiceRef`); the catalog service by default. */
  hubCatalog?(catalog: CatalogService): HubCatalog;
  /** Where artifacts and staging live; a new temporary directory (removed by `stop`) by default. */
  dataDir?: string;
  /** More features or service factories (e.g. a capturing logger). */
  features?: Array<BackendFeature>;
}

/** A running Model Hub test backend with the permission backend and a mock catalog. */
export interface ModelHubTestBackend {
  server: any;
  /** Holds `artifacts/` and `staging/`; removed by `stop`. */
  dataDir: string;
  /** Every audit event the backend recorded. */
  audit: CapturedAuditEvent[];
  stop(): Promise<void>;
}

/**
 * Starts the model-hub plugin as a portal runs it: real permission backend
 * and policy, PATs and service principal grants, a capturing auditor, local
 * artifacts in a temporary directory. One per test file (or per database).
 */
export async function startModelHubTestBackend(
  options: ModelHubTestBackendOptions,
): Promise<ModelHubTestBackend> {
  const dataDir =
    options.dataDir ??
    (await fs.mkdtemp(path.join(os.tmpdir(), 'model-hub-test-')));
  const audit: CapturedAuditEvent[] = [];
  const policy = options.policy ?? portalShapedPolicy();
  const catalog = catalogServiceMock({ entities: options.entities });
  const wrapped = options.wrapCatalog?.(catalog) ?? catalog;
  const modelHub = options.modelHub ?? {};
  const backend = await startTestBackend({
    features: [
      modelHubPlugin,
      permissionBackend,
      testPolicyModule(policy),
      testCatalogFactory(wrapped),
      options.hubCatalog
        ? createServiceFactory({
            service: hubCatalogServiceRef,
            deps: {},
            factory: () => options.hubCatalog!(wrapped),
          })
        : catalogServiceHubCatalogFactory,
      testUserInfoFactory(options.groups),
      testModelHubHttpAuthServiceFactory,
      testUserTokenIssuerFactory,
      capturingAuditorFactory(audit),
      ...(options.knex
        ? [mockServices.database.factory({ knex: options.knex })]
        : []),
      ...(options.features ?? []),
      mockServices.rootConfig.factory({
        data: {
          permission: { enabled: true },
          modelHub: {
            stewardship: { enabled: false },
            ...modelHub,
            artifacts: {
              stagingDirectory: path.join(dataDir, 'staging'),
              local: { directory: path.join(dataDir, 'artifacts') },
              ...(modelHub.artifacts as JsonObject | undefined),
            },
          },
        },
      }),
    ],
  });
  return {
    server: backend.server,
    dataDir,
    audit,
    async stop() {
      await backend.stop();
      if (!options.dataDir) {
        await fs.rm(dataDir, { recursive: true, force: true });
      }
    },
  };
}
