import {
  coreServices,
  createBackendPlugin,
  createServiceFactory,
} from '@backstage/backend-plugin-api';
import {
  createMockDirectory,
  mockCredentials,
  mockServices,
  startTestBackend,
} from '@backstage/backend-test-utils';
import { Entity } from '@backstage/catalog-model';
import catalogPlugin from '@backstage/plugin-catalog-backend';
import { catalogServiceRef } from '@backstage/plugin-catalog-node';
// The test runs the hub's real routes next to a real catalog; the module
// itself only speaks to the hub over HTTP.
// eslint-disable-next-line @backstage/no-mixed-plugin-imports
import {
  createLifecycleRouter,
  createRegistryRouter,
  DeprecationStore,
  RegisteredModelStore,
} from '@internal/plugin-model-hub-backend';
import request from 'supertest';
import catalogModuleModelHub from './index';
import { waitFor } from './__testUtils__/waitFor';

const ALICE = 'user:default/alice';

const YAML = `
apiVersion: backstage.io/v1alpha1
kind: Group
metadata: { name: ml-team }
spec: { type: team, children: [] }
---
apiVersion: backstage.io/v1alpha1
kind: User
metadata: { name: alice }
spec: { memberOf: [ml-team] }
---
apiVersion: modelhub.io/v1alpha1
kind: Model
metadata: { name: legacy-model }
spec:
  type: classifier
  task: text-classification
  owner: group:default/ml-team
  lifecycle: production
  tier: community
  license: MIT
---
apiVersion: modelhub.io/v1alpha1
kind: Model
metadata: { name: next-model }
spec:
  type: classifier
  task: text-classification
  owner: group:default/ml-team
  lifecycle: production
  tier: community
  license: MIT
`;

/**
 * The hub's registry and lifecycle routes, as plugin.ts wires them (without
 * the permission framework: permissions are disabled in this portal).
 */
const hubPlugin = createBackendPlugin({
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
        userInfo: coreServices.userInfo,
        auditor: coreServices.auditor,
        catalog: catalogServiceRef,
      },
      async init(deps) {
        const store = await RegisteredModelStore.create({
          database: deps.database,
        });
        deps.httpRouter.use(await createRegistryRouter({ ...deps, store }));
        deps.httpRouter.use(
          await createLifecycleRouter({
            ...deps,
            store: await DeprecationStore.create({ database: deps.database }),
          }),
        );
      },
    });
  },
});

