import { JsonObject } from '@backstage/types';
import type { StewardshipWaiverRequest } from './stewardshipActions';

/*
 * Wire types of the stewardship routes (`/v1/stewardship/...`), shared by
 * the backend that serves them and the front end that shows the tasks.
 */

/** The kinds of stewardship conditions (each one becomes one open task). */
export type StewardshipConditionKind =
  | 'orphaned'
  | 'steward-missing'
  | 'stale-warning'
  | 'stale-archived'
  | 'deprecated-migration'
  | 'deprecated-no-successor'
  | 'check-failing'
  | 'waiver-expiring'
  | 'model-card-incomplete'
  | 'upstream-drift';

/** How urgently a condition needs attention, most urgent first. */
export type StewardshipSeverity = 'critical' | 'high' | 'medium' | 'low';

/**
 * A stewardship task as the store keeps it and the HTTP API returns it
 * (timestamps as ISO 8601 strings). Field names match what the front end's
 * team card reads.
 */
export interface StewardshipTask {
  /** Random UUID. */
  id: string;
  /** The condition's dedup key: one open task per key. */
  dedupKey: string;
  /** Condition kind, e.g. `steward-missing`. */
  kind: StewardshipConditionKind;
  /** Normalized ref of the model concerned. */
  entityRef: string;
  /** Normalized ref of the group (or user) expected to act. */
  assignee: string;
  /** How urgent the task is. */
  severity: StewardshipSeverity;
  /** Deadline, if any. */
  dueAt?: string;
  /** When the task was opened. */
  openedAt: string;
  /** When the task was opened or last refreshed from its condition. */
  updatedAt: string;
  /** When the task was closed (absent while open). */
  closedAt?: string;
  /** Why the task was closed (absent while open). */
  closeReason?: string;
  /** When the assignee was notified of it (absent while pending or when notifications are off). */
  notifiedAt?: string;
  /** One-line summary. */
  title: string;
  /** What is wrong and what to do. */
  description: string;
  /** Machine-readable facts behind the condition. */
  details: JsonObject;
  /** A waiver asked for and not yet granted (open tasks only). */
  pendingWaiver?: StewardshipWaiverRequest;
}

/** One entry in the history of a task. */
export interface StewardshipTaskEvent {
  /** What happened. */
  event: 'opened' | 'updated' | 'closed';
  /** When it happened. */
  at: string;
  /** The title at the time (opened, updated) or the close reason (closed). */
  message: string;
}

/** A task with its history, as `GET /v1/stewardship/tasks/:id` returns it. */
export interface StewardshipTaskWithHistory extends StewardshipTask {
  /** Events oldest first. */
  history: StewardshipTaskEvent[];
}

/** Which tasks to list: open ones (default), closed ones, or both. */
export type StewardshipTaskState = 'open' | 'closed' | 'all';

/** Number of tasks per severity, plus their total. */
export interface StewardshipTaskCounts {
  critical: number;
  high: number;
  medium: number;
  low: number;
  total: number;
}
