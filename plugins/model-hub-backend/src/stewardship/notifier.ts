import { createHash } from 'node:crypto';
import { parseEntityRef } from '@backstage/catalog-model';
import {
  NotificationSendOptions,
  NotificationService,
} from '@backstage/plugin-notifications-node';
import { StewardshipSeverity } from './rules';
import { StewardshipTask, StewardshipTaskCounts } from './types';

/** One team's daily digest: its open tasks, most urgent first. */
export interface StewardshipDigest {
  /** The team (or user) the digest goes to. */
  assignee: string;
  /** The UTC day (`YYYY-MM-DD`) the digest is for. */
  day: string;
  /** Its open tasks, most urgent first. */
  tasks: StewardshipTask[];
  /** Open tasks per severity. */
  counts: StewardshipTaskCounts;
  /** Tasks opened since the previous digest. */
  newTasks: number;
  /** When the previous digest went out, if ever. */
  previousDigestAt?: Date;
}

/**
 * How stewardship tells people about their tasks. Injectable so tests can
 * record what was sent; {@link createNotificationServiceNotifier} sends
 * Backstage notifications.
 */
export interface StewardshipNotifier {
  /** Announces a newly opened task to its assignee. */
  taskOpened(task: StewardshipTask): Promise<void>;
  /** Announces many tasks one run opened for one assignee, in one message (most urgent first). */
  tasksOpened(assignee: string, tasks: StewardshipTask[]): Promise<void>;
  /** Sends a team its daily digest. */
  digest(digest: StewardshipDigest): Promise<void>;
}

type NotificationSeverity = NonNullable<
  NotificationSendOptions['payload']['severity']
>;

/** Task severity to Backstage notification severity. */
export const NOTIFICATION_SEVERITY: Record<
  StewardshipSeverity,
  NotificationSeverity
> = {
  critical: 'critical',
  high: 'high',
  medium: 'normal',
  low: 'low',
};

/** The notification topic of opened tasks. */
export const STEWARDSHIP_TASK_TOPIC = 'model-hub-stewardship';
/** The notification topic of daily digests. */
export const STEWARDSHIP_DIGEST_TOPIC = 'model-hub-stewardship-digest';

/** The portal path of an entity's page, e.g. `/catalog/default/model/churn`. */
export function entityPagePath(entityRef: string): string {
  const { kind, namespace, name } = parseEntityRef(entityRef);
  return `/catalog/${encodeURIComponent(namespace)}/${encodeURIComponent(
    kind.toLocaleLowerCase('en-US'),
  )}/${encodeURIComponent(name)}`;
}

/** The notification announcing an opened task (sent to the assignee entity). */
export function taskOpenedNotification(
  task: StewardshipTask,
): NotificationSendOptions {
  return {
    recipients: { type: 'entity', entityRef: task.assignee },
    payload: {
      title: task.title,
      description: task.description,
      link: entityPagePath(task.entityRef),
      severity: NOTIFICATION_SEVERITY[task.severity],
      topic: STEWARDSHIP_TASK_TOPIC,
      scope: `stewardship-task:${task.id}`,
      metadata: {
        taskId: task.id,
        kind: task.kind,
        entityRef: task.entityRef,
        ...(task.dueAt ? { dueAt: task.dueAt } : {}),
      },
    },
  };
}

/**
 * One line per task (`- [severity] title (due day)`), at most `maxListed`,
 * then how many more there are.
 */
function taskLines(tasks: StewardshipTask[], maxListed: number): string[] {
  const lines = tasks.slice(0, maxListed).map(t => {
    const due = t.dueAt ? ` (due ${t.dueAt.slice(0, 10)})` : '';
    return `- [${t.severity}] ${t.title}${due}`;
  });
  if (tasks.length > lines.length) {
    lines.push(`… and ${tasks.length - lines.length} more`);
  }
  return lines;
}

/**
 * One notification announcing several opened tasks of one assignee, linking
 * the assignee's page. `tasks` come most urgent first; up to `maxListed` are
 * listed by title. The scope is derived from the task ids, so a resend of
 * the same tasks (after a failed mark) replaces the earlier notification
 * instead of adding a second one.
 */
export function openedTasksNotification(
  assignee: string,
  tasks: StewardshipTask[],
  options: { maxListed: number },
): NotificationSendOptions {
  const listed = taskLines(tasks, options.maxListed);
  const ids = tasks.map(t => t.id).sort();
  const digest = createHash('sha256')
    .update(ids.join('\n'))
    .digest('hex')
    .slice(0, 32);
  const top = tasks[0]?.severity ?? 'low';
  return {
    recipients: { type: 'entity', entityRef: assignee },
    payload: {
      title: `${tasks.length} new stewardship tasks for ${
        parseEntityRef(assignee).name
      }`,
      description: listed.join('\n'),
      link: entityPagePath(assignee),
      severity: NOTIFICATION_SEVERITY[top],
      topic: STEWARDSHIP_TASK_TOPIC,
      scope: `stewardship-opened:${assignee}:${digest}`,
      metadata: { assignee, tasks: tasks.length },
    },
  };
}

/** The daily digest notification of a team, listing up to `maxListed` tasks. */
export function digestNotification(
  digest: StewardshipDigest,
  options: { maxListed: number },
): NotificationSendOptions {
  const { counts, tasks } = digest;
  const breakdown = (['critical', 'high', 'medium', 'low'] as const)
    .filter(s => counts[s] > 0)
    .map(s => `${counts[s]} ${s}`)
    .join(', ');
  const listed = taskLines(tasks, options.maxListed);
  const top = tasks[0]?.severity ?? 'low';
  return {
    recipients: { type: 'entity', entityRef: digest.assignee },
    payload: {
      title: `${counts.total} open model stewardship task${
        counts.total === 1 ? '' : 's'
      } for ${parseEntityRef(digest.assignee).name}`,
      description: [
        `${breakdown}; ${digest.newTasks} new since the last digest.`,
        ...listed,
      ].join('\n'),
      link: entityPagePath(digest.assignee),
      severity: NOTIFICATION_SEVERITY[top],
      topic: STEWARDSHIP_DIGEST_TOPIC,
      scope: `stewardship-digest:${digest.assignee}:${digest.day}`,
      metadata: { assignee: digest.assignee, counts: { ...counts } },
    },
  };
}

/**
 * A {@link StewardshipNotifier} sending Backstage notifications through the
 * notifications backend: one per opened task, linking to the model page,
 * one per group of tasks a run opened for a team, and one digest per team
 * and day, both linking to the team page.
 */
export function createNotificationServiceNotifier(
  notifications: NotificationService,
  options: { maxListedTasks?: number } = {},
): StewardshipNotifier {
  const maxListed = options.maxListedTasks ?? 20;
  return {
    async taskOpened(task) {
      await notifications.send(taskOpenedNotification(task));
    },
    async tasksOpened(assignee, tasks) {
      await notifications.send(
        openedTasksNotification(assignee, tasks, { maxListed }),
      );
    },
    async digest(digest) {
      await notifications.send(digestNotification(digest, { maxListed }));
    },
  };
}
