import { randomUUID } from 'node:crypto';
import { DatabaseService } from '@backstage/backend-plugin-api';
import { Knex } from 'knex';
import {
  STEWARDSHIP_SEVERITIES,
  StewardshipCondition,
  StewardshipJsonObject,
  StoredTask,
} from './rules';
import {
  StewardshipTask,
  StewardshipTaskCounts,
  StewardshipTaskEvent,
  StewardshipTaskState,
  StewardshipTaskWithHistory,
} from './types';
import { migrateModelHub } from '../database/migrate';

/** Task ids per `markNotifiedMany` UPDATE. */
export const MARK_NOTIFIED_CHUNK = 500;

type Timestamp = Date | string | number;

interface TaskRow {
  id: string;
  dedup_key: string;
  open_key: string | null;
  kind: string;
  entity_ref: string;
  assignee: string;
  severity: string;
  title: string;
  description: string;
  details: string;
  due_at: Timestamp | null;
  opened_at: Timestamp;
  updated_at: Timestamp;
  closed_at: Timestamp | null;
  close_reason: string | null;
  notified_at: Timestamp | null;
}

interface EventRow {
  id: number;
  task_id: string;
  event: StewardshipTaskEvent['event'];
  at: Timestamp;
  message: string;
}

/** Which tasks {@link StewardshipTaskStore.listTasks} returns. */
export interface StewardshipTaskQuery {
  /** Tasks assigned to any of these (normalized) refs. */
  assignees?: string[];
  /** Tasks about this (normalized) model ref. */
  entityRef?: string;
  /** Open (default), closed or all tasks. */
  state?: StewardshipTaskState;
  /** At most this many, newest first (default: no limit). */
  limit?: number;
}

/**
 * Persists stewardship tasks. Keeps at most one open task per dedup key
 * (a unique index on `open_key`, which holds the key while the task is open),
 * keeps closed tasks with their close reason, and records each task's
 * history. Also remembers when each team last got its daily digest.
 */
export class StewardshipTaskStore {
  readonly #db: Knex;

  /** Connects to the plugin database and runs the migrations (unless skipped). */
  static async create(options: {
    database: DatabaseService;
  }): Promise<StewardshipTaskStore> {
    const { database } = options;
    const client = await database.getClient();
    if (!database.migrations?.skip) {
      await migrateModelHub(client);
    }
    return new StewardshipTaskStore(client);
  }

  private constructor(db: Knex) {
    this.#db = db;
  }

  /** Every open task, in the shape `diffTasks` works on. */
  async listOpenTasks(): Promise<StoredTask[]> {
    const rows = await this.#db<TaskRow>('stewardship_tasks')
      .whereNull('closed_at')
      .orderBy([{ column: 'opened_at' }, { column: 'id' }]);
    return rows.map(toStoredTask);
  }

