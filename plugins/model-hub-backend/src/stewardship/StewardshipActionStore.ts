import {
  DatabaseService,
  resolvePackagePath,
} from '@backstage/backend-plugin-api';
import {
  ModelStewardshipOverrides,
  StewardshipWaiverRequest,
} from '@internal/plugin-model-hub-common';
import { Knex } from 'knex';
import { Timestamp, toDate, toIso } from '../gauntlet/storeTime';

const migrationsDir = resolvePackagePath(
  '@internal/plugin-model-hub-backend',
  'migrations',
);

const SUPPRESSIONS = 'stewardship_suppressions';
const OVERRIDES = 'model_stewardship_overrides';

interface SuppressionRow {
  id: number;
  dedup_key: string;
  task_id: string;
  entity_ref: string;
  kind: 'snooze' | 'waiver';
  state: 'active' | 'pending' | 'superseded';
  until: Timestamp;
  reason: string;
  requested_by: string;
  approved_by: string | null;
  created_at: Timestamp;
  decided_at: Timestamp | null;
}

interface OverrideRow {
  entity_ref: string;
  steward: string | null;
  steward_by: string | null;
  steward_at: Timestamp | null;
  archived_at: Timestamp | null;
  archived_by: string | null;
  archive_reason: string | null;
}

/** What the engine honours on its next evaluation. */
export interface StewardshipOverrideState {
  /** Steward ref per model ref, used instead of `spec.steward`. */
  stewards: Map<string, string>;
  /** Close reason per model archived in the hub. */
  archived: Map<string, string>;
  /** Close reason per suppressed (snoozed or waived) dedup key. */
  suppressed: Map<string, string>;
}

const day = (d: Date) => d.toISOString().slice(0, 10);

/**
 * Decisions people take on stewardship tasks (snoozes, waivers asked for and
 * granted) and hub-side overrides of models (steward, archive). The engine
 * reads {@link StewardshipActionStore.state} before each evaluation.
 */
export class StewardshipActionStore {
  readonly #db: Knex;

  /** Runs the plugin's migrations (unless skipped) and opens the store. */
  static async create(options: {
    database: DatabaseService;
  }): Promise<StewardshipActionStore> {
    const client = await options.database.getClient();
    if (!options.database.migrations?.skip) {
      await client.migrate.latest({ directory: migrationsDir });
    }
    return new StewardshipActionStore(client);
  }

  private constructor(db: Knex) {
    this.#db = db;
  }

