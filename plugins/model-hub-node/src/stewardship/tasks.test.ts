import { diffTasks, StoredTask } from './diff';
import { digestByTeam } from './digest';
import { StewardshipCondition } from './types';
import { component, evaluate, model, NOW } from './testUtils';

let nextId = 1;
/** A stored task opened for a condition (as a store would persist it). */
function stored(
  condition: StewardshipCondition,
  openedAt = new Date('2026-05-01T00:00:00Z'),
): StoredTask {
  return {
    id: `task-${nextId++}`,
    dedupKey: condition.dedupKey,
    kind: condition.kind,
    modelRef: condition.modelRef,
    assignee: condition.assignee,
    severity: condition.severity,
    title: condition.title,
    description: condition.description,
    dueAt: condition.dueAt,
    openedAt,
  };
}

/** A messy world: orphan, departed steward, deprecated model with consumers. */
function world(overrides: { steward?: string } = {}) {
  return evaluate({
    models: [
      model('churn', {
        lifecycle: 'deprecated',
        successor: 'churn-v2',
        steward: overrides.steward ?? 'user:default/dave',
      }),
      model('churn-v2'),
      model('lonely', { owner: 'empty-team', limitations: undefined }),
    ],
    entities: [
      component('billing', 'search-team', ['model:default/churn']),
      component('ads-ranker', 'ads-team', ['model:default/churn']),
    ],
  });
}

describe('dedup keys', () => {
  it('are unique within one evaluation and identical across evaluations', () => {
    const first = world();
    const keys = first.map(c => c.dedupKey);
    expect(new Set(keys).size).toBe(keys.length);
    expect(world().map(c => c.dedupKey)).toEqual(keys);
    expect(keys).toEqual([
      'deprecated-migration|model:default/churn|group:default/ads-team|component:default/ads-ranker',
      'deprecated-migration|model:default/churn|group:default/search-team|component:default/billing',
      'model-card-incomplete|model:default/lonely|group:default/ai-governance',
      'orphaned|model:default/lonely|group:default/ai-governance',
      'steward-missing|model:default/churn|group:default/ml-platform|user:default/dave',
    ]);
  });

  it('do not depend on the spelling of refs in the entities', () => {
    const spelled = evaluate({
      models: [
        model('churn', {
          owner: 'Group:Default/ML-Platform',
          steward: 'User:default/Dave',
        }),
      ],
    });
    expect(spelled.map(c => c.dedupKey)).toEqual([
      'steward-missing|model:default/churn|group:default/ml-platform|user:default/dave',
    ]);
  });
});

