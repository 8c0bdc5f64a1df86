import { LoggerService, SchedulerService } from '@backstage/backend-plugin-api';
import { OutboxStore } from './OutboxStore';

/** The scheduled deletion of delivered outbox rows past the retention (one replica). */
export const WEBHOOK_OUTBOX_RETENTION_TASK =
  'model-hub-webhook-outbox-retention';

/**
 * Schedules the outbox retention (issue #21): delivered rows older than
 * `retentionDays` (by delivery time) are deleted, on one replica at a time;
 * pending and given-up rows stay. The delivery attempts admins read live in
 * their own table and are not touched.
 */
export async function scheduleOutboxRetention(options: {
  scheduler: SchedulerService;
  outbox: OutboxStore;
  logger: LoggerService;
  retentionDays: number;
  clock?: () => Date;
}): Promise<void> {
  const { outbox, logger, retentionDays } = options;
  const now = options.clock ?? (() => new Date());
  await options.scheduler.scheduleTask({
    id: WEBHOOK_OUTBOX_RETENTION_TASK,
    scope: 'global',
    frequency: { hours: 6 },
    timeout: { minutes: 30 },
    initialDelay: { minutes: 3 },
    fn: async () => {
      const before = new Date(now().getTime() - retentionDays * 86_400_000);
      const deleted = await outbox.deleteDeliveredBefore(before);
      if (deleted > 0) {
        logger.info(
          `Deleted ${deleted} delivered webhook outbox rows settled before ${before.toISOString()}`,
        );
      }
    },
  });
}
