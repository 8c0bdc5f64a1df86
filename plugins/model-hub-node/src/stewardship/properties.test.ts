import fc from 'fast-check';
import { Entity } from '@backstage/catalog-model';
import { MODEL_LIFECYCLES } from '@internal/plugin-model-hub-common';
import { createStewardshipCatalog } from './catalog';
import { diffTasks, StoredTask } from './diff';
import { evaluateStewardship } from './evaluate';
import { effectiveLifecycle } from './lifecycle';
import { addMonthsUtc, DAY_MS } from './time';
import { CONFIG, component, model, orgEntities } from './testUtils';

const MIN = Date.UTC(1970, 0, 1);
const MAX = Date.UTC(2200, 0, 1);
const dates = fc.integer({ min: MIN, max: MAX }).map(ms => new Date(ms));

describe('addMonthsUtc properties', () => {
  it('moves exactly n calendar months, clamps the day and keeps the time of day', () => {
    fc.assert(
      fc.property(dates, fc.integer({ min: -600, max: 600 }), (date, n) => {
        const result = addMonthsUtc(date, n);
        const monthIndex = (d: Date) =>
          d.getUTCFullYear() * 12 + d.getUTCMonth();
        expect(monthIndex(result) - monthIndex(date)).toBe(n);
        const lastDay = new Date(
          Date.UTC(result.getUTCFullYear(), result.getUTCMonth() + 1, 0),
        ).getUTCDate();
        expect(result.getUTCDate()).toBe(Math.min(date.getUTCDate(), lastDay));
        const timeOfDay = (d: Date) =>
          ((d.getTime() % DAY_MS) + DAY_MS) % DAY_MS;
        expect(timeOfDay(result)).toBe(timeOfDay(date));
      }),
    );
  });
});

describe('staleness properties', () => {
  it('archives between 18×28 and 18×31 days of inactivity, and never un-archives as time passes', () => {
    const m = model('churn', {}, { annotations: {} });
    const property = fc.property(
      dates,
      fc.integer({ min: 0, max: 40 * 365 * DAY_MS }),
      fc.integer({ min: 0, max: 400 * DAY_MS }),
      (last, elapsed, later) => {
        const activity = { lastPullAt: last };
        const now = new Date(last.getTime() + elapsed);
        const lifecycle = effectiveLifecycle(m, activity, now, CONFIG);
        const after = new Date(now.getTime() + later);
        const lifecycleAfter = effectiveLifecycle(m, activity, after, CONFIG);
        // Returning false fails the property (and fast-check shrinks it).
        return (
          (elapsed >= 18 * 28 * DAY_MS || lifecycle === 'production') &&
          (elapsed < 18 * 31 * DAY_MS || lifecycle === 'archived') &&
          (lifecycle !== 'archived' || lifecycleAfter === 'archived')
        );
      },
    );
    expect(() => fc.assert(property)).not.toThrow();
    // The same property with a bound that is too tight does fail.
    const tooTight = fc.property(
      dates,
      last =>
        effectiveLifecycle(
          m,
          { lastPullAt: last },
          new Date(last.getTime() + 550 * DAY_MS),
          CONFIG,
        ) === 'production',
    );
    expect(() => fc.assert(tooTight)).toThrow(/Property failed/);
  });
});

