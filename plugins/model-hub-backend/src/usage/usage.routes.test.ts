import fs from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import {
  createServiceFactory,
  SchedulerService,
  ServiceFactory,
} from '@backstage/backend-plugin-api';
import {
  mockCredentials,
  mockServices,
  startTestBackend,
  TestDatabases,
} from '@backstage/backend-test-utils';
import { Entity } from '@backstage/catalog-model';
import { catalogServiceMock } from '@backstage/plugin-catalog-node/testUtils';
import {
  NotificationSendOptions,
  notificationService,
} from '@backstage/plugin-notifications-node';
import {
  FILE_PREVIEW_MAX_BYTES,
  MODEL_HUB_CLIENT_HEADER,
  MODEL_HUB_SHA256_HEADER,
  modelHubApiPaths,
  modelHubUsagePaths,
  ModelUsage,
  TeamUsage,
  UsageTop,
  DuplicateEffortReport,
  usageDuplicatesPath,
} from '@internal/plugin-model-hub-common';
import request from 'supertest';
import { withReverseRelations } from '../__testUtils__/stitchedRelations';
import { modelHubPlugin } from '../plugin';
import { catalogServiceHubCatalogFactory } from '../__testUtils__/modelHubBackend';
import { sha256 } from '../__testUtils__/fixtures';
import { testHttpAuthServiceFactory } from '../__testUtils__/httpAuth';
import { USAGE_CONSUMERS_TASK_ID, USAGE_RETENTION_TASK_ID } from './setup';

jest.setTimeout(120_000);

const databases = TestDatabases.create({ ids: ['SQLITE_3', 'POSTGRES_16'] });

const MODEL = 'model:default/support-assistant';
const OTHER_MODEL = 'model:default/ticket-router';
const rel = (type: string, targetRef: string) => ({ type, targetRef });
const group = (name: string): Entity => ({
  apiVersion: 'backstage.io/v1alpha1',
  kind: 'Group',
  metadata: { name, namespace: 'default' },
  spec: { type: 'team', children: [] },
});
const user = (name: string, team: string): Entity => ({
  apiVersion: 'backstage.io/v1alpha1',
  kind: 'User',
  metadata: { name, namespace: 'default' },
  spec: { memberOf: [team] },
  relations: [rel('memberOf', `group:default/${team}`)],
});
const model = (name: string, owner: string, task?: string): Entity => ({
  apiVersion: 'modelhub.io/v1alpha1',
  kind: 'Model',
  metadata: { name, namespace: 'default' },
  spec: { owner, type: 'llm', lifecycle: 'production', task },
  relations: [rel('ownedBy', `group:default/${owner}`)],
});
const consumer = (kind: string, name: string, owner: string): Entity => ({
  apiVersion: 'backstage.io/v1alpha1',
  kind,
  metadata: { name, namespace: 'default' },
  spec: { owner, type: 'service', lifecycle: 'production' },
  relations: [
    rel('ownedBy', `group:default/${owner}`),
    rel('dependsOn', MODEL),
  ],
});

// As the catalog serves them: the models carry their consumers' dependencyOf.
const ENTITIES: Entity[] = withReverseRelations([
  ...['ml-team', 'risk-team', 'search-team', 'ops-team'].map(group),
  user('alice', 'ml-team'), // the owner's team
  user('bob', 'risk-team'),
  user('erin', 'risk-team'),
  user('carol', 'search-team'),
  user('dave', 'ops-team'),
  // Readers of the card test, one per read so that each could be a pull.
  ...['gina', 'hal', 'ivy', 'jo', 'kim', 'lee'].map(n => user(n, 'ops-team')),
  model('support-assistant', 'ml-team', 'text-generation'),
  model('ticket-router', 'search-team', 'text-classification'),
  // Same task, overlapping name: duplicate effort with support-assistant.
  model('support-helper', 'risk-team', 'text-generation'),
  // Same task, nothing in common: not a duplicate.
  model('code-writer', 'ops-team', 'text-generation'),
  consumer('Component', 'payments-api', 'risk-team'),
  consumer('System', 'search-platform', 'search-team'),
]);

const DAY = 86_400_000;
const FILES = {
  'README.md': Buffer.from('# Support assistant\n\nA model card.\n'),
  'config.json': Buffer.from('{"a":1}'),
  'weights.bin': Buffer.alloc(4096, 7),
};

