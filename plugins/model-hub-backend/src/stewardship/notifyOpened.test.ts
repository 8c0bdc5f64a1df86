import { Entity } from '@backstage/catalog-model';
import { mockServices, TestDatabases } from '@backstage/backend-test-utils';
import { catalogServiceMock } from '@backstage/plugin-catalog-node/testUtils';
import { countQueries } from '../__testUtils__/countQueries';
import { createNotificationServiceNotifier } from './notifier';
import { notifyOpenedTasks } from './notifyOpened';
import { resolveStewardshipConfig } from './rules';
import { StewardshipEngine } from './StewardshipEngine';
import { StewardshipTaskStore } from './StewardshipTaskStore';
import { group, model, RecordingNotifier, user } from './testUtils';

jest.setTimeout(120_000);

const databases = TestDatabases.create({ ids: ['SQLITE_3', 'POSTGRES_16'] });

const NOW = new Date('2026-06-01T06:00:00.000Z');

/** Two teams whose steward left, plus governance. */
function org(): Entity[] {
  return [
    group('ml-platform', ['alice', 'dave']),
    group('search-team', ['erin', 'carl']),
    group('ai-governance', ['gina']),
    user('alice', ['ml-platform']),
    user('dave', ['ml-platform'], { departed: true }),
    user('erin', ['search-team']),
    user('carl', ['search-team'], { departed: true }),
    user('gina', ['ai-governance']),
  ];
}

/** `n` models of `owner` whose steward left: one `steward-missing` task each. */
function models(owner: string, steward: string, n: number): Entity[] {
  return Array.from({ length: n }, (_, i) =>
    model(`${owner}-model-${String(i).padStart(2, '0')}`, { owner, steward }),
  );
}

describe.each(databases.eachSupportedId())(
  'opened-task notifications on %s',
  databaseId => {
    let store: StewardshipTaskStore;
    let knex: Awaited<ReturnType<typeof databases.init>>;
    let notifier: RecordingNotifier;

    beforeEach(async () => {
      knex = await databases.init(databaseId);
      store = await StewardshipTaskStore.create({
        database: mockServices.database({ knex, migrations: { skip: false } }),
      });
      notifier = new RecordingNotifier();
    });

    function engine(entities: Entity[]) {
      return new StewardshipEngine({
        catalog: catalogServiceMock({ entities }),
        auth: mockServices.auth(),
        store,
        logger: mockServices.logger.mock(),
        config: resolveStewardshipConfig(),
        notifier,
        clock: () => NOW,
      });
    }

    it('sends one notification for a team with 10 opened tasks and per-task ones for a team with 2, marking all', async () => {
      const summary = await engine([
        ...org(),
        ...models('ml-platform', 'dave', 10),
        ...models('search-team', 'carl', 2),
      ]).run();
      expect(summary).toMatchObject({
        opened: 12,
        notified: 12,
        notificationFailures: 0,
        notificationsSent: 3,
      });
      expect(notifier.grouped.map(g => [g.assignee, g.tasks.length])).toEqual([
        ['group:default/ml-platform', 10],
      ]);
      expect(notifier.opened.map(t => t.assignee)).toEqual([
        'group:default/search-team',
        'group:default/search-team',
      ]);
      expect(await store.listUnnotifiedTasks()).toEqual([]);

      // The next run has nothing left to announce.
      const again = await engine([
        ...org(),
        ...models('ml-platform', 'dave', 10),
        ...models('search-team', 'carl', 2),
      ]).run();
      expect(again).toMatchObject({
        opened: 0,
        notified: 0,
        notificationsSent: 0,
      });
      expect(notifier.grouped).toHaveLength(1);
      expect(notifier.opened).toHaveLength(2);
    });

    it('leaves only the tasks of the assignee whose send failed unnotified, and announces them next run', async () => {
      const entities = [
        ...org(),
        ...models('ml-platform', 'dave', 10),
        ...models('search-team', 'carl', 2),
      ];
      notifier.failingAssignees.add('group:default/ml-platform');
      const first = await engine(entities).run();
      expect(first).toMatchObject({
        notified: 2,
        notificationFailures: 10,
        notificationsSent: 2,
      });
      const left = await store.listUnnotifiedTasks();
      expect(left).toHaveLength(10);
      expect(new Set(left.map(t => t.assignee))).toEqual(
        new Set(['group:default/ml-platform']),
      );

      notifier.failingAssignees.clear();
      const second = await engine(entities).run();
      expect(second).toMatchObject({
        notified: 10,
        notificationFailures: 0,
        notificationsSent: 1,
      });
      expect(notifier.grouped.map(g => g.tasks.length)).toEqual([10]);
      expect(notifier.opened).toHaveLength(2);
      expect(await store.listUnnotifiedTasks()).toEqual([]);

      // The same failure on the per-task path leaves just that task.
      notifier.failNext = 1;
      await engine([
        ...entities,
        ...models('search-team', 'carl', 3).slice(2),
      ]).run();
      expect(await store.listUnnotifiedTasks()).toHaveLength(1);
    });

    it('marks 2,500 announced tasks in one UPDATE per 500 ids', async () => {
      const ids: string[] = [];
      for (let i = 0; i < 2500; i += 1) {
        const task = await store.openTask(
          {
            kind: 'steward-missing',
            modelRef: `model:default/m-${i}`,
            assignee: `group:default/team-${i % 5}`,
            severity: i % 7 === 0 ? 'critical' : 'medium',
            title: `Name a new steward for m-${i}`,
            description: 'The steward left.',
            dedupKey: `steward-missing|model:default/m-${i}`,
            details: {},
          },
          NOW,
        );
        ids.push(task!.id);
      }
      const { value, count } = await countQueries(knex, () =>
        notifyOpenedTasks({
          notifier,
          store,
          logger: mockServices.logger.mock(),
          now: NOW,
          groupAbove: 3,
        }),
      );
      expect(value).toEqual({
        notified: 2500,
        notificationFailures: 0,
        notificationsSent: 5,
      });
      // One SELECT of the unnotified tasks, then ceil(2500 / 500) UPDATEs.
      expect(count).toBe(1 + 5);
      expect(await store.listUnnotifiedTasks()).toEqual([]);
      const marked = new Set(
        notifier.grouped.flatMap(g => g.tasks.map(t => t.id)),
      );
      expect(marked).toEqual(new Set(ids));
    });
  },
);

