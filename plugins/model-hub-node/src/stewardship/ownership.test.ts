import { evaluate, model, ofKind, user } from './testUtils';

describe('ownership and stewardship rules', () => {
  it('raises nothing for a healthy, fully described, owned and stewarded model', () => {
    expect(evaluate({ models: [model('churn')] })).toEqual([]);
  });

  it('orphans a model whose owner group is missing from the catalog and tells governance', () => {
    const [orphaned, ...rest] = ofKind(
      evaluate({
        models: [model('churn', { owner: 'group:default/gone-team' })],
      }),
      'orphaned',
    );
    expect(rest).toEqual([]);
    expect(orphaned).toMatchObject({
      kind: 'orphaned',
      modelRef: 'model:default/churn',
      assignee: 'group:default/ai-governance',
      severity: 'critical',
      dedupKey: 'orphaned|model:default/churn|group:default/ai-governance',
      details: { reason: 'not-found', owner: 'group:default/gone-team' },
    });
    expect(orphaned.description).toContain('group:default/gone-team');
  });

  it('rates an orphan critical in production and high otherwise', () => {
    const severity = (
      lifecycle: 'experimental' | 'production' | 'deprecated',
    ) =>
      ofKind(
        evaluate({
          models: [model('churn', { owner: 'empty-team', lifecycle })],
        }),
        'orphaned',
      )[0].severity;
    expect(severity('production')).toBe('critical');
    expect(severity('experimental')).toBe('high');
    expect(severity('deprecated')).toBe('high');
  });

  it('orphans a model whose owner group has no members at all', () => {
    const [orphaned] = ofKind(
      evaluate({ models: [model('churn', { owner: 'empty-team' })] }),
      'orphaned',
    );
    expect(orphaned.details).toEqual({
      reason: 'no-active-members',
      owner: 'group:default/empty-team',
    });
  });

  it('orphans a model whose owner group has only departed members', () => {
    const [orphaned] = ofKind(
      evaluate({
        models: [model('churn', { owner: 'group:default/ghost-team' })],
      }),
      'orphaned',
    );
    expect(orphaned.details.reason).toBe('no-active-members');
  });

  it('orphans a model owned by a user, since the owner must be a group', () => {
    const [orphaned] = ofKind(
      evaluate({ models: [model('churn', { owner: 'user:default/alice' })] }),
      'orphaned',
    );
    expect(orphaned.details.reason).toBe('not-a-group');
  });

  it('counts members given by the group (spec.members) and by user relations', () => {
    // ads-team's only member frank is listed in the group's spec.members.
    expect(
      ofKind(
        evaluate({
          models: [model('ads', { owner: 'ads-team', steward: 'frank' })],
        }),
        'orphaned',
      ),
    ).toEqual([]);
  });

  it('routes the other tasks of an orphaned model to governance too', () => {
    const conditions = evaluate({
      models: [
        model('churn', { owner: 'empty-team', steward: 'user:default/dave' }),
      ],
    });
    expect(conditions.map(c => [c.kind, c.assignee])).toEqual([
      ['orphaned', 'group:default/ai-governance'],
      ['steward-missing', 'group:default/ai-governance'],
    ]);
  });

  it('asks the owning team for a new steward when the steward is annotated as departed', () => {
    const [task] = ofKind(
      evaluate({ models: [model('churn', { steward: 'user:default/dave' })] }),
      'steward-missing',
    );
    expect(task).toMatchObject({
      assignee: 'group:default/ml-platform',
      severity: 'high',
      title: 'Name a new steward for churn',
      dedupKey:
        'steward-missing|model:default/churn|group:default/ml-platform|user:default/dave',
      details: { reason: 'departed', steward: 'user:default/dave' },
    });
  });

  it('asks the owning team for a new steward when the steward is gone from the catalog', () => {
    const [task] = ofKind(
      evaluate({ models: [model('churn', { steward: 'zoe' })] }),
      'steward-missing',
    );
    expect(task.details).toEqual({
      reason: 'not-found',
      steward: 'user:default/zoe',
    });
    expect(task.description).toContain('no longer in the catalog');
  });

  it('asks for a steward when none is named', () => {
    const [task] = ofKind(
      evaluate({ models: [model('churn', { steward: undefined })] }),
      'steward-missing',
    );
    expect(task).toMatchObject({
      severity: 'high',
      title: 'Name a steward for churn',
      details: { reason: 'unset', steward: null },
    });
  });

  it('flags, at lower severity, a steward who is active but not in the owning team', () => {
    const [task] = ofKind(
      evaluate({ models: [model('churn', { steward: 'user:default/erin' })] }),
      'steward-missing',
    );
    expect(task).toMatchObject({
      assignee: 'group:default/ml-platform',
      severity: 'medium',
      title:
        'Steward user:default/erin is not a member of the owning team group:default/ml-platform',
      dedupKey:
        'steward-missing|model:default/churn|group:default/ml-platform|not-member:user:default/erin',
      details: {
        reason: 'not-member',
        steward: 'user:default/erin',
        owner: 'group:default/ml-platform',
      },
    });
    expect(task.description).toBe(
      'Steward user:default/erin is not a member of the owning team group:default/ml-platform (model model:default/churn). ' +
        'Either add them to group:default/ml-platform or set spec.steward to one of its members.',
    );
  });

  it('accepts a steward who is a member only through a memberOf relation', () => {
    expect(
      evaluate({ models: [model('churn', { steward: 'user:default/bob' })] }),
    ).toEqual([]);
  });

  it('treats the departed annotation case-insensitively and ignores other values', () => {
    const entities = [
      {
        ...user('ivy', { memberOf: ['ml-platform'] }),
        metadata: {
          name: 'ivy',
          annotations: { 'modelhub.io/departed': 'false' },
        },
      },
    ];
    expect(
      evaluate({ models: [model('churn', { steward: 'ivy' })], entities }),
    ).toEqual([]);
    entities[0].metadata.annotations['modelhub.io/departed'] = 'TRUE';
    expect(
      ofKind(
        evaluate({ models: [model('churn', { steward: 'ivy' })], entities }),
        'steward-missing',
      )[0].details.reason,
    ).toBe('departed');
  });
});