/** Freezes Date only (timers stay real, so servers and pools keep working). */
function setDate(date: Date) {
  jest.useFakeTimers({
    doNotFake: [
      'nextTick',
      'setImmediate',
      'clearImmediate',
      'setTimeout',
      'clearTimeout',
      'setInterval',
      'clearInterval',
      'queueMicrotask',
      'hrtime',
      'performance',
    ],
  });
  jest.setSystemTime(date);
}

describe.each(databases.eachSupportedId())('usage routes on %s', databaseId => {
  let server: any;
  let dataDir: string;
  let knex: any;
  const sent: NotificationSendOptions[] = [];
  // The mock scheduler runs tasks only when triggered here.
  const scheduler = mockServices.scheduler() as SchedulerService & {
    factory(options: { skipTaskRunOnStartup: boolean }): ServiceFactory;
  };
  const now = new Date();
  const api = (p: string) => `/api/model-hub${p}`;
  const as = (name: string) =>
    mockCredentials.user.header(`user:default/${name}`);

  beforeAll(async () => {
    dataDir = await fs.mkdtemp(path.join(os.tmpdir(), 'model-hub-usage-'));
    knex = await databases.init(databaseId);
    const backend = await startTestBackend({
      features: [
        modelHubPlugin,
        catalogServiceMock.factory({ entities: ENTITIES }),
        catalogServiceHubCatalogFactory,
        testHttpAuthServiceFactory,
        mockServices.database.factory({ knex }),
        scheduler.factory({ skipTaskRunOnStartup: true }),
        createServiceFactory({
          service: notificationService,
          deps: {},
          factory: () => ({
            async send(n: NotificationSendOptions) {
              sent.push(n);
            },
          }),
        }),
        mockServices.rootConfig.factory({
          data: {
            modelHub: {
              stewardship: { enabled: false },
              usage: { pullWindowMinutes: 30, retentionDays: 45 },
              artifacts: {
                stagingDirectory: path.join(dataDir, 'staging'),
                local: { directory: path.join(dataDir, 'artifacts') },
              },
            },
          },
        }),
      ],
    });
    server = backend.server;
    // Published (as the owner) at the start of the story, 60 days ago.
    setDate(new Date(now.getTime() - 60 * DAY));
    for (const ref of [MODEL, OTHER_MODEL]) {
      const owner = ref === MODEL ? 'alice' : 'carol';
      await request(server)
        .post(api(modelHubApiPaths.versions(ref)))
        .set('Authorization', as(owner))
        .send({ version: '1.0.0' })
        .expect(201);
      for (const [file, bytes] of Object.entries(FILES)) {
        await request(server)
          .put(api(modelHubApiPaths.file(ref, '1.0.0', file)))
          .set('Authorization', as(owner))
          .set('Content-Type', 'application/octet-stream')
          .set(MODEL_HUB_SHA256_HEADER, sha256(bytes))
          .send(bytes)
          .expect(201);
      }
      await request(server)
        .post(api(modelHubApiPaths.seal(ref, '1.0.0')))
        .set('Authorization', as(owner))
        .expect(200);
      await request(server)
        .put(api(modelHubApiPaths.alias(ref, 'latest')))
        .set('Authorization', as(owner))
        .send({ version: '1.0.0' })
        .expect(200);
    }
  });

  afterAll(async () => {
    jest.useRealTimers();
    await fs.rm(dataDir, { recursive: true, force: true });
  });

  /** Downloads every file of the version, as the CLI does. */
  async function pull(
    who: string,
    options: { ref?: string; version?: string; range?: boolean } = {},
  ) {
    for (const file of Object.keys(FILES)) {
      const req = request(server)
        .get(
          api(
            modelHubApiPaths.file(
              options.ref ?? MODEL,
              options.version ?? '1.0.0',
              file,
            ),
          ),
        )
        .set('Authorization', as(who))
        .set(MODEL_HUB_CLIENT_HEADER, 'cli');
      if (options.range) req.set('Range', 'bytes=1-');
      const res = await req;
      expect([200, 206]).toContain(res.status);
    }
  }

  const usage = async (who = 'bob') =>
    (
      await request(server)
        .get(api(modelHubUsagePaths.model(MODEL)))
        .set('Authorization', as(who))
        .expect(200)
    ).body as ModelUsage;

  it('counts pulls, distinct users, teams and cross-team reuse over 30 days and all time', async () => {
    // 40 days ago: dave (ops-team) pulls; outside the 30-day window.
    setDate(new Date(now.getTime() - 40 * DAY));
    await pull('dave');
    // Today: the owner, bob twice (the second time through the alias and
    // with a Range request, within the window: the same pull), carol.
    setDate(now);
    await pull('alice');
    await pull('bob');
    await pull('bob', { version: 'latest', range: true });
    await pull('carol');
    // HEAD requests are not pulls.
    await request(server)
      .head(api(modelHubApiPaths.file(MODEL, '1.0.0', 'config.json')))
      .set('Authorization', as('erin'))
      .expect(200);
    // 31 minutes later bob pulls again: a pull, but not a new user.
    setDate(new Date(now.getTime() + 31 * 60_000));
    await pull('bob');

    const u = await usage();
    expect(u).toMatchObject({
      entityRef: MODEL,
      owner: 'group:default/ml-team',
      pulls30d: 4,
      pullsAllTime: 5,
      users30d: 3,
      usersAllTime: 4,
      teams30d: 3,
      teamsAllTime: 4,
      crossTeams30d: 2,
      crossTeamsAllTime: 3,
      consumingTeams: [
        'group:default/ml-team',
        'group:default/ops-team',
        'group:default/risk-team',
        'group:default/search-team',
      ],
    });
    expect(u.daily).toHaveLength(90);
    expect(u.daily[89]).toEqual({
      day: new Date(now.getTime() + 31 * 60_000).toISOString().slice(0, 10),
      pulls: u.daily[89].pulls,
    });
    expect(u.daily.reduce((s, d) => s + d.pulls, 0)).toBe(5);
    const raw = await knex('model_hub_usage_pulls').select('client', 'actor');
    expect(raw).toHaveLength(5);
    expect(new Set(raw.map((r: { client: string }) => r.client))).toEqual(
      new Set(['cli']),
    );
  });

  it('notified the owning team exactly once per consuming team, never for its own pulls', () => {
    const firsts = sent.filter(n => n.payload.topic === 'model-hub-reuse');
    expect(firsts.map(n => n.payload.metadata?.team).sort()).toEqual([
      'group:default/ops-team',
      'group:default/risk-team',
      'group:default/search-team',
    ]);
    for (const n of firsts) {
      expect(n.recipients).toEqual({
        type: 'entity',
        entityRef: 'group:default/ml-team',
      });
    }
  });

  it('counts declared consumers from the catalog and notifies nobody twice', async () => {
    const u = await usage();
    expect(u.declaredConsumers).toEqual([
      {
        entityRef: 'component:default/payments-api',
        owner: 'group:default/risk-team',
      },
      {
        entityRef: 'system:default/search-platform',
        owner: 'group:default/search-team',
      },
    ]);
    expect(u.usedByTeams).toBe(3);
    const before = sent.length;
    await scheduler.triggerTask(USAGE_CONSUMERS_TASK_ID);
    // Both declaring teams already pulled: no second notification.
    expect(sent.length).toBe(before);
  });

  it('ranks models and owning teams, and shows a team its standing', async () => {
    await pull('bob', { ref: OTHER_MODEL });
    const top = async (q: object) =>
      (
        await request(server)
          .get(api(modelHubUsagePaths.top(q)))
          .set('Authorization', as('erin'))
          .expect(200)
      ).body as UsageTop;
    const byPulls = await top({ window: '30d', by: 'pulls' });
    expect(byPulls.models.map(m => [m.entityRef, m.pulls])).toEqual([
      [MODEL, 4],
      [OTHER_MODEL, 1],
    ]);
    const all = await top({ window: 'all', by: 'teams' });
    expect(all.models[0]).toMatchObject({
      entityRef: MODEL,
      pulls: 5,
      teams: 4,
      crossTeams: 3,
      declaredConsumers: 2,
    });
    expect(all.teams.map(t => [t.team, t.rank, t.reusingTeams])).toEqual([
      ['group:default/ml-team', 1, 3],
      ['group:default/search-team', 2, 1],
    ]);
    const consumers = await top({ by: 'consumers' });
    expect(consumers.models.map(m => m.entityRef)).toEqual([MODEL]);

    const team = (
      await request(server)
        .get(api(modelHubUsagePaths.team('group:default/search-team', 'all')))
        .set('Authorization', as('carol'))
        .expect(200)
    ).body as TeamUsage;
    expect(team).toMatchObject({
      team: 'group:default/search-team',
      rank: 2,
      rankedTeams: 2,
      reusingTeams: 1,
      models: [{ entityRef: OTHER_MODEL, pulls: 1, crossTeams: 1 }],
    });

    await request(server)
      .get(api('/v1/usage/top?window=7d'))
      .set('Authorization', as('erin'))
      .expect(400);
  });

  it('reports models of one task with overlapping purpose and how many teams use each', async () => {
    const res = await request(server)
      .get(api(usageDuplicatesPath('all')))
      .set('Authorization', as('erin'))
      .expect(200);
    expect(res.body as DuplicateEffortReport).toEqual({
      window: 'all',
      groups: [
        {
          task: 'text-generation',
          models: [
            expect.objectContaining({
              entityRef: MODEL,
              owner: 'group:default/ml-team',
              teams: 4,
              crossTeams: 3,
              declaredConsumers: 2,
            }),
            expect.objectContaining({
              entityRef: 'model:default/support-helper',
              owner: 'group:default/risk-team',
              pulls: 0,
              teams: 0,
            }),
          ],
        },
      ],
    });
  });

  it('retention deletes raw events but keeps the rollups', async () => {
    await scheduler.triggerTask(USAGE_RETENTION_TASK_ID);
    // Dave's pull (40 days old) is past the 45-day retention only later.
    expect(await knex('model_hub_usage_pulls').count({ n: '*' })).toEqual([
      { n: expect.anything() },
    ]);
    const kept = Number(
      (await knex('model_hub_usage_pulls').count({ n: '*' }))[0].n,
    );
    expect(kept).toBe(6);
    setDate(new Date(now.getTime() + 10 * DAY));
    await scheduler.triggerTask(USAGE_RETENTION_TASK_ID);
    const raw = await knex('model_hub_usage_pulls').select('actor');
    expect(raw.map((r: { actor: string }) => r.actor)).not.toContain(
      'user:default/dave',
    );
    expect(raw).toHaveLength(5);
    const u = await usage();
    expect(u).toMatchObject({
      pullsAllTime: 5,
      usersAllTime: 4,
      crossTeamsAllTime: 3,
    });
  });

  it('answers 404 for a model the catalog does not hold and 401 without credentials', async () => {
    const missing = await request(server)
      .get(api(modelHubUsagePaths.model('model:default/nope')))
      .set('Authorization', as('bob'));
    expect(missing.status).toBe(404);
    const anonymous = await request(server).get(
      api(modelHubUsagePaths.model(MODEL)),
    );
    expect(anonymous.status).toBe(401);
  });

  it('counts parallel downloads of one version by one person as one pull', async () => {
    const before = (
      await request(server)
        .get(api(modelHubUsagePaths.model(OTHER_MODEL)))
        .set('Authorization', as('erin'))
    ).body.pullsAllTime;
    const gets = [];
    for (let i = 0; i < 4; i++) {
      for (const file of Object.keys(FILES)) {
        gets.push(
          request(server)
            .get(api(modelHubApiPaths.file(OTHER_MODEL, '1.0.0', file)))
            .set('Authorization', as('erin')),
        );
      }
    }
    for (const res of await Promise.all(gets)) expect(res.status).toBe(200);
    const after = (
      await request(server)
        .get(api(modelHubUsagePaths.model(OTHER_MODEL)))
        .set('Authorization', as('erin'))
    ).body.pullsAllTime;
    expect(after).toBe(before + 1);
  });

  it('does not count the portal showing a model card as a pull, and counts every read that is not exactly that', async () => {
    const pulls = async () =>
      (
        await request(server)
          .get(api(modelHubUsagePaths.model(OTHER_MODEL)))
          .set('Authorization', as('erin'))
          .expect(200)
      ).body.pullsAllTime as number;
    const read = async (
      who: string,
      file: string,
      { query = '?purpose=preview', range = 'bytes=0-262143' } = {},
    ) => {
      const req = request(server)
        .get(api(modelHubApiPaths.file(OTHER_MODEL, '1.0.0', file)) + query)
        .set('Authorization', as(who));
      if (range) req.set('Range', range);
      expect([200, 206]).toContain((await req).status);
    };
    const before = await pulls();
    // The README card of the model page, as the portal reads it.
    await read('gina', 'README.md');
    expect(await pulls()).toBe(before);
    // Downloads, each by another person: each is a pull.
    await read('hal', 'weights.bin'); // not a card file
    await read('ivy', 'README.md', { query: '' }); // not asked as a preview
    await read('jo', 'README.md', { query: '?purpose=PREVIEW' });
    await read('kim', 'README.md', { range: '' }); // the whole file
    await read('lee', 'README.md', {
      range: `bytes=0-${FILE_PREVIEW_MAX_BYTES}`, // past the preview size
    });
    expect(await pulls()).toBe(before + 5);
  });
});
