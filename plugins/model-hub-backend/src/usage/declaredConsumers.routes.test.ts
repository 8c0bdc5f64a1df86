import {
  coreServices,
  createServiceFactory,
} from '@backstage/backend-plugin-api';
import {
  mockCredentials,
  mockServices,
  TestDatabases,
} from '@backstage/backend-test-utils';
import { Entity } from '@backstage/catalog-model';
import {
  NotificationSendOptions,
  notificationService,
} from '@backstage/plugin-notifications-node';
import {
  MODEL_HUB_CLIENT_HEADER,
  modelHubApiPaths,
  modelHubUsagePaths,
  ModelUsage,
} from '@internal/plugin-model-hub-common';
import request from 'supertest';
import { withReverseRelations } from '../__testUtils__/stitchedRelations';
import {
  ModelHubTestBackend,
  startModelHubTestBackend,
} from '../__testUtils__/modelHubBackend';
import { publishVersion } from '../__testUtils__/publish';
import { USAGE_CONSUMERS_TASK_ID } from './setup';

jest.setTimeout(120_000);

const databases = TestDatabases.create({ ids: ['SQLITE_3', 'POSTGRES_16'] });
const MODEL = 'model:default/support-assistant';
const rel = (type: string, targetRef: string) => ({ type, targetRef });
const component = (name: string, owner: string): Entity => ({
  apiVersion: 'backstage.io/v1alpha1',
  kind: 'Component',
  metadata: { name, namespace: 'default' },
  spec: { owner, type: 'service', lifecycle: 'production' },
  relations: [
    rel('ownedBy', `group:default/${owner}`),
    rel('dependsOn', MODEL),
  ],
});
// As the catalog serves them: the model carries its consumers' dependencyOf.
const entities: Entity[] = withReverseRelations([
  {
    apiVersion: 'modelhub.io/v1alpha1',
    kind: 'Model',
    metadata: { name: 'support-assistant', namespace: 'default' },
    spec: { owner: 'ml-team', type: 'llm', lifecycle: 'production' },
    relations: [rel('ownedBy', 'group:default/ml-team')],
  },
  {
    apiVersion: 'backstage.io/v1alpha1',
    kind: 'User',
    metadata: { name: 'wendy', namespace: 'default' },
    spec: { memberOf: ['web-team'] },
    relations: [rel('memberOf', 'group:default/web-team')],
  },
  // Declared by another team (which never pulled) and by the owner itself.
  component('web-shop', 'web-team'),
  component('ml-dashboard', 'ml-team'),
]);

describe.each(databases.eachSupportedId())(
  'declared consumers on %s',
  databaseId => {
    let backend: ModelHubTestBackend;
    const sent: NotificationSendOptions[] = [];
    // Runs the consumer read only when the test triggers it.
    const scheduler = mockServices.scheduler();

    beforeAll(async () => {
      backend = await startModelHubTestBackend({
        entities,
        knex: await databases.init(databaseId),
        groups: { 'user:default/alice': ['group:default/ml-team'] },
        features: [
          createServiceFactory({
            service: coreServices.scheduler,
            deps: {},
            factory: () => scheduler,
          }),
          createServiceFactory({
            service: notificationService,
            deps: {},
            factory: () => ({
              async send(n: NotificationSendOptions) {
                sent.push(n);
              },
            }),
          }),
        ],
      });
      await publishVersion({
        server: backend.server,
        auth: mockCredentials.user.header('user:default/alice'),
        entityRef: MODEL,
        version: '1.0.0',
        files: { 'config.json': Buffer.from('{"a":1}') },
      });
    });

    afterAll(async () => {
      await backend?.stop();
    });

    it('notifies the owning team once when another team first declares a dependency, and not again when it later pulls', async () => {
      await scheduler.triggerTask(USAGE_CONSUMERS_TASK_ID);
      expect(sent).toHaveLength(1);
      expect(sent[0]).toMatchObject({
        recipients: { type: 'entity', entityRef: 'group:default/ml-team' },
        payload: {
          topic: 'model-hub-reuse',
          metadata: {
            entityRef: MODEL,
            team: 'group:default/web-team',
            via: 'dependsOn',
          },
        },
      });
      expect(sent[0].payload.description).toMatch(/declared a dependency/);

      // The next read and a first pull by the same team notify nobody.
      await scheduler.triggerTask(USAGE_CONSUMERS_TASK_ID);
      const pulled = await request(backend.server)
        .get(
          `/api/model-hub${modelHubApiPaths.file(
            MODEL,
            '1.0.0',
            'config.json',
          )}`,
        )
        .set('Authorization', mockCredentials.user.header('user:default/wendy'))
        .set(MODEL_HUB_CLIENT_HEADER, 'cli');
      expect(pulled.status).toBe(200);
      expect(sent).toHaveLength(1);

      const usage = (
        await request(backend.server)
          .get(`/api/model-hub${modelHubUsagePaths.model(MODEL)}`)
          .set(
            'Authorization',
            mockCredentials.user.header('user:default/wendy'),
          )
          .expect(200)
      ).body as ModelUsage;
      expect(usage.declaredConsumers).toEqual([
        {
          entityRef: 'component:default/ml-dashboard',
          owner: 'group:default/ml-team',
        },
        {
          entityRef: 'component:default/web-shop',
          owner: 'group:default/web-team',
        },
      ]);
      expect(usage).toMatchObject({ pullsAllTime: 1, crossTeamsAllTime: 1 });
    });
  },
);
