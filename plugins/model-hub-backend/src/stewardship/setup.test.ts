import {
  coreServices,
  createBackendPlugin,
  createServiceFactory,
} from '@backstage/backend-plugin-api';
import {
  mockCredentials,
  mockServices,
  startTestBackend,
} from '@backstage/backend-test-utils';
import { catalogServiceRef } from '@backstage/plugin-catalog-node';
import { catalogServiceMock } from '@backstage/plugin-catalog-node/testUtils';
import { notificationService } from '@backstage/plugin-notifications-node';
import request from 'supertest';
import { setupStewardship, StewardshipSetup } from './setup';
import { group, model, user } from './testUtils';

jest.setTimeout(60_000);

describe('setupStewardship', () => {
  it('wires store, engine, notifications and routes into a plugin', async () => {
    const send = jest.fn().mockResolvedValue(undefined);
    let stewardship: StewardshipSetup | undefined;
    const plugin = createBackendPlugin({
      pluginId: 'model-hub',
      register(env) {
        env.registerInit({
          deps: {
            config: coreServices.rootConfig,
            logger: coreServices.logger,
            database: coreServices.database,
            scheduler: coreServices.scheduler,
            auth: coreServices.auth,
            httpAuth: coreServices.httpAuth,
            httpRouter: coreServices.httpRouter,
            catalog: catalogServiceRef,
            notifications: notificationService,
          },
          async init({ httpRouter, ...deps }) {
            stewardship = await setupStewardship({
              ...deps,
              versions: { listVersions: async () => [] },
            });
            httpRouter.use(stewardship.router);
          },
        });
      },
    });
    const backend = await startTestBackend({
      features: [
        plugin,
        mockServices.rootConfig.factory({
          data: {
            modelHub: {
              stewardship: { notifications: { digest: { enabled: false } } },
            },
          },
        }),
        createServiceFactory({
          service: notificationService,
          deps: {},
          factory: () => ({ send }),
        }),
        catalogServiceMock.factory({
          entities: [
            group('ml-platform', ['alice', 'dave']),
            user('alice', ['ml-platform']),
            user('dave', ['ml-platform'], { departed: true }),
            model('churn', { steward: 'dave' }),
          ],
        }),
      ],
    });
    try {
      const summary = await stewardship!.engine.run();
      expect(summary).toMatchObject({ opened: 1, notified: 1, digests: 0 });
      expect(send).toHaveBeenCalledWith(
        expect.objectContaining({
          recipients: {
            type: 'entity',
            entityRef: 'group:default/ml-platform',
          },
          payload: expect.objectContaining({
            link: '/catalog/default/model/churn',
            severity: 'high',
          }),
        }),
      );
      const res = await request(backend.server)
        .get('/api/model-hub/v1/stewardship/tasks')
        .query({ user: 'user:default/alice' })
        .set(
          'Authorization',
          mockCredentials.user.header('user:default/alice'),
        );
      expect(res.status).toBe(200);
      expect(res.body.items.map((t: any) => t.kind)).toEqual([
        'steward-missing',
      ]);
      await expect(stewardship!.trigger('test')).resolves.toBeUndefined();
    } finally {
      await backend.stop();
    }
  });
});
