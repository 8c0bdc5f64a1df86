import { Entity } from '@backstage/catalog-model';
import { mockServices, TestDatabases } from '@backstage/backend-test-utils';
import { catalogServiceMock } from '@backstage/plugin-catalog-node/testUtils';
import { resolveStewardshipConfig } from './rules';
import { ComplianceSource, ModelActivitySource } from './sources';
import { StewardshipEngine } from './StewardshipEngine';
import { StewardshipTaskStore } from './StewardshipTaskStore';
import { component, group, model, RecordingNotifier, user } from './testUtils';

jest.setTimeout(60_000);

const databases = TestDatabases.create({ ids: ['SQLITE_3'] });

const NOW = new Date('2026-06-01T12:00:00.000Z');
const DAY = 24 * 60 * 60 * 1000;

/** The organisation: three teams, governance, a team whose only member left. */
function org(): Entity[] {
  return [
    group('ml-platform', ['alice', 'bob', 'dave']),
    group('search-team', ['erin']),
    group('ads-team', ['frank']),
    group('ai-governance', ['gina']),
    group('ghost-team', ['carol']),
    user('alice', ['ml-platform']),
    user('bob', ['ml-platform']),
    user('dave', ['ml-platform'], { departed: true }),
    user('carol', ['ghost-team'], { departed: true }),
    user('erin', ['search-team']),
    user('frank', ['ads-team']),
    user('gina', ['ai-governance']),
  ];
}