/** A random world: models owned and stewarded by known, departed or missing parties. */
const worlds = fc
  .record({
    models: fc.uniqueArray(
      fc.record({
        name: fc.constantFrom('a', 'b', 'c', 'd', 'e', 'f'),
        owner: fc.constantFrom(
          'ml-platform',
          'search-team',
          'empty-team',
          'ghost-team',
          'gone-team',
          'user:default/alice',
        ),
        steward: fc.option(
          fc.constantFrom('alice', 'bob', 'dave', 'erin', 'zoe'),
          { nil: undefined },
        ),
        lifecycle: fc.constantFrom(...MODEL_LIFECYCLES),
        successor: fc.option(fc.constantFrom('a', 'b', 'c', 'x'), {
          nil: undefined,
        }),
        lastActivityDaysAgo: fc.integer({ min: 0, max: 800 }),
        checks: fc.array(
          fc.record({
            id: fc.constantFrom('license', 'fairness', 'security'),
            status: fc.constantFrom(
              'pass' as const,
              'warn' as const,
              'fail' as const,
              'error' as const,
              'not-applicable' as const,
            ),
          }),
          { maxLength: 3 },
        ),
        waiverDays: fc.option(fc.integer({ min: -10, max: 60 }), {
          nil: undefined,
        }),
      }),
      { selector: m => m.name, maxLength: 6 },
    ),
    components: fc.array(
      fc.record({
        owner: fc.constantFrom('search-team', 'ads-team', 'empty-team'),
        deps: fc.subarray(['a', 'b', 'c', 'd', 'e', 'f']),
      }),
      { maxLength: 5 },
    ),
  })
  .map(spec => {
    const now = new Date('2026-06-01T12:00:00.000Z');
    const models = spec.models.map(s =>
      model(
        s.name,
        {
          owner: s.owner,
          steward: s.steward,
          lifecycle: s.lifecycle,
          successor: s.successor,
        },
        { annotations: {} },
      ),
    );
    const entities: Entity[] = [
      ...orgEntities(),
      ...spec.components.map((c, i) =>
        component(
          `svc-${i}`,
          c.owner,
          c.deps.map(d => `model:default/${d}`),
        ),
      ),
    ];
    const activity = Object.fromEntries(
      spec.models.map(s => [
        `model:default/${s.name}`,
        {
          lastVersionAt: new Date(
            now.getTime() - s.lastActivityDaysAgo * DAY_MS,
          ),
        },
      ]),
    );
    const compliance = Object.fromEntries(
      spec.models.map(s => [
        `model:default/${s.name}`,
        {
          checks: s.checks.filter(
            (c, i) => s.checks.findIndex(o => o.id === c.id) === i,
          ),
          waivers:
            s.waiverDays === undefined
              ? []
              : [
                  {
                    checkId: 'license',
                    expiresAt: new Date(now.getTime() + s.waiverDays * DAY_MS),
                  },
                ],
        },
      ]),
    );
    return { now, models, entities, activity, compliance };
  });

function shuffled<T>(items: T[], seed: number): T[] {
  const copy = [...items];
  let state = seed || 1;
  for (let i = copy.length - 1; i > 0; i--) {
    state = (state * 1103515245 + 12345) % 2147483648;
    const j = state % (i + 1);
    [copy[i], copy[j]] = [copy[j], copy[i]];
  }
  return copy;
}

describe('evaluation properties', () => {
  it('is order-independent, has unique keys, and is a fixed point of diffTasks', () => {
    const seenKinds = new Set<string>();
    fc.assert(
      fc.property(worlds, fc.integer({ min: 1, max: 1e6 }), (w, seed) => {
        const run = (models: typeof w.models, entities: Entity[]) =>
          evaluateStewardship(
            {
              now: w.now,
              models,
              catalog: createStewardshipCatalog(entities),
              activity: w.activity,
              compliance: w.compliance,
            },
            CONFIG,
          );
        const conditions = run(w.models, w.entities);
        expect(
          run(shuffled(w.models, seed), shuffled(w.entities, seed + 1)),
        ).toEqual(conditions);

        conditions.forEach(c => seenKinds.add(c.kind));
        const keys = conditions.map(c => c.dedupKey);
        expect(new Set(keys).size).toBe(keys.length);

        for (const c of conditions) {
          expect(
            c.dedupKey.startsWith(`${c.kind}|${c.modelRef}|${c.assignee}`),
          ).toBe(true);
          const m = w.models.find(
            x => `model:default/${x.metadata.name}` === c.modelRef,
          );
          expect(m).toBeDefined();
          expect(m!.spec.lifecycle).not.toBe('archived');
          expect(c.assignee).toMatch(/^(group|user):default\/[a-z-]+$/);
        }

        const open: StoredTask[] = conditions.map((c, i) => ({
          id: String(i),
          dedupKey: c.dedupKey,
          kind: c.kind,
          modelRef: c.modelRef,
          assignee: c.assignee,
          severity: c.severity,
          title: c.title,
          description: c.description,
          dueAt: c.dueAt,
          openedAt: w.now,
        }));
        const diff = diffTasks(open, conditions);
        expect(diff.toOpen).toEqual([]);
        expect(diff.toClose).toEqual([]);
        expect(diff.toUpdate).toEqual([]);
        expect(diffTasks([], conditions).toOpen).toEqual(conditions);
        expect(diffTasks(open, []).toClose.map(x => x.reason)).toEqual(
          open.map(() => 'condition cleared'),
        );
      }),
      { numRuns: 200 },
    );
    // The generator reaches every rule, so the properties above are not vacuous.
    expect([...seenKinds].sort()).toEqual([
      'check-failing',
      'deprecated-migration',
      'deprecated-no-successor',
      'model-card-incomplete',
      'orphaned',
      'stale-archived',
      'stale-warning',
      'steward-missing',
      'waiver-expiring',
    ]);
  });
});
