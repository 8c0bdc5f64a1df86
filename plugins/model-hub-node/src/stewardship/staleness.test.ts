import { MODEL_HUB_ANNOTATIONS } from '@internal/plugin-model-hub-common';
import { resolveStewardshipConfig } from './config';
import { assessStaleness, effectiveLifecycle } from './lifecycle';
import { addMonthsUtc, parseIsoDate } from './time';
import { evaluate, model, ofKind } from './testUtils';

const CONFIG = resolveStewardshipConfig();
const MS = 1;

/** A model whose only activity is a version published at `at`. */
function published(at: string) {
  const m = model('churn', {}, { annotations: {} });
  return {
    m,
    activity: { 'model:default/churn': { lastVersionAt: new Date(at) } },
  };
}

describe('addMonthsUtc', () => {
  it.each([
    ['2024-11-30T10:00:00.000Z', 18, '2026-05-30T10:00:00.000Z'],
    ['2024-01-31T00:00:00.000Z', 1, '2024-02-29T00:00:00.000Z'],
    ['2023-08-31T23:59:59.999Z', 18, '2025-02-28T23:59:59.999Z'],
    ['2025-12-15T00:00:00.000Z', 1, '2026-01-15T00:00:00.000Z'],
    ['2026-03-31T00:00:00.000Z', -1, '2026-02-28T00:00:00.000Z'],
    ['2026-01-15T00:00:00.000Z', -13, '2024-12-15T00:00:00.000Z'],
  ])('%s + %i months = %s', (from, months, expected) => {
    expect(addMonthsUtc(new Date(from), months).toISOString()).toBe(expected);
  });

  it('rejects fractional months and invalid dates', () => {
    expect(() => addMonthsUtc(new Date(), 1.5)).toThrow(/integer/);
    expect(() => addMonthsUtc(new Date('nope'), 1)).toThrow(/valid Date/);
  });
});

describe('parseIsoDate', () => {
  it('reads dates as midnight UTC and date-times with an offset', () => {
    expect(parseIsoDate('2025-02-28')?.toISOString()).toBe(
      '2025-02-28T00:00:00.000Z',
    );
    expect(parseIsoDate('2025-02-28T10:00:00+02:00')?.toISOString()).toBe(
      '2025-02-28T08:00:00.000Z',
    );
  });

  it.each(['2025-02-30', '2025-13-01', 'yesterday', '2025-02-28T10:00:00', ''])(
    'refuses %j',
    value => expect(parseIsoDate(value)).toBeUndefined(),
  );
});

