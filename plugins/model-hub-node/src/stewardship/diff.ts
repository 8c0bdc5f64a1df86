import { compareStrings } from './refs';
import {
  StewardshipCondition,
  StewardshipConditionKind,
  StewardshipSeverity,
} from './types';

/** An open stewardship task as a task store keeps it. */
export interface StoredTask {
  /** The store's id of the task. */
  id: string;
  /** The {@link StewardshipCondition.dedupKey} the task was opened for. */
  dedupKey: string;
  kind: StewardshipConditionKind;
  modelRef: string;
  assignee: string;
  severity: StewardshipSeverity;
  title: string;
  description: string;
  dueAt?: Date;
  /** When the task was opened. */
  openedAt: Date;
}

/** Why {@link diffTasks} closes a task. */
export type TaskCloseReason = 'condition cleared' | 'duplicate task';

/** What a task store must do to match the current conditions. */
export interface TaskDiff {
  /** Conditions without an open task: open one for each. */
  toOpen: StewardshipCondition[];
  /** Open tasks whose condition is gone (or that duplicate another task): close them. */
  toClose: Array<{ task: StoredTask; reason: TaskCloseReason }>;
  /**
   * Open tasks whose condition still holds but whose severity, title,
   * description or due date changed: refresh them from the condition.
   */
  toUpdate: Array<{ task: StoredTask; condition: StewardshipCondition }>;
  /** Open tasks whose condition still holds unchanged: leave them be. */
  unchanged: Array<{ task: StoredTask; condition: StewardshipCondition }>;
}

function sameContent(task: StoredTask, condition: StewardshipCondition) {
  return (
    task.severity === condition.severity &&
    task.title === condition.title &&
    task.description === condition.description &&
    (task.dueAt?.getTime() ?? null) === (condition.dueAt?.getTime() ?? null)
  );
}

/**
 * Matches open tasks to current conditions by dedup key, so a store keeps
 * exactly one open task per condition and closes it (reason
 * `condition cleared`) once the rules stop producing it. When several open
 * tasks share a key, the earliest opened one is kept and the others close
 * as `duplicate task`; repeated conditions count once.
 */
export function diffTasks(
  open: readonly StoredTask[],
  conditions: readonly StewardshipCondition[],
): TaskDiff {
  const current = new Map<string, StewardshipCondition>();
  for (const condition of conditions) {
    if (!current.has(condition.dedupKey)) {
      current.set(condition.dedupKey, condition);
    }
  }

  const diff: TaskDiff = {
    toOpen: [],
    toClose: [],
    toUpdate: [],
    unchanged: [],
  };
  const kept = new Set<string>();
  const ordered = [...open].sort(
    (a, b) =>
      a.openedAt.getTime() - b.openedAt.getTime() || compareStrings(a.id, b.id),
  );
  for (const task of ordered) {
    if (kept.has(task.dedupKey)) {
      diff.toClose.push({ task, reason: 'duplicate task' });
      continue;
    }
    const condition = current.get(task.dedupKey);
    if (!condition) {
      diff.toClose.push({ task, reason: 'condition cleared' });
      continue;
    }
    kept.add(task.dedupKey);
    (sameContent(task, condition) ? diff.unchanged : diff.toUpdate).push({
      task,
      condition,
    });
  }
  for (const [key, condition] of current) {
    if (!kept.has(key)) {
      diff.toOpen.push(condition);
    }
  }
  return diff;
}