describe('grouped opened-task notification', () => {
  it('lists the most urgent first, links the team page and keeps a stable scope for the same tasks', async () => {
    const send = jest.fn().mockResolvedValue(undefined);
    const notifier = createNotificationServiceNotifier(
      { send },
      { maxListedTasks: 2 },
    );
    const store = {
      listUnnotifiedTasks: jest.fn(),
      markNotifiedMany: jest.fn(async (ids: readonly string[]) => ids.length),
    };
    const task = (
      id: string,
      severity: 'low' | 'high' | 'critical',
      dueAt?: string,
    ) => ({
      id,
      dedupKey: id,
      kind: 'steward-missing',
      entityRef: `model:default/${id}`,
      assignee: 'group:default/ml-platform',
      severity,
      openedAt: NOW.toISOString(),
      updatedAt: NOW.toISOString(),
      title: `Task ${id}`,
      description: '',
      details: {},
      ...(dueAt ? { dueAt } : {}),
    });
    const tasks = [
      task('a', 'low'),
      task('b', 'high', '2026-07-01T00:00:00.000Z'),
      task('c', 'critical'),
      task('d', 'high', '2026-06-15T00:00:00.000Z'),
    ];
    store.listUnnotifiedTasks.mockResolvedValue(tasks);
    const run = () =>
      notifyOpenedTasks({
        notifier,
        store: store as unknown as StewardshipTaskStore,
        logger: mockServices.logger.mock(),
        now: NOW,
        groupAbove: 3,
      });
    await run();
    expect(send).toHaveBeenCalledTimes(1);
    const sent = send.mock.calls[0][0];
    expect(sent.recipients).toEqual({
      type: 'entity',
      entityRef: 'group:default/ml-platform',
    });
    expect(sent.payload).toMatchObject({
      title: '4 new stewardship tasks for ml-platform',
      description: [
        '- [critical] Task c',
        '- [high] Task d (due 2026-06-15)',
        '… and 2 more',
      ].join('\n'),
      link: '/catalog/default/group/ml-platform',
      severity: 'critical',
      topic: 'model-hub-stewardship',
    });
    expect(sent.payload.scope).toMatch(
      /^stewardship-opened:group:default\/ml-platform:[0-9a-f]{32}$/,
    );
    expect(store.markNotifiedMany).toHaveBeenCalledWith(
      expect.arrayContaining(['a', 'b', 'c', 'd']),
      NOW,
    );

    // A resend of the same tasks, in another order, has the same scope;
    // another set of tasks has another.
    store.listUnnotifiedTasks.mockResolvedValue([...tasks].reverse());
    await run();
    expect(send.mock.calls[1][0].payload.scope).toBe(sent.payload.scope);
    store.listUnnotifiedTasks.mockResolvedValue([...tasks, task('e', 'low')]);
    await run();
    expect(send.mock.calls[2][0].payload.scope).not.toBe(sent.payload.scope);
  });
});