describe('staleness', () => {
  // Last activity 2024-11-30T10:00Z; 18 months later is 2026-05-30T10:00Z.
  const { m, activity } = published('2024-11-30T10:00:00.000Z');
  const archiveAt = new Date('2026-05-30T10:00:00.000Z');
  const warnFrom = new Date('2026-04-30T10:00:00.000Z'); // 30 days before
  const at = (ms: number) => new Date(archiveAt.getTime() + ms);
  const kinds = (now: Date) =>
    evaluate({ models: [m], activity, now }).map(c => c.kind);

  it('archives exactly at 18 calendar months after the last activity', () => {
    expect(
      effectiveLifecycle(m, activity['model:default/churn'], archiveAt, CONFIG),
    ).toBe('archived');
    expect(kinds(archiveAt)).toEqual(['stale-archived']);
  });

  it('does not archive one millisecond before the threshold, but warns', () => {
    expect(
      effectiveLifecycle(m, activity['model:default/churn'], at(-MS), CONFIG),
    ).toBe('production');
    expect(kinds(at(-MS))).toEqual(['stale-warning']);
  });

  it('stays archived after the threshold', () => {
    expect(
      effectiveLifecycle(m, activity['model:default/churn'], at(MS), CONFIG),
    ).toBe('archived');
    expect(kinds(at(400 * 24 * 3600 * 1000))).toEqual(['stale-archived']);
  });

  it('opens the warning exactly 30 days before archiving, not earlier', () => {
    expect(kinds(new Date(warnFrom.getTime() - MS))).toEqual([]);
    const [warning] = evaluate({ models: [m], activity, now: warnFrom });
    expect(warning).toMatchObject({
      kind: 'stale-warning',
      assignee: 'group:default/ml-platform',
      severity: 'medium',
      dueAt: archiveAt,
      dedupKey: 'stale-warning|model:default/churn|group:default/ml-platform',
      details: {
        lastActivityAt: '2024-11-30T10:00:00.000Z',
        lastActivitySource: 'lastVersionAt',
        archiveAt: '2026-05-30T10:00:00.000Z',
        staleAfterMonths: 18,
      },
    });
    expect(warning.title).toContain('2026-05-30');
  });

  it('takes the latest of version, metadata change, pull and the annotation', () => {
    const recent = {
      'model:default/churn': {
        lastVersionAt: new Date('2024-01-01T00:00:00Z'),
        lastMetadataChangeAt: new Date('2024-02-01T00:00:00Z'),
        lastPullAt: new Date('2025-12-01T00:00:00Z'),
      },
    };
    const s = assessStaleness(m, recent['model:default/churn'], at(0), CONFIG);
    expect(s).toMatchObject({
      state: 'active',
      lastActivitySource: 'lastPullAt',
      archiveAt: new Date('2027-06-01T00:00:00Z'),
    });
    expect(kinds(at(0))).toEqual(['stale-archived']);
    expect(evaluate({ models: [m], activity: recent, now: at(0) })).toEqual([]);
  });

  it('uses the last-activity annotation as a floor', () => {
    const annotated = model(
      'churn',
      {},
      { annotations: { [MODEL_HUB_ANNOTATIONS.lastActivity]: '2026-01-10' } },
    );
    const s = assessStaleness(
      annotated,
      activity['model:default/churn'],
      at(0),
      CONFIG,
    );
    expect(s.lastActivitySource).toBe('annotation');
    expect(s.archiveAt).toEqual(new Date('2027-07-10T00:00:00Z'));
    expect(
      effectiveLifecycle(
        annotated,
        activity['model:default/churn'],
        at(0),
        CONFIG,
      ),
    ).toBe('production');
  });

  it('cannot judge a model without any recorded activity, and ignores an unreadable annotation', () => {
    const bare = model(
      'churn',
      {},
      { annotations: { [MODEL_HUB_ANNOTATIONS.lastActivity]: 'last spring' } },
    );
    expect(assessStaleness(bare, undefined, at(0), CONFIG)).toEqual({
      state: 'unknown',
      invalidAnnotation: 'last spring',
    });
    expect(evaluate({ models: [bare], now: at(0) })).toEqual([]);
  });

  it('honours configured periods', () => {
    const config = { staleAfterMonths: 6, staleWarningDays: 7 };
    const now = new Date('2025-05-30T10:00:00.000Z'); // 6 months after
    expect(
      evaluate({ models: [m], activity, now, config }).map(c => c.kind),
    ).toEqual(['stale-archived']);
    expect(
      evaluate({
        models: [m],
        activity,
        now: new Date('2025-05-23T10:00:00.000Z'),
        config,
      }).map(c => c.kind),
    ).toEqual(['stale-warning']);
    expect(
      evaluate({
        models: [m],
        activity,
        now: new Date('2025-05-23T09:59:59.999Z'),
        config,
      }),
    ).toEqual([]);
  });

  it('keeps a declared lifecycle and reports nothing for models declared archived', () => {
    const archived = model(
      'old',
      { lifecycle: 'archived' },
      { annotations: {} },
    );
    expect(effectiveLifecycle(archived, undefined, archiveAt, CONFIG)).toBe(
      'archived',
    );
    expect(
      evaluate({ models: [archived], now: archiveAt, activity: {} }),
    ).toEqual([]);
  });

  it('reports only the archive condition for a stale model, whatever else is wrong', () => {
    const messy = model(
      'churn',
      { owner: 'empty-team', steward: undefined, intendedUse: undefined },
      { annotations: {} },
    );
    const conditions = evaluate({ models: [messy], activity, now: archiveAt });
    expect(conditions.map(c => [c.kind, c.assignee])).toEqual([
      ['stale-archived', 'group:default/ai-governance'],
    ]);
    expect(
      ofKind(
        evaluate({ models: [messy], activity, now: at(-MS) }),
        'stale-warning',
      ),
    ).toHaveLength(1);
  });

  it('rejects invalid activity dates', () => {
    expect(() =>
      evaluate({
        models: [m],
        activity: { 'model:default/churn': { lastPullAt: new Date('x') } },
      }),
    ).toThrow(/activity.lastPullAt must be a valid Date/);
  });
});
