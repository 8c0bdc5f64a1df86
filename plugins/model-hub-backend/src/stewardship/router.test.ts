import {
  coreServices,
  createBackendPlugin,
} from '@backstage/backend-plugin-api';
import {
  mockCredentials,
  mockServices,
  startTestBackend,
} from '@backstage/backend-test-utils';
import { catalogServiceRef } from '@backstage/plugin-catalog-node';
import { catalogServiceMock } from '@backstage/plugin-catalog-node/testUtils';
import request from 'supertest';
import { resolveStewardshipConfig, StewardshipCondition } from './rules';
import { createStewardshipRouter } from './router';
import { StewardshipEngine } from './StewardshipEngine';
import { StewardshipTaskStore } from './StewardshipTaskStore';
import { group, model, user } from './testUtils';

jest.setTimeout(60_000);

const NOW = new Date('2026-06-01T12:00:00.000Z');

function condition(
  kind: StewardshipCondition['kind'],
  modelName: string,
  assignee: string,
  severity: StewardshipCondition['severity'],
): StewardshipCondition {
  const modelRef = `model:default/${modelName}`;
  return {
    kind,
    modelRef,
    assignee,
    severity,
    title: `${kind} on ${modelName}`,
    description: `Fix ${kind} on ${modelName}.`,
    dedupKey: `${kind}|${modelRef}|${assignee}`,
    details: { model: modelRef },
  };
}