describe('registering and deprecating models through the hub (end to end)', () => {
  jest.setTimeout(120_000);
  const dir = createMockDirectory();

  it('puts a registered model in the catalog, refuses a YAML-managed one, and overlays a deprecation with its supersededBy relation', async () => {
    dir.setContent({ 'catalog.yaml': YAML });
    // The test backend's scheduler does not repeat tasks; the provider's
    // runs (every few seconds in a portal) are triggered here.
    const scheduler = mockServices.scheduler();
    const providerRun = () =>
      scheduler.triggerTask('model-hub-registered-models');
    const backend = await startTestBackend({
      features: [
        catalogPlugin,
        catalogModuleModelHub,
        hubPlugin,
        createServiceFactory({
          service: coreServices.scheduler,
          deps: {},
          factory: () => scheduler,
        }),
        mockServices.userInfo.mock({
          async getUserInfo() {
            return {
              userEntityRef: ALICE,
              ownershipEntityRefs: [ALICE, 'group:default/ml-team'],
            };
          },
        }).factory,
        mockServices.rootConfig.factory({
          data: {
            modelHub: {
              catalog: { tierRefreshSeconds: 1 },
            },
            catalog: {
              processingInterval: { seconds: 1 },
              rules: [{ allow: ['Model', 'Location', 'Group', 'User'] }],
              locations: [
                { type: 'file', target: dir.resolve('catalog.yaml') },
              ],
            },
          },
        }),
      ],
    });
    const asAlice = mockCredentials.user.header(ALICE);
    const entity = async (name: string) => {
      const res = await request(backend.server)
        .get(`/api/catalog/entities/by-name/model/default/${name}`)
        .set('Authorization', asAlice);
      return res.status === 200 ? (res.body as Entity) : undefined;
    };

    try {
      await waitFor('the YAML models', () => entity('next-model'));

      const conflict = await request(backend.server)
        .post('/api/model-hub/v1/registered-models')
        .set('Authorization', asAlice)
        .send({
          entity: {
            apiVersion: 'modelhub.io/v1alpha1',
            kind: 'Model',
            metadata: { name: 'legacy-model' },
            spec: {
              type: 'classifier',
              task: 'text-classification',
              owner: 'group:default/ml-team',
              lifecycle: 'production',
              tier: 'community',
              license: 'MIT',
            },
          },
        });
      expect(conflict.status).toBe(409);
      expect(conflict.body.error.message).toMatch(
        /^model:default\/legacy-model already exists in the catalog, managed by file:/,
      );

      const registered = await request(backend.server)
        .post('/api/model-hub/v1/registered-models')
        .set('Authorization', asAlice)
        .send({
          entity: {
            apiVersion: 'modelhub.io/v1alpha1',
            kind: 'Model',
            metadata: { name: 'invoice-extractor' },
            spec: {
              type: 'llm',
              task: 'text-generation',
              owner: 'group:default/ml-team',
              steward: 'user:default/alice',
              lifecycle: 'experimental',
              tier: 'community',
              license: 'Apache-2.0',
            },
          },
        });
      expect(registered.body).toMatchObject({ created: true });
      expect(registered.status).toBe(201);
      await providerRun();

      const fromHub = await waitFor('the registered model in the catalog', () =>
        entity('invoice-extractor'),
      );
      expect(fromHub.metadata.annotations).toMatchObject({
        'backstage.io/managed-by-location': expect.stringMatching(
          /^model-hub:http:\/\/localhost:\d+\/api\/model-hub\/v1\/registered-models\/default\/invoice-extractor$/,
        ),
        'modelhub.io/registered-by': ALICE,
      });
      expect(fromHub.relations).toContainEqual({
        type: 'ownedBy',
        targetRef: 'group:default/ml-team',
      });

      // A hub-managed model can be registered again (updated).
      const updated = await request(backend.server)
        .post('/api/model-hub/v1/registered-models')
        .set('Authorization', asAlice)
        .send({
          entity: {
            ...registered.body.entity,
            metadata: {
              ...registered.body.entity.metadata,
              description: 'Reads invoices',
            },
          },
        });
      expect(updated.status).toBe(200);
      await providerRun();
      await waitFor('the updated description', async () =>
        (await entity('invoice-extractor'))?.metadata.description ===
        'Reads invoices'
          ? true
          : undefined,
      );

      const deprecated = await request(backend.server)
        .put('/api/model-hub/v1/models/default/legacy-model/deprecation')
        .set('Authorization', asAlice)
        .send({ reason: 'Use next-model', successor: 'next-model' });
      expect(deprecated.status).toBe(200);

      const legacy = await waitFor(
        'the deprecation in the catalog',
        async () => {
          const e = await entity('legacy-model');
          return e?.spec?.lifecycle === 'deprecated' ? e : undefined;
        },
      );
      expect(legacy.spec?.successor).toBe('model:default/next-model');
      expect(legacy.metadata.annotations).toMatchObject({
        'modelhub.io/deprecation-reason': 'Use next-model',
        'modelhub.io/deprecated-by': ALICE,
      });
      expect(legacy.relations).toContainEqual({
        type: 'supersededBy',
        targetRef: 'model:default/next-model',
      });

      const withdrawn = await request(backend.server)
        .delete('/api/model-hub/v1/models/default/legacy-model/deprecation')
        .set('Authorization', asAlice);
      expect(withdrawn.status).toBe(204);
      const restored = await waitFor(
        'the withdrawal in the catalog',
        async () => {
          const e = await entity('legacy-model');
          return e?.spec?.lifecycle === 'production' ? e : undefined;
        },
      );
      expect(restored.spec).not.toHaveProperty('successor');
      expect(restored.metadata.annotations).not.toHaveProperty(
        'modelhub.io/deprecation-reason',
      );

      // Unregistering removes the model from the catalog on the next read.
      const removed = await request(backend.server)
        .delete('/api/model-hub/v1/registered-models/default/invoice-extractor')
        .set('Authorization', asAlice);
      expect(removed.status).toBe(204);
      await providerRun();
      await waitFor('the unregistered model to leave the catalog', async () =>
        (await entity('invoice-extractor')) ? undefined : true,
      );
    } finally {
      await backend.stop();
    }
  });
});
