import { mockServices, TestDatabases } from '@backstage/backend-test-utils';
import { StewardshipCondition } from './rules';
import { StewardshipTaskStore } from './StewardshipTaskStore';

jest.setTimeout(60_000);

const databases = TestDatabases.create({ ids: ['SQLITE_3', 'POSTGRES_16'] });

const T0 = new Date('2026-06-01T12:00:00.000Z');
const T1 = new Date('2026-06-01T12:10:00.000Z');
const T2 = new Date('2026-06-01T12:20:00.000Z');

function condition(
  overrides: Partial<StewardshipCondition> = {},
): StewardshipCondition {
  const base: StewardshipCondition = {
    kind: 'steward-missing',
    modelRef: 'model:default/churn',
    assignee: 'group:default/ml-platform',
    severity: 'high',
    title: 'Name a new steward for churn',
    description: 'The steward left.',
    dedupKey:
      'steward-missing|model:default/churn|group:default/ml-platform|user:default/dave',
    details: { reason: 'departed', steward: 'user:default/dave' },
  };
  return { ...base, ...overrides };
}

describe.each(databases.eachSupportedId())(
  'StewardshipTaskStore on %s',
  databaseId => {
    let store: StewardshipTaskStore;

    beforeEach(async () => {
      const knex = await databases.init(databaseId);
      store = await StewardshipTaskStore.create({
        database: mockServices.database({ knex, migrations: { skip: false } }),
      });
    });

    it('opens a task, refreshes it and closes it, keeping the history', async () => {
      const opened = await store.openTask(
        condition({ dueAt: new Date('2026-07-01T00:00:00.000Z') }),
        T0,
      );
      expect(opened).toMatchObject({
        kind: 'steward-missing',
        entityRef: 'model:default/churn',
        assignee: 'group:default/ml-platform',
        severity: 'high',
        dueAt: '2026-07-01T00:00:00.000Z',
        openedAt: T0.toISOString(),
        title: 'Name a new steward for churn',
        details: { reason: 'departed', steward: 'user:default/dave' },
        history: [
          {
            event: 'opened',
            at: T0.toISOString(),
            message: 'Name a new steward for churn',
          },
        ],
      });
      expect(opened!.closedAt).toBeUndefined();
      expect(opened!.id).toMatch(/^[0-9a-f-]{36}$/);

      const open = await store.listOpenTasks();
      expect(open).toEqual([
        expect.objectContaining({
          id: opened!.id,
          modelRef: 'model:default/churn',
          openedAt: T0,
          dueAt: new Date('2026-07-01T00:00:00.000Z'),
        }),
      ]);

      await store.updateTask(
        opened!.id,
        condition({ severity: 'medium', title: 'Still no steward' }),
        T1,
      );
      expect(await store.closeTask(opened!.id, 'condition cleared', T2)).toBe(
        true,
      );
      // Closing twice changes nothing.
      expect(await store.closeTask(opened!.id, 'again', T2)).toBe(false);

      expect(await store.listOpenTasks()).toEqual([]);
      const closed = await store.getTask(opened!.id);
      expect(closed).toMatchObject({
        severity: 'medium',
        title: 'Still no steward',
        updatedAt: T1.toISOString(),
        closedAt: T2.toISOString(),
        closeReason: 'condition cleared',
      });
      expect(closed!.dueAt).toBeUndefined();
      expect(closed!.history.map(h => [h.event, h.message])).toEqual([
        ['opened', 'Name a new steward for churn'],
        ['updated', 'Still no steward'],
        ['closed', 'condition cleared'],
      ]);
      expect(await store.listTasks({ state: 'closed' })).toHaveLength(1);
      expect(await store.listTasks({ state: 'open' })).toHaveLength(0);
    });

    it('keeps one open task per dedup key, even when opened concurrently', async () => {
      const results = await Promise.all(
        Array.from({ length: 6 }, () => store.openTask(condition(), T0)),
      );
      expect(results.filter(r => r !== undefined)).toHaveLength(1);
      expect(await store.listOpenTasks()).toHaveLength(1);
      expect(await store.openTask(condition(), T1)).toBeUndefined();

      // Once closed, the same condition may open a new task; the old one stays.
      const [task] = await store.listOpenTasks();
      await store.closeTask(task.id, 'condition cleared', T1);
      const reopened = await store.openTask(condition(), T2);
      expect(reopened?.id).not.toBe(task.id);
      expect(await store.listTasks({ state: 'all' })).toHaveLength(2);
    });

    it('lists and counts by assignee, model and state', async () => {
      const a = await store.openTask(condition(), T0);
      await store.openTask(
        condition({
          dedupKey: 'orphaned|model:default/ads|group:default/ai-governance',
          kind: 'orphaned',
          modelRef: 'model:default/ads',
          assignee: 'group:default/ai-governance',
        }),
        T1,
      );
      await store.openTask(
        condition({
          dedupKey:
            'model-card-incomplete|model:default/churn|group:default/ml-platform',
          kind: 'model-card-incomplete',
          severity: 'low',
        }),
        T1,
      );
      await store.closeTask(a!.id, 'condition cleared', T2);

      const ml = await store.listTasks({
        assignees: ['group:default/ml-platform'],
      });
      expect(ml.map(t => t.kind)).toEqual(['model-card-incomplete']);
      const mlAll = await store.listTasks({
        assignees: ['group:default/ml-platform'],
        state: 'all',
      });
      expect(mlAll.map(t => t.kind)).toEqual([
        'model-card-incomplete',
        'steward-missing',
      ]);
      expect(
        (await store.listTasks({ entityRef: 'model:default/ads' })).map(
          t => t.assignee,
        ),
      ).toEqual(['group:default/ai-governance']);
      expect(
        await store.countTasks({
          assignees: [
            'group:default/ml-platform',
            'group:default/ai-governance',
          ],
        }),
      ).toEqual({ critical: 0, high: 1, medium: 0, low: 1, total: 2 });
      expect(await store.countTasks({ state: 'closed' })).toEqual({
        critical: 0,
        high: 1,
        medium: 0,
        low: 0,
        total: 1,
      });
    });

    it('marks tasks notified once', async () => {
      const task = await store.openTask(condition(), T0);
      expect((await store.listUnnotifiedTasks()).map(t => t.id)).toEqual([
        task!.id,
      ]);
      expect(await store.markNotified(task!.id, T1)).toBe(true);
      expect(await store.markNotified(task!.id, T2)).toBe(false);
      expect(await store.listUnnotifiedTasks()).toEqual([]);
      expect((await store.getTask(task!.id))!.notifiedAt).toBe(
        T1.toISOString(),
      );
    });

    it('marks many tasks notified, skipping those already marked', async () => {
      const a = await store.openTask(condition({ dedupKey: 'a' }), T0);
      const b = await store.openTask(condition({ dedupKey: 'b' }), T0);
      expect(await store.markNotified(a!.id, T1)).toBe(true);
      expect(await store.markNotifiedMany([a!.id, b!.id, 'unknown'], T2)).toBe(
        1,
      );
      expect(await store.markNotifiedMany([], T2)).toBe(0);
      expect((await store.getTask(a!.id))!.notifiedAt).toBe(T1.toISOString());
      expect((await store.getTask(b!.id))!.notifiedAt).toBe(T2.toISOString());
    });

    it('claims at most one digest per assignee per UTC day', async () => {
      const team = 'group:default/ml-platform';
      expect(await store.claimDigest(team, T0)).toBe(true);
      expect(await store.claimDigest(team, T1)).toBe(false);
      expect(await store.getLastDigests()).toEqual(new Map([[team, T0]]));

      const nextDay = new Date('2026-06-02T00:05:00.000Z');
      const both = await Promise.all([
        store.claimDigest(team, nextDay),
        store.claimDigest(team, nextDay),
      ]);
      expect(both.filter(Boolean)).toHaveLength(1);

      // A failed send gives the claim back.
      await store.releaseDigest(team, nextDay, T0);
      expect(await store.getLastDigests()).toEqual(new Map([[team, T0]]));
      const other = 'group:default/search-team';
      expect(await store.claimDigest(other, T0)).toBe(true);
      await store.releaseDigest(other, T0, undefined);
      expect((await store.getLastDigests()).has(other)).toBe(false);
    });
  },
);
