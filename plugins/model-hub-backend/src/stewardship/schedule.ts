import { LoggerService, SchedulerService } from '@backstage/backend-plugin-api';
import { ConflictError } from '@backstage/errors';
import { StewardshipEngineConfig } from './config';
import { StewardshipEngine } from './StewardshipEngine';

/** Id of the scheduled stewardship evaluation. */
export const STEWARDSHIP_TASK_ID = 'model-hub-stewardship';

/**
 * Schedules the stewardship evaluation with the scheduler service, which
 * runs it on one replica at a time (`scope: 'global'`). Frequency, timeout
 * and initial delay come from `modelHub.stewardship.schedule` (default every
 * 10 minutes, 5 minutes timeout, first run 30 seconds after start). Nothing
 * is scheduled when `modelHub.stewardship.enabled` is false.
 */
export async function scheduleStewardship(options: {
  scheduler: SchedulerService;
  engine: Pick<StewardshipEngine, 'run'>;
  config: Pick<StewardshipEngineConfig, 'enabled' | 'schedule'>;
  logger: LoggerService;
}): Promise<void> {
  const { scheduler, engine, config, logger } = options;
  if (!config.enabled) {
    logger.info(
      'Model stewardship evaluation is disabled (modelHub.stewardship.enabled)',
    );
    return;
  }
  await scheduler.scheduleTask({
    id: STEWARDSHIP_TASK_ID,
    ...config.schedule,
    scope: 'global',
    fn: async () => {
      await engine.run();
    },
  });
}

/**
 * Returns a function that asks for a stewardship evaluation soon, e.g. right
 * after a version is sealed, instead of waiting for the next scheduled run.
 * It triggers the scheduled task (so still one replica at a time); when an
 * evaluation is already running, the request is dropped with a debug log,
 * because the next scheduled run picks the change up. Never throws.
 */
export function createStewardshipTrigger(options: {
  scheduler: Pick<SchedulerService, 'triggerTask'>;
  logger: LoggerService;
}): (reason: string) => Promise<void> {
  const { scheduler, logger } = options;
  return async reason => {
    try {
      await scheduler.triggerTask(STEWARDSHIP_TASK_ID);
      logger.debug(`Stewardship evaluation triggered: ${reason}`);
    } catch (error) {
      if (
        error instanceof ConflictError ||
        (error as Error)?.name === 'ConflictError'
      ) {
        logger.debug(
          `Stewardship evaluation already running; ${reason} is picked up by the next run`,
        );
        return;
      }
      logger.warn(
        `Could not trigger the stewardship evaluation (${reason}): ${error}`,
      );
    }
  };
}
