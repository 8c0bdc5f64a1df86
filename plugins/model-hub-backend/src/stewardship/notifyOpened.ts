import { LoggerService } from '@backstage/backend-plugin-api';
import { STEWARDSHIP_SEVERITIES } from './rules';
import { StewardshipNotifier } from './notifier';
import { StewardshipTaskStore } from './StewardshipTaskStore';
import { StewardshipTask } from './types';

/** Default of `modelHub.stewardship.notifications.groupAbove`. */
export const DEFAULT_GROUP_OPENED_ABOVE = 3;

/** Notifications in flight at once while announcing opened tasks. */
const SEND_CONCURRENCY = 4;

/** What announcing the unnotified tasks did. */
export interface OpenedTasksNotified {
  /** Tasks marked as notified. */
  notified: number;
  /** Tasks whose notification failed (left unnotified for the next run). */
  notificationFailures: number;
  /** Notifications sent (a group counts once). */
  notificationsSent: number;
}

/** One notification to send: one task, or a group of one assignee's tasks. */
type Announcement =
  | { assignee: string; tasks: [StewardshipTask]; grouped: false }
  | { assignee: string; tasks: StewardshipTask[]; grouped: true };

/** Most urgent first: severity, then due date, then opening time, then id. */
export function byUrgency(a: StewardshipTask, b: StewardshipTask): number {
  const rank = (t: StewardshipTask) =>
    STEWARDSHIP_SEVERITIES.indexOf(t.severity);
  const due = (t: StewardshipTask) =>
    t.dueAt ? Date.parse(t.dueAt) : Number.POSITIVE_INFINITY;
  return (
    rank(a) - rank(b) ||
    due(a) - due(b) ||
    Date.parse(a.openedAt) - Date.parse(b.openedAt) ||
    Number(a.id > b.id) - Number(a.id < b.id)
  );
}

/**
 * Plans the announcements of unnotified tasks: an assignee with more than
 * `groupAbove` of them gets one grouped notification (most urgent first),
 * the others one per task.
 */
export function planAnnouncements(
  tasks: StewardshipTask[],
  groupAbove: number,
): Announcement[] {
  const byAssignee = new Map<string, StewardshipTask[]>();
  for (const task of tasks) {
    const list = byAssignee.get(task.assignee) ?? [];
    list.push(task);
    byAssignee.set(task.assignee, list);
  }
  const plan: Announcement[] = [];
  for (const [assignee, list] of byAssignee) {
    if (list.length > groupAbove) {
      plan.push({ assignee, tasks: [...list].sort(byUrgency), grouped: true });
    } else {
      for (const task of list) {
        plan.push({ assignee, tasks: [task], grouped: false });
      }
    }
  }
  return plan;
}

/**
 * Announces every open, unnotified task through the notifier, grouped per
 * assignee above `groupAbove`, then marks the announced tasks in chunked
 * UPDATEs. At least once: a failed send leaves its tasks unnotified, so the
 * next run announces them again.
 */
export async function notifyOpenedTasks(options: {
  notifier: StewardshipNotifier;
  store: StewardshipTaskStore;
  logger: LoggerService;
  now: Date;
  groupAbove: number;
}): Promise<OpenedTasksNotified> {
  const { notifier, store, logger, now } = options;
  const plan = planAnnouncements(
    await store.listUnnotifiedTasks(),
    options.groupAbove,
  );
  const announced: string[] = [];
  let notificationFailures = 0;
  let notificationsSent = 0;
  let next = 0;
  const worker = async () => {
    while (next < plan.length) {
      const item = plan[next++];
      try {
        if (item.grouped) {
          await notifier.tasksOpened(item.assignee, item.tasks);
        } else {
          await notifier.taskOpened(item.tasks[0]);
        }
      } catch (error) {
        notificationFailures += item.tasks.length;
        const what = item.grouped
          ? `${item.tasks.length} stewardship tasks`
          : `stewardship task ${item.tasks[0].id}`;
        logger.warn(`Could not notify ${item.assignee} of ${what}: ${error}`);
        continue;
      }
      notificationsSent += 1;
      announced.push(...item.tasks.map(t => t.id));
    }
  };
  await Promise.all(
    Array.from({ length: Math.min(SEND_CONCURRENCY, plan.length) }, worker),
  );
  const notified = await store.markNotifiedMany(announced, now);
  return { notified, notificationFailures, notificationsSent };
}