describe('createStewardshipRouter', () => {
  let app: any;
  let backend: Awaited<ReturnType<typeof startTestBackend>>;
  let store: StewardshipTaskStore;
  const ids: Record<string, string> = {};

  beforeAll(async () => {
    const plugin = createBackendPlugin({
      pluginId: 'model-hub',
      register(env) {
        env.registerInit({
          deps: {
            database: coreServices.database,
            httpRouter: coreServices.httpRouter,
            httpAuth: coreServices.httpAuth,
            auth: coreServices.auth,
            logger: coreServices.logger,
            catalog: catalogServiceRef,
          },
          async init({
            database,
            httpRouter,
            httpAuth,
            auth,
            logger,
            catalog,
          }) {
            store = await StewardshipTaskStore.create({ database });
            const engine = new StewardshipEngine({
              catalog,
              auth,
              store,
              logger,
              config: resolveStewardshipConfig(),
              clock: () => NOW,
              activity: {
                getActivity: async () => ({
                  'model:default/old-model': {
                    lastVersionAt: new Date('2024-01-01T00:00:00.000Z'),
                  },
                }),
              },
            });
            httpRouter.use(
              createStewardshipRouter({
                httpAuth,
                auth,
                catalog,
                store,
                engine,
              }),
            );
          },
        });
      },
    });
    backend = await startTestBackend({
      features: [
        plugin,
        mockServices.database.factory(),
        // Requests without a token are unauthenticated (not a default user).
        mockServices.httpAuth.factory({
          defaultCredentials: mockCredentials.none(),
        }),
        catalogServiceMock.factory({
          entities: [
            group('ml-platform', ['alice']),
            group('search-team', ['alice', 'erin']),
            group('ads-team', ['frank']),
            user('alice', ['ml-platform', 'search-team']),
            user('erin', ['search-team']),
            user('frank', ['ads-team']),
            model('churn'),
            // Tasks are listed only for entities the caller can read.
            model('ranker'),
            model('ads'),
            model('old-model', { lastActivity: '2024-01-01' }),
          ],
        }),
      ],
    });
    app = backend.server;

    const seed: Array<[string, StewardshipCondition, Date]> = [
      [
        'churnSteward',
        condition(
          'steward-missing',
          'churn',
          'group:default/ml-platform',
          'high',
        ),
        new Date('2026-05-01T00:00:00.000Z'),
      ],
      [
        'churnCard',
        condition(
          'model-card-incomplete',
          'churn',
          'group:default/ml-platform',
          'low',
        ),
        new Date('2026-05-02T00:00:00.000Z'),
      ],
      [
        'rankerMigration',
        condition(
          'deprecated-migration',
          'ranker',
          'group:default/search-team',
          'high',
        ),
        new Date('2026-05-03T00:00:00.000Z'),
      ],
      [
        'adsOrphan',
        condition('orphaned', 'ads', 'group:default/ads-team', 'critical'),
        new Date('2026-05-04T00:00:00.000Z'),
      ],
    ];
    for (const [name, c, at] of seed) {
      ids[name] = (await store.openTask(c, at))!.id;
    }
    await store.closeTask(ids.churnCard, 'condition cleared', NOW);
  });

  afterAll(async () => {
    await backend.stop();
  });

  const alice = mockCredentials.user.header('user:default/alice');

  it('lists the open tasks of a team, in the shape the team card reads', async () => {
    const res = await request(app)
      .get('/api/model-hub/v1/stewardship/tasks')
      .query({ owner: 'group:default/ml-platform' })
      .set('Authorization', alice);
    expect(res.status).toBe(200);
    expect(res.body.items).toEqual([
      {
        id: ids.churnSteward,
        dedupKey:
          'steward-missing|model:default/churn|group:default/ml-platform',
        kind: 'steward-missing',
        entityRef: 'model:default/churn',
        assignee: 'group:default/ml-platform',
        severity: 'high',
        openedAt: '2026-05-01T00:00:00.000Z',
        updatedAt: '2026-05-01T00:00:00.000Z',
        title: 'steward-missing on churn',
        description: 'Fix steward-missing on churn.',
        details: { model: 'model:default/churn' },
      },
    ]);
  });

  it('lists closed and all tasks of a team, with a default kind and namespace', async () => {
    const closed = await request(app)
      .get('/api/model-hub/v1/stewardship/tasks')
      .query({ owner: 'ML-Platform', state: 'closed' })
      .set('Authorization', alice);
    expect(closed.status).toBe(200);
    expect(closed.body.items).toEqual([
      expect.objectContaining({
        id: ids.churnCard,
        closedAt: NOW.toISOString(),
        closeReason: 'condition cleared',
      }),
    ]);
    const all = await request(app)
      .get('/api/model-hub/v1/stewardship/tasks')
      .query({ owner: 'group:default/ml-platform', state: 'all' })
      .set('Authorization', alice);
    expect(all.body.items.map((t: any) => t.id)).toEqual([
      ids.churnCard,
      ids.churnSteward,
    ]);
  });

  it('lists the tasks of a model', async () => {
    const res = await request(app)
      .get('/api/model-hub/v1/stewardship/tasks')
      .query({ entityRef: 'model:default/ranker' })
      .set('Authorization', mockCredentials.service.header());
    expect(res.status).toBe(200);
    expect(res.body.items.map((t: any) => t.id)).toEqual([ids.rankerMigration]);
  });

  it("lists a user's tasks through the groups they belong to", async () => {
    const res = await request(app)
      .get('/api/model-hub/v1/stewardship/tasks')
      .query({ user: 'user:default/alice' })
      .set('Authorization', alice);
    expect(res.status).toBe(200);
    expect(res.body.items.map((t: any) => t.id)).toEqual([
      ids.rankerMigration,
      ids.churnSteward,
    ]);
    const frank = await request(app)
      .get('/api/model-hub/v1/stewardship/tasks')
      .query({ user: 'frank' })
      .set('Authorization', alice);
    expect(frank.body.items.map((t: any) => t.id)).toEqual([ids.adsOrphan]);
    const nobody = await request(app)
      .get('/api/model-hub/v1/stewardship/tasks')
      .query({ user: 'user:default/nobody' })
      .set('Authorization', alice);
    expect(nobody.status).toBe(404);
  });

  it('counts open tasks by severity for badges', async () => {
    const res = await request(app)
      .get('/api/model-hub/v1/stewardship/tasks/counts')
      .query({ user: 'user:default/alice' })
      .set('Authorization', alice);
    expect(res.status).toBe(200);
    expect(res.body).toEqual({
      counts: { critical: 0, high: 2, medium: 0, low: 0, total: 2 },
    });
    const ads = await request(app)
      .get('/api/model-hub/v1/stewardship/tasks/counts')
      .query({ owner: 'group:default/ads-team' })
      .set('Authorization', alice);
    expect(ads.body.counts).toEqual({
      critical: 1,
      high: 0,
      medium: 0,
      low: 0,
      total: 1,
    });
  });

  it('returns one task with its history', async () => {
    const res = await request(app)
      .get(`/api/model-hub/v1/stewardship/tasks/${ids.churnCard}`)
      .set('Authorization', alice);
    expect(res.status).toBe(200);
    expect(res.body).toMatchObject({
      id: ids.churnCard,
      closeReason: 'condition cleared',
      history: [
        { event: 'opened', at: '2026-05-02T00:00:00.000Z' },
        {
          event: 'closed',
          at: NOW.toISOString(),
          message: 'condition cleared',
        },
      ],
    });
    const missing = await request(app)
      .get(
        '/api/model-hub/v1/stewardship/tasks/00000000-0000-4000-8000-000000000000',
      )
      .set('Authorization', alice);
    expect(missing.status).toBe(404);
    const bad = await request(app)
      .get('/api/model-hub/v1/stewardship/tasks/not-an-id')
      .set('Authorization', alice);
    expect(bad.status).toBe(400);
  });

  it('rejects ambiguous or invalid queries with a clear message', async () => {
    const none = await request(app)
      .get('/api/model-hub/v1/stewardship/tasks')
      .set('Authorization', alice);
    expect(none.status).toBe(400);
    expect(none.body.error.message).toContain(
      'give exactly one of owner, entityRef or user',
    );
    const two = await request(app)
      .get('/api/model-hub/v1/stewardship/tasks')
      .query({ owner: 'ml-platform', user: 'alice' })
      .set('Authorization', alice);
    expect(two.status).toBe(400);
    const state = await request(app)
      .get('/api/model-hub/v1/stewardship/tasks')
      .query({ owner: 'ml-platform', state: 'pending' })
      .set('Authorization', alice);
    expect(state.status).toBe(400);
    const kind = await request(app)
      .get('/api/model-hub/v1/stewardship/tasks')
      .query({ entityRef: 'component:default/x' })
      .set('Authorization', alice);
    expect(kind.status).toBe(400);
    expect(kind.body.error.message).toContain('expected a model ref');
  });

  it('serves effective lifecycles, showing stale models as archived', async () => {
    const res = await request(app)
      .get('/api/model-hub/v1/stewardship/models')
      .set('Authorization', alice);
    expect(res.status).toBe(200);
    expect(
      res.body.items.map((m: any) => [
        m.entityRef,
        m.declaredLifecycle,
        m.effectiveLifecycle,
        m.staleness,
      ]),
    ).toEqual([
      ['model:default/ads', 'production', 'production', 'active'],
      ['model:default/churn', 'production', 'production', 'active'],
      ['model:default/old-model', 'production', 'archived', 'stale'],
      ['model:default/ranker', 'production', 'production', 'active'],
    ]);
    const one = await request(app)
      .get('/api/model-hub/v1/stewardship/models')
      .query({ entityRef: 'model:default/old-model' })
      .set('Authorization', alice);
    expect(one.body.items).toEqual([
      expect.objectContaining({
        entityRef: 'model:default/old-model',
        effectiveLifecycle: 'archived',
        archiveAt: '2025-07-01T00:00:00.000Z',
      }),
    ]);
    const missing = await request(app)
      .get('/api/model-hub/v1/stewardship/models')
      .query({ entityRef: 'model:default/nope' })
      .set('Authorization', alice);
    expect(missing.status).toBe(404);
  });

  it('refuses unauthenticated requests', async () => {
    for (const path of [
      '/api/model-hub/v1/stewardship/tasks?owner=group:default/ml-platform',
      '/api/model-hub/v1/stewardship/tasks/counts?owner=group:default/ml-platform',
      `/api/model-hub/v1/stewardship/tasks/${ids.churnSteward}`,
      '/api/model-hub/v1/stewardship/models',
    ]) {
      const res = await request(app).get(path);
      expect(res.status).toBe(401);
    }
  });
});
