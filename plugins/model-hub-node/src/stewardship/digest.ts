import { compareStrings } from './refs';
import { assertValidDate } from './time';
import { StoredTask } from './diff';
import { STEWARDSHIP_SEVERITIES, StewardshipSeverity } from './types';

/** One team's digest: its open tasks, most urgent first. */
export interface TeamDigest {
  /** The team (or user) the digest goes to. */
  assignee: string;
  /** Open tasks by severity (critical first), then due date (soonest first, none last), then age. */
  tasks: StoredTask[];
  /** Number of tasks per severity. */
  counts: Record<StewardshipSeverity, number>;
  /** Tasks opened after the previous digest (all of them if there was none). */
  newTasks: number;
  /** When the previous digest went out, if ever. */
  previousDigestAt?: Date;
}

/** Options of {@link digestByTeam}. */
export interface DigestOptions {
  /** The current instant. */
  now: Date;
  /** When each assignee last got a digest (keys compared case-insensitively). */
  lastDigestAt: Record<string, Date> | ReadonlyMap<string, Date>;
  /** Only send to teams that have tasks opened since their last digest (default false). */
  onlyWithNewTasks?: boolean;
}

/** The digests to send now, and the teams that already had today's. */
export interface DigestPlan {
  /** Digests to send, sorted by assignee. */
  digests: TeamDigest[];
  /** Assignees with open tasks who already got a digest today (UTC). */
  deferred: string[];
}

function utcDay(date: Date): string {
  return date.toISOString().slice(0, 10);
}

/**
 * Groups open tasks into at most one digest per team per UTC calendar day:
 * a team gets one when its previous digest was on an earlier UTC day (or
 * never). Calendar days rather than 24-hour spans, so a daily job that runs
 * a little early still sends every day.
 */
export function digestByTeam(
  tasks: readonly StoredTask[],
  options: DigestOptions,
): DigestPlan {
  assertValidDate(options.now, 'now');
  const last = new Map<string, Date>();
  const entries =
    options.lastDigestAt instanceof Map
      ? [...options.lastDigestAt.entries()]
      : Object.entries(options.lastDigestAt);
  for (const [assignee, at] of entries) {
    assertValidDate(at, `lastDigestAt[${assignee}]`);
    const key = assignee.toLocaleLowerCase('en-US');
    const previous = last.get(key);
    if (!previous || previous.getTime() < at.getTime()) last.set(key, at);
  }

  const byTeam = new Map<string, StoredTask[]>();
  for (const task of tasks) {
    const key = task.assignee.toLocaleLowerCase('en-US');
    const list = byTeam.get(key) ?? [];
    list.push(task);
    byTeam.set(key, list);
  }

  const today = utcDay(options.now);
  const plan: DigestPlan = { digests: [], deferred: [] };
  for (const assignee of [...byTeam.keys()].sort()) {
    const teamTasks = byTeam.get(assignee)!;
    const previousDigestAt = last.get(assignee);
    if (previousDigestAt && utcDay(previousDigestAt) >= today) {
      plan.deferred.push(assignee);
      continue;
    }
    const newTasks = teamTasks.filter(
      t =>
        !previousDigestAt || t.openedAt.getTime() > previousDigestAt.getTime(),
    ).length;
    if (options.onlyWithNewTasks && newTasks === 0) {
      continue;
    }
    const counts = Object.fromEntries(
      STEWARDSHIP_SEVERITIES.map(s => [s, 0]),
    ) as Record<StewardshipSeverity, number>;
    for (const t of teamTasks) counts[t.severity] += 1;
    const rank = (s: StewardshipSeverity) => STEWARDSHIP_SEVERITIES.indexOf(s);
    const sorted = [...teamTasks].sort(
      (a, b) =>
        rank(a.severity) - rank(b.severity) ||
        (a.dueAt?.getTime() ?? Infinity) - (b.dueAt?.getTime() ?? Infinity) ||
        a.openedAt.getTime() - b.openedAt.getTime() ||
        compareStrings(a.id, b.id),
    );
    const digest: TeamDigest = { assignee, tasks: sorted, counts, newTasks };
    if (previousDigestAt) digest.previousDigestAt = previousDigestAt;
    plan.digests.push(digest);
  }
  return plan;
}