  /**
   * Opens a task for a condition, unless one is already open for its dedup
   * key (then returns `undefined`). Safe under concurrent calls: the unique
   * open key lets exactly one insert win.
   */
  async openTask(
    condition: StewardshipCondition,
    now: Date,
  ): Promise<StewardshipTask | undefined> {
    const id = randomUUID();
    const row: TaskRow = {
      id,
      dedup_key: condition.dedupKey,
      open_key: condition.dedupKey,
      kind: condition.kind,
      entity_ref: condition.modelRef,
      assignee: condition.assignee,
      severity: condition.severity,
      title: condition.title,
      description: condition.description,
      details: JSON.stringify(condition.details),
      due_at: condition.dueAt ?? null,
      opened_at: now,
      updated_at: now,
      closed_at: null,
      close_reason: null,
      notified_at: null,
    };
    const opened = await this.#db.transaction(async tx => {
      const inserted = await tx<TaskRow>('stewardship_tasks')
        .insert(row)
        .onConflict(['open_key'])
        .ignore()
        .returning('id');
      if (inserted.length === 0) {
        return false;
      }
      await tx<EventRow>('stewardship_task_events').insert({
        task_id: id,
        event: 'opened',
        at: now,
        message: condition.title,
      });
      return true;
    });
    return opened ? this.getTask(id) : undefined;
  }

  /** Refreshes an open task from its (changed) condition. */
  async updateTask(
    id: string,
    condition: StewardshipCondition,
    now: Date,
  ): Promise<void> {
    await this.#db.transaction(async tx => {
      const updated = await tx<TaskRow>('stewardship_tasks')
        .where({ id })
        .whereNull('closed_at')
        .update({
          severity: condition.severity,
          title: condition.title,
          description: condition.description,
          details: JSON.stringify(condition.details),
          due_at: condition.dueAt ?? null,
          updated_at: now,
        });
      if (updated > 0) {
        await tx<EventRow>('stewardship_task_events').insert({
          task_id: id,
          event: 'updated',
          at: now,
          message: condition.title,
        });
      }
    });
  }

  /**
   * Closes an open task with a reason, keeping it as history. Returns false
   * when the task was not open (already closed, or unknown).
   */
  async closeTask(id: string, reason: string, now: Date): Promise<boolean> {
    return this.#db.transaction(async tx => {
      const updated = await tx<TaskRow>('stewardship_tasks')
        .where({ id })
        .whereNull('closed_at')
        .update({ closed_at: now, close_reason: reason, open_key: null });
      if (updated === 0) {
        return false;
      }
      await tx<EventRow>('stewardship_task_events').insert({
        task_id: id,
        event: 'closed',
        at: now,
        message: reason,
      });
      return true;
    });
  }

  /** One task with its history, or `undefined`. */
  async getTask(id: string): Promise<StewardshipTaskWithHistory | undefined> {
    const row = await this.#db<TaskRow>('stewardship_tasks')
      .where({ id })
      .first();
    if (!row) {
      return undefined;
    }
    const events = await this.#db<EventRow>('stewardship_task_events')
      .where({ task_id: id })
      .orderBy('id');
    return {
      ...toTask(row),
      history: events.map(e => ({
        event: e.event,
        at: toDate(e.at).toISOString(),
        message: e.message,
      })),
    };
  }

  /** Tasks matching a query, newest first. */
  async listTasks(query: StewardshipTaskQuery): Promise<StewardshipTask[]> {
    const rows = await this.#filtered(query)
      .orderBy([
        { column: 'opened_at', order: 'desc' },
        { column: 'id', order: 'desc' },
      ])
      .modify(q => {
        if (query.limit !== undefined) q.limit(query.limit);
      });
    return rows.map(toTask);
  }

  /** Number of tasks per severity among those matching a query (open by default). */
  async countTasks(
    query: Omit<StewardshipTaskQuery, 'limit'>,
  ): Promise<StewardshipTaskCounts> {
    const rows: Array<{ severity: string; count: number | string }> =
      await this.#filtered(query)
        .select('severity')
        .count({ count: '*' })
        .groupBy('severity');
    const counts: StewardshipTaskCounts = {
      critical: 0,
      high: 0,
      medium: 0,
      low: 0,
      total: 0,
    };
    for (const { severity, count } of rows) {
      if ((STEWARDSHIP_SEVERITIES as readonly string[]).includes(severity)) {
        counts[severity as keyof typeof counts] += Number(count);
      }
      counts.total += Number(count);
    }
    return counts;
  }

  /** Open tasks whose assignee has not been notified yet, oldest first. */
  async listUnnotifiedTasks(): Promise<StewardshipTask[]> {
    const rows = await this.#db<TaskRow>('stewardship_tasks')
      .whereNull('closed_at')
      .whereNull('notified_at')
      .orderBy([{ column: 'opened_at' }, { column: 'id' }]);
    return rows.map(toTask);
  }

  /**
   * Marks a task as notified. Returns false when another run already did,
   * so each opened task is announced once.
   */
  async markNotified(id: string, now: Date): Promise<boolean> {
    return (await this.markNotifiedMany([id], now)) > 0;
  }

  /**
   * Marks many tasks as notified, one UPDATE per chunk of ids (bound
   * parameters stay far below PostgreSQL's and SQLite's limits). Tasks a
   * concurrent run already marked are skipped; returns how many this call
   * marked.
   */
  async markNotifiedMany(ids: readonly string[], now: Date): Promise<number> {
    let updated = 0;
    for (let i = 0; i < ids.length; i += MARK_NOTIFIED_CHUNK) {
      updated += await this.#db<TaskRow>('stewardship_tasks')
        .whereIn('id', ids.slice(i, i + MARK_NOTIFIED_CHUNK))
        .whereNull('notified_at')
        .update({ notified_at: now });
    }
    return updated;
  }

  /** When each assignee last got a digest. */
  async getLastDigests(): Promise<Map<string, Date>> {
    const rows: Array<{ assignee: string; last_digest_at: Timestamp }> =
      await this.#db('stewardship_digests').select();
    return new Map(rows.map(r => [r.assignee, toDate(r.last_digest_at)]));
  }

  /**
   * Claims today's (UTC) digest for an assignee: records `now` as its last
   * digest unless one was already recorded today. Returns false when the
   * digest was already sent today, so at most one goes out per day even if
   * two runs race.
   */
  async claimDigest(assignee: string, now: Date): Promise<boolean> {
    const startOfDay = new Date(
      Date.UTC(now.getUTCFullYear(), now.getUTCMonth(), now.getUTCDate()),
    );
    const updated = await this.#db('stewardship_digests')
      .where({ assignee })
      .where('last_digest_at', '<', startOfDay)
      .update({ last_digest_at: now });
    if (updated > 0) {
      return true;
    }
    const inserted = await this.#db('stewardship_digests')
      .insert({ assignee, last_digest_at: now })
      .onConflict('assignee')
      .ignore()
      .returning('assignee');
    return inserted.length > 0;
  }

  /** Forgets a digest claim (when sending it failed), so a later run retries. */
  async releaseDigest(
    assignee: string,
    claimedAt: Date,
    previous: Date | undefined,
  ): Promise<void> {
    const query = this.#db('stewardship_digests').where({
      assignee,
      last_digest_at: claimedAt,
    });
    await (previous
      ? query.update({ last_digest_at: previous })
      : query.delete());
  }

  #filtered(query: Omit<StewardshipTaskQuery, 'limit'>) {
    const q = this.#db<TaskRow>('stewardship_tasks');
    if (query.assignees) {
      q.whereIn('assignee', query.assignees);
    }
    if (query.entityRef) {
      q.where({ entity_ref: query.entityRef });
    }
    const state = query.state ?? 'open';
    if (state === 'open') {
      q.whereNull('closed_at');
    } else if (state === 'closed') {
      q.whereNotNull('closed_at');
    }
    return q;
  }
}