  /** Records an active snooze of a task's condition until `until`. */
  async snooze(options: {
    taskId: string;
    dedupKey: string;
    entityRef: string;
    until: Date;
    reason: string;
    actor: string;
    now: Date;
  }): Promise<void> {
    await this.#db<SuppressionRow>(SUPPRESSIONS).insert({
      dedup_key: options.dedupKey,
      task_id: options.taskId,
      entity_ref: options.entityRef,
      kind: 'snooze',
      state: 'active',
      until: options.until,
      reason: options.reason,
      requested_by: options.actor,
      approved_by: null,
      created_at: options.now,
      decided_at: options.now,
    });
  }

  /**
   * Records a request to waive a task. Returns false when the task already
   * has a pending request (one at a time).
   */
  async requestWaiver(options: {
    taskId: string;
    dedupKey: string;
    entityRef: string;
    until: Date;
    reason: string;
    actor: string;
    now: Date;
  }): Promise<boolean> {
    return this.#db.transaction(async tx => {
      const pending = await tx<SuppressionRow>(SUPPRESSIONS)
        .where({ task_id: options.taskId, kind: 'waiver', state: 'pending' })
        .first();
      if (pending) return false;
      await tx<SuppressionRow>(SUPPRESSIONS).insert({
        dedup_key: options.dedupKey,
        task_id: options.taskId,
        entity_ref: options.entityRef,
        kind: 'waiver',
        state: 'pending',
        until: options.until,
        reason: options.reason,
        requested_by: options.actor,
        approved_by: null,
        created_at: options.now,
        decided_at: null,
      });
      return true;
    });
  }

  /** The pending waiver request of a task, if any. */
  async pendingWaiver(
    taskId: string,
  ): Promise<StewardshipWaiverRequest | undefined> {
    return (await this.pendingWaivers([taskId])).get(taskId);
  }

  /** Pending waiver requests by task id. */
  async pendingWaivers(
    taskIds: string[],
  ): Promise<Map<string, StewardshipWaiverRequest>> {
    const result = new Map<string, StewardshipWaiverRequest>();
    for (let i = 0; i < taskIds.length; i += 500) {
      const rows = await this.#db<SuppressionRow>(SUPPRESSIONS)
        .whereIn('task_id', taskIds.slice(i, i + 500))
        .where({ kind: 'waiver', state: 'pending' });
      for (const row of rows) {
        result.set(row.task_id, {
          requestedBy: row.requested_by,
          requestedAt: toIso(row.created_at),
          reason: row.reason,
          until: toIso(row.until),
        });
      }
    }
    return result;
  }

  /**
   * Grants the pending waiver of a task. Returns the request granted, or
   * undefined when none was pending (e.g. another approver was first).
   */
  async approveWaiver(options: {
    taskId: string;
    approver: string;
    now: Date;
  }): Promise<StewardshipWaiverRequest | undefined> {
    const request = await this.pendingWaiver(options.taskId);
    if (!request) return undefined;
    const updated = await this.#db<SuppressionRow>(SUPPRESSIONS)
      .where({ task_id: options.taskId, kind: 'waiver', state: 'pending' })
      .update({
        state: 'active',
        approved_by: options.approver,
        decided_at: options.now,
      });
    return updated > 0 ? request : undefined;
  }

  /** Names the steward the hub uses for a model instead of `spec.steward`. */
  async setSteward(options: {
    entityRef: string;
    steward: string;
    actor: string;
    now: Date;
  }): Promise<void> {
    await this.#db<OverrideRow>(OVERRIDES)
      .insert({
        entity_ref: options.entityRef,
        steward: options.steward,
        steward_by: options.actor,
        steward_at: options.now,
      })
      .onConflict('entity_ref')
      .merge(['steward', 'steward_by', 'steward_at']);
  }

  /** Archives a model in the hub. */
  async archive(options: {
    entityRef: string;
    reason: string;
    actor: string;
    now: Date;
  }): Promise<void> {
    await this.#db<OverrideRow>(OVERRIDES)
      .insert({
        entity_ref: options.entityRef,
        archived_at: options.now,
        archived_by: options.actor,
        archive_reason: options.reason,
      })
      .onConflict('entity_ref')
      .merge(['archived_at', 'archived_by', 'archive_reason']);
  }

  /** The hub's overrides of one model (empty when none). */
  async getOverrides(entityRef: string): Promise<ModelStewardshipOverrides> {
    const row = await this.#db<OverrideRow>(OVERRIDES)
      .where({ entity_ref: entityRef })
      .first();
    const result: ModelStewardshipOverrides = { entityRef };
    if (row?.steward) {
      result.steward = {
        ref: row.steward,
        by: row.steward_by ?? '',
        at: toIso(row.steward_at!),
      };
    }
    if (row?.archived_at) {
      result.archived = {
        by: row.archived_by ?? '',
        at: toIso(row.archived_at),
        reason: row.archive_reason ?? '',
      };
    }
    return result;
  }

  /** Everything the engine honours at `now`. */
  async state(now: Date): Promise<StewardshipOverrideState> {
    const overrides = await this.#db<OverrideRow>(OVERRIDES).select();
    const active = await this.#db<SuppressionRow>(SUPPRESSIONS)
      .where({ state: 'active' })
      .where('until', '>', now)
      .orderBy('id');
    const state: StewardshipOverrideState = {
      stewards: new Map(),
      archived: new Map(),
      suppressed: new Map(),
    };
    for (const row of overrides) {
      if (row.steward) state.stewards.set(row.entity_ref, row.steward);
      if (row.archived_at) {
        state.archived.set(
          row.entity_ref,
          `model archived in the hub by ${row.archived_by}: ${row.archive_reason}`,
        );
      }
    }
    for (const row of active) {
      // A row can come back as a string on SQLite; compare as dates.
      if (toDate(row.until).getTime() <= now.getTime()) continue;
      state.suppressed.set(row.dedup_key, suppressionReason(row));
    }
    return state;
  }
}

/** The close reason of a task a snooze or waiver took off the list. */
export function suppressionReason(row: {
  kind: 'snooze' | 'waiver';
  until: Timestamp;
  requested_by: string;
  approved_by: string | null;
  reason: string;
}): string {
  const until = day(toDate(row.until));
  return row.kind === 'snooze'
    ? `snoozed until ${until} by ${row.requested_by}${
        row.reason ? `: ${row.reason}` : ''
      }`
    : `waived until ${until} by ${row.approved_by} (asked by ${row.requested_by}): ${row.reason}`;
}
