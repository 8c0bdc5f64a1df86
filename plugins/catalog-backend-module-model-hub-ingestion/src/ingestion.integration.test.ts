import {
  mockCredentials,
  mockServices,
  startTestBackend,
  TestDatabases,
} from '@backstage/backend-test-utils';
import catalogPlugin from '@backstage/plugin-catalog-backend';
import { AuthorizeResult } from '@backstage/plugin-permission-common';
import request from 'supertest';
import { FakeMlflowServer } from './demo/FakeMlflowServer';
import { syntheticMlflowRegistry } from './demo/syntheticRegistry';
import ingestionModule from './index';
import { acceptModelKind, until } from './__testUtils__/integration';

/*
 * Ingestion against real processes: a fake MLflow server speaking the
 * documented routes over HTTP, and a real catalog backend with this module.
 * 2,500 models in three pages of search appear in the catalog; a second
 * sync emits nothing; an upstream change is mirrored; a restarted backend on
 * the same database does not re-emit the registry.
 */

jest.setTimeout(420_000);

/** 2,500 in CI; `INGESTION_TEST_MODELS` runs another size. */
const MODELS = Number(process.env.INGESTION_TEST_MODELS ?? 2_500);
const PAGES = Math.ceil(MODELS / 1000);

const databases = TestDatabases.create({ ids: ['SQLITE_3'] });

describe('MLflow ingestion into a running catalog', () => {
  let fake: FakeMlflowServer;

  beforeAll(async () => {
    fake = await FakeMlflowServer.start(syntheticMlflowRegistry(MODELS));
  });
  afterAll(async () => {
    await fake.close();
  });

  it('mirrors 2,500 models, then applies only changes, across a restart', async () => {
    const knex = await databases.init('SQLITE_3');
    const start = (allowSync = true) =>
      startTestBackend({
        features: [
          catalogPlugin,
          acceptModelKind,
          ingestionModule,
          mockServices.database.factory({ knex }),
          mockServices.permissions.mock({
            // The sync permission (basic) follows allowSync; catalog reads are allowed.
            authorize: async requests =>
              requests.map(() => ({
                result: allowSync
                  ? AuthorizeResult.ALLOW
                  : AuthorizeResult.DENY,
              })),
            authorizeConditional: async requests =>
              requests.map(() => ({ result: AuthorizeResult.ALLOW })),
          }).factory,
          mockServices.rootConfig.factory({
            data: {
              // New and changed entities are processed at once; a short interval
              // would re-process all 2,500 in a loop and starve the test.
              catalog: { processingInterval: { minutes: 10 } },
              modelHub: {
                ingestion: {
                  mlflow: [
                    {
                      id: 'synthetic',
                      baseUrl: fake.url,
                      defaultOwner: 'group:default/ml-platform',
                      pageSize: 1000,
                      schedule: {
                        frequency: { hours: 6 },
                        timeout: { minutes: 5 },
                      },
                    },
                  ],
                },
              },
            },
          }),
        ],
      });

    const backend = await start();
    let restarted: Awaited<ReturnType<typeof start>> | undefined;
    try {
      const api = () => request(backend.server);
      const user = mockCredentials.user.header('user:default/admin');
      const countModels = async () => {
        const res = await api()
          .get('/api/catalog/entities')
          .query({ filter: 'kind=model', fields: 'metadata.name' })
          .set('authorization', user);
        return (res.body as unknown[]).length;
      };
      const status = async () =>
        (
          await api()
            .get('/api/catalog/model-hub-ingestion/sources')
            .set('authorization', user)
        ).body.items[0];

      // The first sync runs at start-up: three pages of search, 2,500 version searches.
      const t0 = Date.now();
      let seen = 0;
      await until('every model in the catalog', async () => {
        seen = await countModels();
        return seen === MODELS ? true : undefined;
      }).catch(e => {
        throw new Error(
          `${e.message}: ${seen} of ${MODELS} after ${Date.now() - t0} ms`,
        );
      });
      const firstSync = await status();
      expect(firstSync).toMatchObject({
        source: 'mlflow:synthetic',
        state: 'ok',
        entityCount: MODELS,
        lastEmitted: MODELS,
      });
      expect(
        fake.requests.get('/api/2.0/mlflow/registered-models/search'),
      ).toBe(PAGES);
      expect(fake.requests.get('/api/2.0/mlflow/model-versions/search')).toBe(
        MODELS,
      );
      // eslint-disable-next-line no-console
      console.log(
        `${MODELS} MLflow models in the catalog after ${Date.now() - t0} ms`,
      );

      const entity = async (name: string) =>
        (
          await api()
            .get(`/api/catalog/entities/by-name/model/default/${name}`)
            .set('authorization', user)
        ).body;
      const archived = await entity('mlflow-synthetic-churn-00010');
      expect(archived.spec.lifecycle).toBe('deprecated');
      expect(archived.spec.owner).toBe('group:default/ml-platform');

      // "Sync now": nothing changed upstream, nothing is emitted.
      const syncNow = () =>
        api()
          .post(
            '/api/catalog/model-hub-ingestion/sources/mlflow:synthetic/sync',
          )
          .set('authorization', user);
      expect((await syncNow()).status).toBe(202);
      const second = await until('the second sync', async () => {
        const s = await status();
        return s.lastSyncAt !== firstSync.lastSyncAt ? s : undefined;
      });
      expect(second).toMatchObject({ state: 'ok', lastEmitted: 0 });

      // Upstream change: a new description and a new READY version of one model.
      const changed = fake.registry.models.find(
        m => m.name === 'demand-00001',
      )!;
      changed.description = 'Retrained on the 2026 season.';
      fake.registry.versions.push({
        name: 'demand-00001',
        version: '3',
        status: 'READY',
        current_stage: 'Production',
      });
      expect((await syncNow()).status).toBe(202);
      const third = await until('the third sync', async () => {
        const s = await status();
        return s.lastSyncAt !== second.lastSyncAt ? s : undefined;
      });
      expect(third.lastEmitted).toBe(1);
      await until('the change in the catalog', async () => {
        const e = await entity('mlflow-synthetic-demand-00001');
        return e.metadata?.description === 'Retrained on the 2026 season.'
          ? e
          : undefined;
      });
      const mirrored = await entity('mlflow-synthetic-demand-00001');
      expect(
        mirrored.metadata.annotations['modelhub.io/ingestion-revision'],
      ).toBe('3');
      await backend.stop();

      // A restarted backend on the same database remembers what it emitted:
      // its start-up sync applies nothing; a governance-only "sync now" is refused.
      const before = fake.requests.get(
        '/api/2.0/mlflow/registered-models/search',
      )!;
      restarted = await start(false);
      const server = restarted.server;
      const again = await until(
        'the start-up sync after a restart',
        async () => {
          const res = await request(server)
            .get('/api/catalog/model-hub-ingestion/sources')
            .set('authorization', user);
          const s = res.body.items[0];
          return s.state === 'never-synced' ? undefined : s;
        },
      );
      expect(again).toMatchObject({
        state: 'ok',
        entityCount: MODELS,
        lastEmitted: 0,
      });
      expect(
        fake.requests.get('/api/2.0/mlflow/registered-models/search'),
      ).toBe(before + PAGES);
      const refused = await request(server)
        .post('/api/catalog/model-hub-ingestion/sources/mlflow:synthetic/sync')
        .set('authorization', user);
      expect(refused.status).toBe(403);
      expect(refused.body.error.message).toMatch(/only the governance group/);
      const unknown = await request(server)
        .post('/api/catalog/model-hub-ingestion/sources/mlflow:nope/sync')
        .set('authorization', user);
      expect(unknown.status).toBe(404);
      const anonymous = await request(server)
        .get('/api/catalog/model-hub-ingestion/sources')
        .set('authorization', mockCredentials.none.header());
      expect(anonymous.status).toBe(401);
    } finally {
      // Stopped even when an expectation fails, or jest waits on the backend forever.
      await backend.stop().catch(() => {});
      await restarted?.stop();
    }
  });
});

