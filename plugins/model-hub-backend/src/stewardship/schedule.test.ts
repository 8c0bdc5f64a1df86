import { mockServices } from '@backstage/backend-test-utils';
import { ConflictError, NotFoundError } from '@backstage/errors';
import {
  createStewardshipTrigger,
  scheduleStewardship,
  STEWARDSHIP_TASK_ID,
} from './schedule';

describe('scheduleStewardship', () => {
  const schedule = {
    frequency: { minutes: 10 },
    timeout: { minutes: 5 },
    initialDelay: { seconds: 30 },
  };

  it('schedules one global task that runs the engine', async () => {
    const scheduler = mockServices.scheduler.mock();
    const run = jest.fn().mockResolvedValue({});
    await scheduleStewardship({
      scheduler,
      engine: { run },
      config: { enabled: true, schedule },
      logger: mockServices.logger.mock(),
    });
    expect(scheduler.scheduleTask).toHaveBeenCalledTimes(1);
    const task = scheduler.scheduleTask.mock.calls[0][0];
    expect(task).toMatchObject({
      id: 'model-hub-stewardship',
      frequency: { minutes: 10 },
      timeout: { minutes: 5 },
      initialDelay: { seconds: 30 },
      scope: 'global',
    });
    await task.fn(new AbortController().signal);
    expect(run).toHaveBeenCalledTimes(1);
  });

  it('schedules nothing when disabled', async () => {
    const scheduler = mockServices.scheduler.mock();
    await scheduleStewardship({
      scheduler,
      engine: { run: jest.fn() },
      config: { enabled: false, schedule },
      logger: mockServices.logger.mock(),
    });
    expect(scheduler.scheduleTask).not.toHaveBeenCalled();
  });
});

describe('createStewardshipTrigger', () => {
  it('triggers the scheduled task and tolerates a run in progress', async () => {
    const triggerTask = jest.fn().mockResolvedValue(undefined);
    const logger = mockServices.logger.mock();
    const trigger = createStewardshipTrigger({
      scheduler: { triggerTask },
      logger,
    });
    await trigger('sealed model:default/churn@1.0.0');
    expect(triggerTask).toHaveBeenCalledWith(STEWARDSHIP_TASK_ID);

    triggerTask.mockRejectedValueOnce(new ConflictError('running'));
    await expect(trigger('again')).resolves.toBeUndefined();
    expect(logger.warn).not.toHaveBeenCalled();

    triggerTask.mockRejectedValueOnce(new NotFoundError('no such task'));
    await expect(trigger('not scheduled')).resolves.toBeUndefined();
    expect(logger.warn).toHaveBeenCalledWith(
      expect.stringContaining('Could not trigger the stewardship evaluation'),
    );
  });
});
