import { DatabaseService } from '@backstage/backend-plugin-api';
import { Knex } from 'knex';
import { insertedId, Timestamp, toIso } from '../gauntlet/storeTime';
import { migrateModelHub } from '../database/migrate';

const TABLE = 'model_hub_task_runs';

interface TaskRunRow {
  id: number;
  task_id: string;
  replica: string;
  started_at: Timestamp;
  finished_at: Timestamp | null;
  outcome: string | null;
}

/** One logged run of a cluster-wide scheduled task. */
export interface TaskRun {
  id: number;
  taskId: string;
  replica: string;
  startedAt: string;
  /** Absent while running, or when the replica died during the run. */
  finishedAt?: string;
  outcome?: 'succeeded' | 'failed';
}

/** The log of cluster-wide scheduled task runs (`model_hub_task_runs`). */
export class TaskRunStore {
  readonly #db: Knex;

  /** Runs the plugin's migrations (unless skipped) and opens the store. */
  static async create(options: {
    database: DatabaseService;
  }): Promise<TaskRunStore> {
    const client = await options.database.getClient();
    if (!options.database.migrations?.skip) {
      await migrateModelHub(client);
    }
    return new TaskRunStore(client);
  }

  private constructor(db: Knex) {
    this.#db = db;
  }

  /** Records the start of a run; returns its id. */
  async start(taskId: string, replica: string, at: Date): Promise<number> {
    const [inserted] = await this.#db(TABLE)
      .insert({ task_id: taskId, replica, started_at: at })
      .returning('id');
    return insertedId(inserted);
  }

  /** Records how a run ended. */
  async finish(
    id: number,
    outcome: 'succeeded' | 'failed',
    at: Date,
  ): Promise<void> {
    await this.#db(TABLE).where({ id }).update({ finished_at: at, outcome });
  }

  /** Deletes the runs of `taskId` that started before `before`. */
  async prune(taskId: string, before: Date): Promise<number> {
    return this.#db(TABLE)
      .where({ task_id: taskId })
      .where('started_at', '<', before)
      .delete();
  }

  /** Runs, oldest first, of one task or all, started at or after `since`. */
  async list(
    options: { taskId?: string; since?: Date } = {},
  ): Promise<TaskRun[]> {
    let query = this.#db<TaskRunRow>(TABLE).orderBy('started_at').orderBy('id');
    if (options.taskId) query = query.where({ task_id: options.taskId });
    if (options.since) query = query.where('started_at', '>=', options.since);
    return (await query).map(row => ({
      id: Number(row.id),
      taskId: row.task_id,
      replica: row.replica,
      startedAt: toIso(row.started_at),
      ...(row.finished_at ? { finishedAt: toIso(row.finished_at) } : {}),
      ...(row.outcome
        ? { outcome: row.outcome as 'succeeded' | 'failed' }
        : {}),
    }));
  }
}