describe('the demo source (modelHub.ingestion.demo)', () => {
  it('ingests the bundled registry with one flag', async () => {
    const backend = await startTestBackend({
      features: [
        catalogPlugin,
        acceptModelKind,
        ingestionModule,
        mockServices.rootConfig.factory({
          data: { modelHub: { ingestion: { demo: true } } },
        }),
      ],
    });
    try {
      const user = mockCredentials.user.header('user:default/newcomer');
      const models = await until('the demo models', async () => {
        const res = await request(backend.server)
          .get('/api/catalog/entities')
          .query({ filter: 'kind=model' })
          .set('authorization', user);
        return res.body.length === 7 ? (res.body as any[]) : undefined;
      });
      const byRemoteId = new Map(
        models.map(m => [
          m.metadata.annotations['modelhub.io/ingestion-remote-id'],
          m,
        ]),
      );
      expect(byRemoteId.get('ticket-triage').spec.owner).toBe(
        'group:default/customer-support',
      );
      expect(byRemoteId.get('legacy-recommender').spec.lifecycle).toBe(
        'deprecated',
      );
      expect(byRemoteId.has("customer's-ltv")).toBe(true);
      const fraud = byRemoteId.get('fraud-scorer');
      expect(fraud.metadata.annotations['modelhub.io/ingestion-source']).toBe(
        'mlflow:demo',
      );
      expect(
        JSON.parse(
          fraud.metadata.annotations['modelhub.io/ingestion-pending-versions'],
        ),
      ).toEqual(
        expect.arrayContaining([expect.objectContaining({ version: '3' })]),
      );
    } finally {
      await backend.stop();
    }
  });
});
