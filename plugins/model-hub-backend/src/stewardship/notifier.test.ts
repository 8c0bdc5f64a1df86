import { createNotificationServiceNotifier, entityPagePath } from './notifier';
import { StewardshipTask } from './types';

function task(overrides: Partial<StewardshipTask> = {}): StewardshipTask {
  return {
    id: '2b1d3f4e-0000-4000-8000-000000000001',
    dedupKey: 'steward-missing|model:default/churn|group:default/ml-platform',
    kind: 'steward-missing',
    entityRef: 'model:default/churn',
    assignee: 'group:default/ml-platform',
    severity: 'medium',
    openedAt: '2026-06-01T12:00:00.000Z',
    updatedAt: '2026-06-01T12:00:00.000Z',
    title: 'Name a new steward for churn',
    description: 'The steward left.',
    details: {},
    ...overrides,
  };
}

describe('createNotificationServiceNotifier', () => {
  it('notifies the assignee entity of an opened task, linking the model page', async () => {
    const send = jest.fn().mockResolvedValue(undefined);
    const notifier = createNotificationServiceNotifier({ send });
    await notifier.taskOpened(task({ dueAt: '2026-07-01T00:00:00.000Z' }));
    expect(send).toHaveBeenCalledWith({
      recipients: { type: 'entity', entityRef: 'group:default/ml-platform' },
      payload: {
        title: 'Name a new steward for churn',
        description: 'The steward left.',
        link: '/catalog/default/model/churn',
        severity: 'normal',
        topic: 'model-hub-stewardship',
        scope: 'stewardship-task:2b1d3f4e-0000-4000-8000-000000000001',
        metadata: {
          taskId: '2b1d3f4e-0000-4000-8000-000000000001',
          kind: 'steward-missing',
          entityRef: 'model:default/churn',
          dueAt: '2026-07-01T00:00:00.000Z',
        },
      },
    });
  });

  it('sends a digest listing the most urgent tasks, then how many more', async () => {
    const send = jest.fn().mockResolvedValue(undefined);
    const notifier = createNotificationServiceNotifier(
      { send },
      { maxListedTasks: 1 },
    );
    await notifier.digest({
      assignee: 'group:default/ml-platform',
      day: '2026-06-01',
      tasks: [
        task({ severity: 'critical', title: 'Orphaned' }),
        task({ severity: 'low', title: 'Card incomplete' }),
      ],
      counts: { critical: 1, high: 0, medium: 0, low: 1, total: 2 },
      newTasks: 1,
    });
    const [{ recipients, payload }] = send.mock.calls[0];
    expect(recipients).toEqual({
      type: 'entity',
      entityRef: 'group:default/ml-platform',
    });
    expect(payload).toMatchObject({
      title: '2 open model stewardship tasks for ml-platform',
      link: '/catalog/default/group/ml-platform',
      severity: 'critical',
      topic: 'model-hub-stewardship-digest',
      scope: 'stewardship-digest:group:default/ml-platform:2026-06-01',
    });
    expect(payload.description).toBe(
      '1 critical, 1 low; 1 new since the last digest.\n- [critical] Orphaned\n… and 1 more',
    );
  });

  it('builds entity page paths', () => {
    expect(entityPagePath('model:team-a/Fraud Model')).toBe(
      '/catalog/team-a/model/Fraud%20Model',
    );
  });
});
