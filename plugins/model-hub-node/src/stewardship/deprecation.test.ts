import { component, evaluate, model, ofKind } from './testUtils';

describe('deprecation rules', () => {
  const successor = model('churn-v2');
  const deprecated = model('churn', {
    lifecycle: 'deprecated',
    successor: 'churn-v2',
  });
  // 3 services from 2 teams, declared three different ways.
  const consumers = [
    component('billing', 'group:default/search-team', ['model:default/churn']),
    component(
      'retention',
      'group:default/search-team',
      ['model:default/churn'],
      true,
    ),
    component('ads-ranker', 'ads-team', ['model:default/churn']),
    component('unrelated', 'ads-team', ['model:default/churn-v2']),
  ];

  it("opens a migration task for every consuming service's owner, naming the successor", () => {
    const conditions = evaluate({
      models: [deprecated, successor],
      entities: consumers,
    });
    const tasks = ofKind(conditions, 'deprecated-migration');
    expect(
      tasks.map(t => [t.assignee, t.details.consumer, t.details.successor]),
    ).toEqual([
      [
        'group:default/ads-team',
        'component:default/ads-ranker',
        'model:default/churn-v2',
      ],
      [
        'group:default/search-team',
        'component:default/billing',
        'model:default/churn-v2',
      ],
      [
        'group:default/search-team',
        'component:default/retention',
        'model:default/churn-v2',
      ],
    ]);
    expect(new Set(tasks.map(t => t.assignee)).size).toBe(2);
    for (const task of tasks) {
      expect(task.severity).toBe('high');
      expect(task.modelRef).toBe('model:default/churn');
      expect(task.title).toContain('model:default/churn-v2');
      expect(task.description).toContain(
        'Move it to the successor model model:default/churn-v2',
      );
    }
    expect(tasks[0].dedupKey).toBe(
      'deprecated-migration|model:default/churn|group:default/ads-team|component:default/ads-ranker',
    );
    // The model itself has a successor, so no task for its owner.
    expect(ofKind(conditions, 'deprecated-no-successor')).toEqual([]);
  });

  it('finds consumers through the model’s own dependencyOf relations', () => {
    const withRelation = {
      ...deprecated,
      relations: [
        { type: 'dependencyOf', targetRef: 'component:default/reporting' },
      ],
    };
    const tasks = ofKind(
      evaluate({
        models: [withRelation, successor],
        entities: [component('reporting', 'search-team')],
      }),
      'deprecated-migration',
    );
    expect(tasks.map(t => [t.assignee, t.details.consumer])).toEqual([
      ['group:default/search-team', 'component:default/reporting'],
    ]);
  });

  it('sends the migration of a service with an unreachable owner to governance', () => {
    const [task] = ofKind(
      evaluate({
        models: [deprecated, successor],
        entities: [component('legacy', 'empty-team', ['model:default/churn'])],
      }),
      'deprecated-migration',
    );
    expect(task).toMatchObject({
      assignee: 'group:default/ai-governance',
      details: {
        consumerOwner: 'empty-team',
        consumerOwnerStatus: 'no-active-members',
      },
    });
  });

  it('assigns the migration to the user owning a service', () => {
    const [task] = ofKind(
      evaluate({
        models: [deprecated, successor],
        entities: [
          component('notebook', 'user:default/hank', ['model:default/churn']),
        ],
      }),
      'deprecated-migration',
    );
    expect(task.assignee).toBe('user:default/hank');
  });

  it('follows a chain of deprecated successors to the model to move to', () => {
    const middle = model('churn-v2', {
      lifecycle: 'deprecated',
      successor: 'churn-v3',
    });
    const [task] = ofKind(
      evaluate({
        models: [deprecated, middle, model('churn-v3')],
        entities: [consumers[0]],
      }),
      'deprecated-migration',
    );
    expect(task.details).toMatchObject({
      successor: 'model:default/churn-v3',
      declaredSuccessor: 'model:default/churn-v2',
      successorChain: ['model:default/churn-v2', 'model:default/churn-v3'],
    });
    expect(task.description).toContain(
      'model:default/churn-v3 (via model:default/churn-v2)',
    );
  });

  it('makes a deprecated model without successor a task for its owner', () => {
    const conditions = evaluate({
      models: [model('churn', { lifecycle: 'deprecated' })],
      entities: consumers,
    });
    expect(conditions).toHaveLength(1);
    expect(conditions[0]).toMatchObject({
      kind: 'deprecated-no-successor',
      assignee: 'group:default/ml-platform',
      severity: 'medium',
      dedupKey:
        'deprecated-no-successor|model:default/churn|group:default/ml-platform',
      details: {
        reason: 'unset',
        successor: null,
        consumers: [
          'component:default/ads-ranker',
          'component:default/billing',
          'component:default/retention',
        ],
      },
    });
    expect(conditions[0].description).toContain('3 consuming service(s)');
  });

  it.each([
    ['not-found', [deprecated]],
    ['archived', [deprecated, model('churn-v2', { lifecycle: 'archived' })]],
    [
      'deprecated',
      [deprecated, model('churn-v2', { lifecycle: 'deprecated' })],
    ],
    [
      'cycle',
      [
        deprecated,
        model('churn-v2', { lifecycle: 'deprecated', successor: 'churn' }),
      ],
    ],
  ])('treats a successor that is %s as no successor', (reason, models) => {
    const conditions = evaluate({ models, entities: consumers });
    expect(ofKind(conditions, 'deprecated-migration')).toEqual([]);
    const task = ofKind(conditions, 'deprecated-no-successor').find(
      c => c.modelRef === 'model:default/churn',
    );
    expect(task?.details).toMatchObject({
      reason,
      successor: 'model:default/churn-v2',
    });
  });

  it('raises nothing about consumers of models that are not deprecated', () => {
    expect(
      evaluate({ models: [model('churn'), successor], entities: consumers }),
    ).toEqual([]);
  });
});