describe('diffTasks', () => {
  it('opens a task for every condition when nothing is open', () => {
    const conditions = world();
    const diff = diffTasks([], conditions);
    expect(diff.toOpen).toEqual(conditions);
    expect(diff.toClose).toEqual([]);
    expect(diff.unchanged).toEqual([]);
  });

  it('leaves open tasks alone while their condition holds, and opens nothing twice', () => {
    const conditions = world();
    const open = conditions.map(c => stored(c));
    const diff = diffTasks(open, world());
    expect(diff.toOpen).toEqual([]);
    expect(diff.toClose).toEqual([]);
    expect(diff.toUpdate).toEqual([]);
    const kept = diff.unchanged.map(u => u.task);
    expect(kept).toHaveLength(open.length);
    expect(kept).toEqual(expect.arrayContaining(open));
    for (const { task, condition } of diff.unchanged) {
      expect(task.dedupKey).toBe(condition.dedupKey);
    }
  });

  it('closes the task of a cleared condition and opens the new one', () => {
    const open = world().map(c => stored(c));
    // The team names a new steward who is an active member: bob.
    const diff = diffTasks(open, world({ steward: 'user:default/bob' }));
    expect(diff.toOpen).toEqual([]);
    expect(diff.toClose).toEqual([
      {
        task: open.find(t => t.kind === 'steward-missing'),
        reason: 'condition cleared',
      },
    ]);
    expect(diff.unchanged).toHaveLength(open.length - 1);

    // ...then an outsider: the old task is gone, a new one opens.
    const next = diffTasks(
      diff.unchanged.map(u => u.task),
      world({ steward: 'user:default/erin' }),
    );
    expect(next.toClose).toEqual([]);
    expect(next.toOpen.map(c => c.dedupKey)).toEqual([
      'steward-missing|model:default/churn|group:default/ml-platform|not-member:user:default/erin',
    ]);
  });

  it('asks to refresh a task whose text, severity or due date changed', () => {
    const [condition] = world();
    const task = { ...stored(condition), severity: 'low' as const };
    const diff = diffTasks([task], [condition]);
    expect(diff.toUpdate).toEqual([{ task, condition }]);
    expect(diff.unchanged).toEqual([]);
  });

  it('keeps the oldest of duplicate open tasks and counts repeated conditions once', () => {
    const [condition] = world();
    const older = stored(condition, new Date('2026-01-01T00:00:00Z'));
    const newer = stored(condition, new Date('2026-02-01T00:00:00Z'));
    const diff = diffTasks([newer, older], [condition, condition]);
    expect(diff.unchanged.map(u => u.task.id)).toEqual([older.id]);
    expect(diff.toClose).toEqual([{ task: newer, reason: 'duplicate task' }]);
    expect(diff.toOpen).toEqual([]);
  });
});

describe('digestByTeam', () => {
  const open = world().map((c, i) =>
    stored(c, new Date(Date.UTC(2026, 4, 1 + i))),
  );

  it('sends each team one digest with its tasks, most urgent first', () => {
    const plan = digestByTeam(open, { now: NOW, lastDigestAt: {} });
    expect(plan.deferred).toEqual([]);
    expect(plan.digests.map(d => [d.assignee, d.tasks.length])).toEqual([
      ['group:default/ads-team', 1],
      ['group:default/ai-governance', 2],
      ['group:default/ml-platform', 1],
      ['group:default/search-team', 1],
    ]);
    const governance = plan.digests[1];
    expect(governance.tasks.map(t => t.kind)).toEqual([
      'orphaned',
      'model-card-incomplete',
    ]);
    expect(governance.counts).toEqual({
      critical: 1,
      high: 0,
      medium: 0,
      low: 1,
    });
    expect(governance.newTasks).toBe(2);
  });

  it('sends at most one digest per team per UTC day', () => {
    const plan = digestByTeam(open, {
      now: NOW, // 2026-06-01T12:00Z
      lastDigestAt: new Map([
        ['group:default/ads-team', new Date('2026-06-01T00:00:00Z')],
        ['Group:Default/ML-Platform', new Date('2026-05-31T23:59:59Z')],
      ]),
    });
    expect(plan.deferred).toEqual(['group:default/ads-team']);
    const mlPlatform = plan.digests.find(
      d => d.assignee === 'group:default/ml-platform',
    );
    expect(mlPlatform?.previousDigestAt).toEqual(
      new Date('2026-05-31T23:59:59Z'),
    );
    expect(mlPlatform?.newTasks).toBe(0);
  });

  it('can skip teams with nothing new since their last digest', () => {
    const plan = digestByTeam(open, {
      now: NOW,
      lastDigestAt: {
        'group:default/ml-platform': new Date('2026-05-31T08:00:00Z'),
      },
      onlyWithNewTasks: true,
    });
    expect(plan.digests.map(d => d.assignee)).not.toContain(
      'group:default/ml-platform',
    );
    expect(plan.digests).toHaveLength(3);
  });

  it('rejects invalid dates', () => {
    expect(() =>
      digestByTeam(open, { now: NOW, lastDigestAt: { x: new Date('?') } }),
    ).toThrow(/lastDigestAt\[x\] must be a valid Date/);
  });
});
