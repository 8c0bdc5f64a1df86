import {
  coreServices,
  createBackendModule,
  createServiceFactory,
} from '@backstage/backend-plugin-api';
import {
  createMockDirectory,
  mockServices,
  startTestBackend,
} from '@backstage/backend-test-utils';
import catalogPlugin from '@backstage/plugin-catalog-backend';
import {
  catalogConditions,
  createCatalogConditionalDecision,
} from '@backstage/plugin-catalog-backend/alpha';
import { catalogEntityReadPermission } from '@backstage/plugin-catalog-common/alpha';
import permissionBackend from '@backstage/plugin-permission-backend';
import {
  AuthorizeResult,
  isPermission,
} from '@backstage/plugin-permission-common';
import { policyExtensionPoint } from '@backstage/plugin-permission-node/alpha';
// The hub's real plugin, next to a real catalog with a real permission
// policy; the module itself only speaks to the hub over HTTP.
// eslint-disable-next-line @backstage/no-mixed-plugin-imports
import modelHubPlugin from '@internal/plugin-model-hub-backend';
// The hub's test http auth (tokens keep their calling plugin as the actor),
// one copy for both packages; the file needs none of the hub's runtime code.
// eslint-disable-next-line @backstage/no-mixed-plugin-imports
import { testHttpAuthServiceFactory } from '@internal/plugin-model-hub-backend/src/__testUtils__/shared/httpAuth';
import catalogModuleModelHub from '../index';

/** Mia, of the marketing team (the team the policy hides). */
export const MIA = 'user:default/mia';
/** Alice, of the ml-team (an outsider to marketing). */
export const ALICE = 'user:default/alice';
/** The team whose entities the policy hides from everyone outside it. */
export const MARKETING = 'group:default/marketing';
const GROUPS: Record<string, string[]> = {
  [MIA]: [MARKETING],
  [ALICE]: ['group:default/ml-team'],
};

/** The two teams and their users, as catalog YAML. */
export const TEAMS_YAML = `
apiVersion: backstage.io/v1alpha1
kind: Group
metadata: { name: marketing }
spec: { type: team, children: [] }
---
apiVersion: backstage.io/v1alpha1
kind: Group
metadata: { name: ml-team }
spec: { type: team, children: [] }
---
apiVersion: backstage.io/v1alpha1
kind: User
metadata: { name: mia }
spec: { memberOf: [marketing] }
---
apiVersion: backstage.io/v1alpha1
kind: User
metadata: { name: alice }
spec: { memberOf: [ml-team] }
`;

/** A catalog policy that hides marketing's entities from everyone outside it. */
const hideMarketingPolicy = createBackendModule({
  pluginId: 'permission',
  moduleId: 'test-hide-marketing',
  register(env) {
    env.registerInit({
      deps: { policy: policyExtensionPoint },
      async init({ policy }) {
        policy.setPolicy({
          async handle(query, user) {
            if (isPermission(query.permission, catalogEntityReadPermission)) {
              if (user?.info.ownershipEntityRefs.includes(MARKETING)) {
                return { result: AuthorizeResult.ALLOW };
              }
              return createCatalogConditionalDecision(query.permission, {
                not: catalogConditions.isEntityOwner({ claims: [MARKETING] }),
              });
            }
            return { result: AuthorizeResult.ALLOW };
          },
        });
      },
    });
  },
});

/**
 * Starts a real catalog reading `yaml` (after {@link TEAMS_YAML}) with this
 * module, the hub's real plugin, the permission backend with a policy that
 * hides marketing's entities from outsiders, and one mock scheduler whose
 * tasks the test triggers. Stop the backend at the end of the test.
 */
export async function startHubCatalogBackend(
  dir: ReturnType<typeof createMockDirectory>,
  yaml: string,
  options: {
    /** `backend.database` of every plugin (default: SQLite in memory). */
    database?: {
      client: string;
      connection: Record<string, string | number>;
      pluginDivisionMode?: 'database' | 'schema';
    };
  } = {},
) {
  dir.setContent({
    'catalog.yaml': TEAMS_YAML + yaml,
    'artifacts/.keep': '',
    'staging/.keep': '',
  });
  const scheduler = mockServices.scheduler();
  const backend = await startTestBackend({
    features: [
      catalogPlugin,
      catalogModuleModelHub,
      modelHubPlugin,
      permissionBackend,
      hideMarketingPolicy,
      testHttpAuthServiceFactory,
      createServiceFactory({
        service: coreServices.scheduler,
        deps: {},
        factory: () => scheduler,
      }),
      mockServices.userInfo.mock({
        async getUserInfo(credentials) {
          const ref = (credentials.principal as { userEntityRef: string })
            .userEntityRef;
          return {
            userEntityRef: ref,
            ownershipEntityRefs: [ref, ...(GROUPS[ref] ?? [])],
          };
        },
      }).factory,
      mockServices.rootConfig.factory({
        data: {
          ...(options.database
            ? { backend: { database: options.database } }
            : {}),
          permission: { enabled: true },
          modelHub: {
            catalog: { tierRefreshSeconds: 1 },
            artifacts: {
              stagingDirectory: dir.resolve('staging'),
              local: { directory: dir.resolve('artifacts') },
            },
          },
          catalog: {
            processingInterval: { seconds: 1 },
            rules: [{ allow: ['Model', 'Location', 'Group', 'User'] }],
            locations: [{ type: 'file', target: dir.resolve('catalog.yaml') }],
          },
        },
      }),
    ],
  });
  return { backend, scheduler };
}
