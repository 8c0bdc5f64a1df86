import { ModelCompliance } from './types';
import { evaluate, model, NOW, ofKind } from './testUtils';

const DAY = 24 * 60 * 60 * 1000;
const inDays = (days: number) => new Date(NOW.getTime() + days * DAY);
const churn = model('churn');
const run = (compliance: ModelCompliance, config = {}) =>
  evaluate({
    models: [churn],
    compliance: { 'model:default/churn': compliance },
    config,
  });

describe('compliance rules', () => {
  it('opens a task for a failing and for an erroring check on the current version', () => {
    const conditions = run({
      currentVersion: '2.0.0',
      checks: [
        {
          id: 'license-allowed',
          status: 'fail',
          title: 'License allowed',
          message: 'GPL-3.0 is not on the allow list',
        },
        { id: 'fairness', status: 'error', version: '2.0.0' },
        { id: 'scan', status: 'pass' },
        { id: 'eval', status: 'warn' },
        { id: 'pii', status: 'not-applicable' },
        // A failure of an older version does not count.
        { id: 'secrets', status: 'fail', version: '1.0.0' },
      ],
      waivers: [],
    });
    expect(conditions.map(c => [c.kind, c.severity, c.dedupKey])).toEqual([
      [
        'check-failing',
        'medium',
        'check-failing|model:default/churn|group:default/ml-platform|fairness',
      ],
      [
        'check-failing',
        'critical',
        'check-failing|model:default/churn|group:default/ml-platform|license-allowed',
      ],
    ]);
    const license = conditions[1];
    expect(license.title).toBe('Check License allowed fails on churn 2.0.0');
    expect(license.description).toContain('GPL-3.0 is not on the allow list');
    expect(license.details).toEqual({
      checkId: 'license-allowed',
      status: 'fail',
      version: '2.0.0',
      message: 'GPL-3.0 is not on the allow list',
      waiverExpiredAt: null,
    });
    expect(conditions[0].title).toBe(
      'Check fairness could not run on churn 2.0.0',
    );
  });

  it('rates a failing check high rather than critical outside production', () => {
    const conditions = evaluate({
      models: [model('churn', { lifecycle: 'experimental' })],
      compliance: {
        'model:default/churn': {
          checks: [
            { id: 'license', status: 'fail' },
            { id: 'fairness', status: 'error' },
          ],
          waivers: [],
        },
      },
    });
    expect(conditions.map(c => [c.details.checkId, c.severity])).toEqual([
      ['fairness', 'medium'],
      ['license', 'high'],
    ]);
  });

  it('suppresses a failing check covered by an active waiver, but not by an expired one', () => {
    const checks = [{ id: 'eval', status: 'fail' as const }];
    expect(
      ofKind(
        run({ checks, waivers: [{ checkId: 'eval', expiresAt: inDays(90) }] }),
        'check-failing',
      ),
    ).toEqual([]);
    const [task] = run({
      checks,
      waivers: [{ checkId: 'eval', expiresAt: inDays(-1) }],
    });
    expect(task.kind).toBe('check-failing');
    expect(task.details.waiverExpiredAt).toBe(inDays(-1).toISOString());
  });

  it('warns about a waiver expiring inside the window, with the expiry as due date', () => {
    const conditions = run({
      checks: [{ id: 'eval', status: 'fail' }],
      waivers: [{ checkId: 'eval', expiresAt: inDays(10) }],
    });
    expect(conditions).toHaveLength(1);
    expect(conditions[0]).toMatchObject({
      kind: 'waiver-expiring',
      assignee: 'group:default/ml-platform',
      severity: 'medium',
      dueAt: inDays(10),
      dedupKey: `waiver-expiring|model:default/churn|group:default/ml-platform|eval@${inDays(
        10,
      ).toISOString()}`,
      details: { checkId: 'eval', checkStatus: 'fail' },
    });
  });

  it('includes the window edge and excludes what lies beyond it or has expired', () => {
    const kindsFor = (expiresAt: Date) =>
      run({
        checks: [{ id: 'eval', status: 'warn' }],
        waivers: [{ checkId: 'eval', expiresAt }],
      }).map(c => c.kind);
    expect(kindsFor(inDays(30))).toEqual(['waiver-expiring']);
    expect(kindsFor(new Date(inDays(30).getTime() + 1))).toEqual([]);
    expect(kindsFor(new Date(NOW.getTime() + 1))).toEqual(['waiver-expiring']);
    // Expiring exactly now means expired: no renewal task, and a warn is no failure.
    expect(kindsFor(NOW)).toEqual([]);
    expect(kindsFor(inDays(-3))).toEqual([]);
  });

  it('uses the configured window', () => {
    const compliance = {
      checks: [],
      waivers: [{ checkId: 'eval', expiresAt: inDays(40) }],
    };
    expect(run(compliance)).toEqual([]);
    expect(run(compliance, { waiverExpiryWindowDays: 60 })).toHaveLength(1);
  });

  it('ignores an expiring waiver superseded by a later one, or for a check that now passes', () => {
    expect(
      run({
        checks: [{ id: 'eval', status: 'fail' }],
        waivers: [
          { checkId: 'eval', expiresAt: inDays(5) },
          { checkId: 'eval', expiresAt: inDays(200) },
        ],
      }),
    ).toEqual([]);
    expect(
      run({
        checks: [{ id: 'eval', status: 'pass' }],
        waivers: [{ checkId: 'eval', expiresAt: inDays(5) }],
      }),
    ).toEqual([]);
  });

  it('rejects two results of one check for the current version', () => {
    expect(() =>
      run({
        checks: [
          { id: 'eval', status: 'fail' },
          { id: 'eval', status: 'pass' },
        ],
        waivers: [],
      }),
    ).toThrow(/check "eval" has more than one result/);
  });

  it('rejects compliance keyed by something that is not a model ref', () => {
    expect(() =>
      evaluate({
        models: [churn],
        compliance: { 'component:default/x': { checks: [], waivers: [] } },
      }),
    ).toThrow(/not a model ref/);
  });
});

describe('model card rule', () => {
  it('lists every missing required field in one low-severity task', () => {
    const incomplete = model(
      'churn',
      { intendedUse: '  ', limitations: undefined },
      { description: undefined },
    );
    const [task, ...rest] = evaluate({ models: [incomplete] });
    expect(rest).toEqual([]);
    expect(task).toMatchObject({
      kind: 'model-card-incomplete',
      severity: 'low',
      assignee: 'group:default/ml-platform',
      dedupKey:
        'model-card-incomplete|model:default/churn|group:default/ml-platform',
      details: { missingFields: ['description', 'intendedUse', 'limitations'] },
    });
    expect(task.title).toBe(
      'Model card of churn is missing description, intendedUse, limitations',
    );
  });

  it('reads the configured fields, including dotted paths', () => {
    const config = {
      requiredFields: [
        'outOfScopeUse',
        'metrics',
        'metadata.title',
        'spec.evaluation.dataset',
        'metadata.annotations',
        'spec.intendedUse',
      ],
    };
    const [task] = evaluate({ models: [model('churn')], config });
    expect(task.details.missingFields).toEqual([
      'outOfScopeUse',
      'metrics',
      'metadata.title',
      'spec.evaluation.dataset',
    ]);
    expect(
      evaluate({
        models: [
          model(
            'churn',
            {
              outOfScopeUse: 'Credit decisions.',
              metrics: [{ name: 'auc', value: 0.9, dataset: 'eval-set' }],
              evaluation: { dataset: 'resource:default/eval-set' },
            },
            { title: 'Churn' },
          ),
        ],
        config,
      }),
    ).toEqual([]);
  });
});