function toStoredTask(row: TaskRow): StoredTask {
  const task: StoredTask = {
    id: row.id,
    dedupKey: row.dedup_key,
    kind: row.kind as StoredTask['kind'],
    modelRef: row.entity_ref,
    assignee: row.assignee,
    severity: row.severity as StoredTask['severity'],
    title: row.title,
    description: row.description,
    openedAt: toDate(row.opened_at),
  };
  if (row.due_at !== null) task.dueAt = toDate(row.due_at);
  return task;
}

function toTask(row: TaskRow): StewardshipTask {
  const task: StewardshipTask = {
    id: row.id,
    dedupKey: row.dedup_key,
    kind: row.kind as StewardshipTask['kind'],
    entityRef: row.entity_ref,
    assignee: row.assignee,
    severity: row.severity as StewardshipTask['severity'],
    openedAt: toDate(row.opened_at).toISOString(),
    updatedAt: toDate(row.updated_at).toISOString(),
    title: row.title,
    description: row.description,
    details: JSON.parse(row.details) as StewardshipJsonObject,
  };
  if (row.due_at !== null) task.dueAt = toDate(row.due_at).toISOString();
  if (row.closed_at !== null) {
    task.closedAt = toDate(row.closed_at).toISOString();
  }
  if (row.close_reason !== null) task.closeReason = row.close_reason;
  if (row.notified_at !== null) {
    task.notifiedAt = toDate(row.notified_at).toISOString();
  }
  return task;
}

/** Normalizes the timestamp shapes of the supported databases to a Date. */
function toDate(value: Timestamp): Date {
  if (value instanceof Date) return value;
  if (typeof value === 'number' || /^\d+$/.test(value)) {
    return new Date(Number(value));
  }
  // SQLite CURRENT_TIMESTAMP style `YYYY-MM-DD HH:MM:SS` is UTC.
  if (/^\d{4}-\d{2}-\d{2} \d{2}:\d{2}:\d{2}(\.\d+)?$/.test(value)) {
    return new Date(`${value.replace(' ', 'T')}Z`);
  }
  return new Date(value);
}
