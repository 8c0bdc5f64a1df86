import os from 'node:os';
import {
  LoggerService,
  SchedulerService,
  SchedulerServiceTaskInvocationDefinition,
  SchedulerServiceTaskScheduleDefinition,
} from '@backstage/backend-plugin-api';
import { TaskRunStore } from './TaskRunStore';

/** How long logged task runs are kept. */
export const TASK_RUN_RETENTION_DAYS = 7;

/** This process as a replica name: `host:pid`. */
export function replicaName(): string {
  return `${os.hostname()}:${process.pid}`.slice(0, 255);
}

/**
 * Wraps the scheduler so that every run of a cluster-wide task
 * (`scope: 'global'`, the default) is logged in `model_hub_task_runs` with
 * the replica that ran it. Per-replica tasks (`scope: 'local'`) are not
 * logged: they run everywhere by design, and some poll every second. A
 * failure to write the log is logged and never stops the task.
 */
export function withTaskRunLog(
  scheduler: SchedulerService,
  options: {
    store: TaskRunStore;
    logger: LoggerService;
    replica?: string;
    clock?: () => Date;
  },
): SchedulerService {
  const { store, logger } = options;
  const replica = options.replica ?? replicaName();
  const clock = options.clock ?? (() => new Date());

  function logged<T extends SchedulerServiceTaskInvocationDefinition>(
    task: T,
    scope: SchedulerServiceTaskScheduleDefinition['scope'],
  ): T {
    if ((scope ?? 'global') !== 'global') return task;
    return {
      ...task,
      fn: async (signal: AbortSignal) => {
        const runId = await store.start(task.id, replica, clock()).catch(e => {
          logger.warn(`Could not log the start of task ${task.id}: ${e}`);
          return undefined;
        });
        let outcome: 'succeeded' | 'failed' = 'failed';
        try {
          await task.fn(signal);
          outcome = 'succeeded';
        } finally {
          if (runId !== undefined) {
            const now = clock();
            await store
              .finish(runId, outcome, now)
              .then(() =>
                store.prune(
                  task.id,
                  new Date(
                    now.getTime() - TASK_RUN_RETENTION_DAYS * 86_400_000,
                  ),
                ),
              )
              .catch(e =>
                logger.warn(`Could not log the end of task ${task.id}: ${e}`),
              );
          }
        }
      },
    };
  }

  return {
    triggerTask: id => scheduler.triggerTask(id),
    cancelTask: id => scheduler.cancelTask(id),
    getScheduledTasks: () => scheduler.getScheduledTasks(),
    scheduleTask: task => scheduler.scheduleTask(logged(task, task.scope)),
    createScheduledTaskRunner(schedule) {
      const runner = scheduler.createScheduledTaskRunner(schedule);
      return { run: task => runner.run(logged(task, schedule.scope)) };
    },
  };
}