describe('StewardshipEngine', () => {
  let store: StewardshipTaskStore;
  let notifier: RecordingNotifier;
  let now: Date;

  beforeEach(async () => {
    const knex = await databases.init('SQLITE_3');
    store = await StewardshipTaskStore.create({
      database: mockServices.database({ knex, migrations: { skip: false } }),
    });
    notifier = new RecordingNotifier();
    now = NOW;
  });

  function engine(
    entities: Entity[],
    options: {
      activity?: ModelActivitySource;
      compliance?: ComplianceSource;
      notifyOpenedTasks?: boolean;
    } = {},
  ) {
    return new StewardshipEngine({
      catalog: catalogServiceMock({ entities }),
      auth: mockServices.auth(),
      store,
      logger: mockServices.logger.mock(),
      config: resolveStewardshipConfig(),
      notifier,
      clock: () => now,
      ...options,
    });
  }

  async function openTasks() {
    return (await store.listTasks({ state: 'open' })).sort((a, b) =>
      a.dedupKey.localeCompare(b.dedupKey),
    );
  }

  it('assigns a departed steward to the owning team and an orphan to governance', async () => {
    const summary = await engine([
      ...org(),
      model('churn', { steward: 'dave' }),
      model('ghost-model', { owner: 'ghost-team' }),
    ]).run();
    expect(summary).toMatchObject({ models: 2, opened: 2, closed: 0 });

    const tasks = await openTasks();
    expect(tasks).toEqual([
      expect.objectContaining({
        kind: 'orphaned',
        entityRef: 'model:default/ghost-model',
        assignee: 'group:default/ai-governance',
        details: expect.objectContaining({ reason: 'no-active-members' }),
      }),
      expect.objectContaining({
        kind: 'steward-missing',
        entityRef: 'model:default/churn',
        assignee: 'group:default/ml-platform',
        details: { reason: 'departed', steward: 'user:default/dave' },
      }),
    ]);
    expect(tasks[1].title).toBe('Name a new steward for churn');
  });

  it('asks the owner of every consuming service to migrate to the named successor', async () => {
    await engine([
      ...org(),
      model('legacy-ranker', {
        lifecycle: 'deprecated',
        successor: 'ranker-v2',
        dependencyOf: ['search-api', 'ads-api'],
      }),
      model('ranker-v2'),
      component('search-api', 'search-team', ['legacy-ranker']),
      component('ads-api', 'ads-team', ['legacy-ranker']),
      component('unrelated-api', 'ads-team', ['ranker-v2']),
    ]).run();

    const tasks = await openTasks();
    expect(tasks.map(t => [t.kind, t.assignee, t.details.consumer])).toEqual([
      [
        'deprecated-migration',
        'group:default/ads-team',
        'component:default/ads-api',
      ],
      [
        'deprecated-migration',
        'group:default/search-team',
        'component:default/search-api',
      ],
    ]);
    for (const task of tasks) {
      expect(task.entityRef).toBe('model:default/legacy-ranker');
      expect(task.details.successor).toBe('model:default/ranker-v2');
      expect(task.title).toContain('model:default/ranker-v2');
      expect(task.description).toContain('model:default/ranker-v2');
    }
  });

  it('warns before the staleness threshold and archives at it', async () => {
    // Latest version 18 months before NOW: the archive instant is NOW.
    const activity: ModelActivitySource = {
      getActivity: async refs => {
        expect(refs).toEqual(['model:default/old-model']);
        return {
          'model:default/old-model': {
            lastVersionAt: new Date('2024-12-01T12:00:00.000Z'),
          },
        };
      },
    };
    const entities = [
      ...org(),
      model('old-model', { lastActivity: '2024-01-01' }),
    ];

    now = new Date(NOW.getTime() - 1);
    await engine(entities, { activity }).run();
    let tasks = await openTasks();
    expect(tasks.map(t => t.kind)).toEqual(['stale-warning']);
    expect(tasks[0].dueAt).toBe(NOW.toISOString());

    now = NOW;
    const summary = await engine(entities, { activity }).run();
    expect(summary).toMatchObject({ opened: 1, closed: 1 });
    tasks = await openTasks();
    expect(tasks.map(t => t.kind)).toEqual(['stale-archived']);
    const [warning] = await store.listTasks({ state: 'closed' });
    expect(warning).toMatchObject({
      kind: 'stale-warning',
      closeReason: 'condition cleared',
      closedAt: NOW.toISOString(),
    });

    const lifecycles = await engine(entities, { activity }).listLifecycles({
      credentials: await mockServices.auth().getOwnServiceCredentials(),
    });
    expect(lifecycles).toEqual([
      {
        entityRef: 'model:default/old-model',
        declaredLifecycle: 'production',
        effectiveLifecycle: 'archived',
        staleness: 'stale',
        lastActivityAt: '2024-12-01T12:00:00.000Z',
        archiveAt: NOW.toISOString(),
        warnFrom: new Date(NOW.getTime() - 30 * DAY).toISOString(),
      },
    ]);
  });

  it('opens a renewal task for a waiver about to expire, from the compliance source', async () => {
    const expiresAt = new Date(NOW.getTime() + 10 * DAY);
    const compliance: ComplianceSource = {
      getCompliance: async (models, options) => {
        expect(models.map(m => m.metadata.name)).toEqual(['churn']);
        expect(options.now).toEqual(NOW);
        return {
          'model:default/churn': {
            currentVersion: '1.2.0',
            checks: [{ id: 'license-allowed', status: 'fail' }],
            waivers: [{ checkId: 'license-allowed', expiresAt }],
          },
        };
      },
    };
    await engine([...org(), model('churn')], { compliance }).run();
    const tasks = await openTasks();
    expect(tasks).toEqual([
      expect.objectContaining({
        kind: 'waiver-expiring',
        assignee: 'group:default/ml-platform',
        dueAt: expiresAt.toISOString(),
        details: expect.objectContaining({
          checkId: 'license-allowed',
          checkStatus: 'fail',
        }),
      }),
    ]);
  });

  it('opens nothing new on a second run and closes tasks whose condition cleared', async () => {
    const before = [...org(), model('churn', { steward: 'dave' })];
    const first = await engine(before).run();
    expect(first.opened).toBe(1);

    now = new Date(NOW.getTime() + 10 * 60 * 1000);
    const second = await engine(before).run();
    expect(second).toMatchObject({ opened: 0, closed: 0, unchanged: 1 });
    expect(await store.listTasks({ state: 'all' })).toHaveLength(1);

    // The team names a new steward: the task closes, and stays as history.
    now = new Date(NOW.getTime() + 20 * 60 * 1000);
    const third = await engine([
      ...org(),
      model('churn', { steward: 'bob' }),
    ]).run();
    expect(third).toMatchObject({ opened: 0, closed: 1 });
    expect(await openTasks()).toEqual([]);
    const [closed] = await store.listTasks({ state: 'closed' });
    const history = await store.getTask(closed.id);
    expect(history).toMatchObject({
      kind: 'steward-missing',
      closeReason: 'condition cleared',
      closedAt: now.toISOString(),
    });
    expect(history!.history.map(h => h.event)).toEqual(['opened', 'closed']);
  });

  it('closes the tasks of a model removed from the catalog with that reason', async () => {
    await engine([...org(), model('churn', { steward: 'dave' })]).run();
    await engine(org()).run();
    const [closed] = await store.listTasks({ state: 'closed' });
    expect(closed.closeReason).toBe('model no longer in the catalog');
  });

  it('notifies once per opened task and sends at most one digest per team per day', async () => {
    const entities = [
      ...org(),
      model('churn', { steward: 'dave' }),
      model('ghost-model', { owner: 'ghost-team' }),
    ];
    await engine(entities).run();
    expect(notifier.opened.map(t => [t.kind, t.assignee]).sort()).toEqual([
      ['orphaned', 'group:default/ai-governance'],
      ['steward-missing', 'group:default/ml-platform'],
    ]);
    expect(
      notifier.digests.map(d => [d.assignee, d.day, d.counts.total]),
    ).toEqual([
      ['group:default/ai-governance', '2026-06-01', 1],
      ['group:default/ml-platform', '2026-06-01', 1],
    ]);

    // Later the same day: no new notification, no second digest.
    now = new Date(NOW.getTime() + 3 * 60 * 60 * 1000);
    await engine(entities).run();
    expect(notifier.opened).toHaveLength(2);
    expect(notifier.digests).toHaveLength(2);

    // The next day, before the digest hour: nothing; after it: one each.
    now = new Date('2026-06-02T07:59:00.000Z');
    await engine(entities).run();
    expect(notifier.digests).toHaveLength(2);
    now = new Date('2026-06-02T08:00:00.000Z');
    await engine(entities).run();
    await engine(entities).run();
    expect(notifier.digests.slice(2).map(d => [d.assignee, d.day])).toEqual([
      ['group:default/ai-governance', '2026-06-02'],
      ['group:default/ml-platform', '2026-06-02'],
    ]);
    expect(notifier.digests[2].previousDigestAt).toEqual(NOW);
    expect(notifier.digests[2].newTasks).toBe(0);
    expect(notifier.opened).toHaveLength(2);
  });

  it('retries a notification that failed, without sending it twice', async () => {
    notifier.failNext = 1;
    const entities = [...org(), model('churn', { steward: 'dave' })];
    const first = await engine(entities).run();
    expect(first).toMatchObject({ notified: 0, notificationFailures: 1 });
    expect(notifier.opened).toHaveLength(0);
    const second = await engine(entities).run();
    expect(second).toMatchObject({ notified: 1, notificationFailures: 0 });
    await engine(entities).run();
    expect(notifier.opened).toHaveLength(1);
    expect((await openTasks())[0].notifiedAt).toBe(NOW.toISOString());
  });

  it('sends only digests when per-task notifications are off', async () => {
    await engine([...org(), model('churn', { steward: 'dave' })], {
      notifyOpenedTasks: false,
    }).run();
    expect(notifier.opened).toEqual([]);
    expect(notifier.digests.map(d => d.assignee)).toEqual([
      'group:default/ml-platform',
    ]);
  });

  it('serializes concurrent runs so they never duplicate tasks', async () => {
    const e = engine([...org(), model('churn', { steward: 'dave' })]);
    const results = await Promise.all([e.run(), e.run(), e.run()]);
    expect(results.map(r => r.opened)).toEqual([1, 0, 0]);
    expect(await store.listTasks({ state: 'all' })).toHaveLength(1);
  });
});
