import { DatabaseService } from '@backstage/backend-plugin-api';
import { ModelImport } from '@internal/plugin-model-hub-common';
import { Knex } from 'knex';
import { migrateModelHub } from '../database/migrate';
import { toIso } from '../gauntlet/storeTime';

type Timestamp = Date | string | number;

interface ImportRow {
  entity_ref: string;
  version: string;
  source: string;
  remote_id: string;
  remote_version: string;
  state: ModelImport['state'];
  error: string | null;
  requested_by: string;
  started_at: Timestamp;
  finished_at: Timestamp | null;
}

/** What an import attempt is about; the key is (entityRef, version). */
export type ImportTarget = Pick<
  ModelImport,
  'entityRef' | 'version' | 'source' | 'remoteId' | 'remoteVersion'
>;

/**
 * Imports of upstream versions (`model_hub_imports`). `claim` lets exactly
 * one caller run an import of a version at a time, across replicas: the
 * conditional insert/update decides, not a read before it.
 */
export class ImportStore {
  static async create(options: {
    database: DatabaseService;
  }): Promise<ImportStore> {
    const client = await options.database.getClient();
    if (!options.database.migrations?.skip) await migrateModelHub(client);
    return new ImportStore(client);
  }

  private constructor(private readonly db: Knex) {}

  /**
   * Starts an attempt unless one is running (and younger than `staleAfter`)
   * or the version was already imported. Returns the row as it stands and
   * whether this caller now owns the attempt.
   */
  async claim(
    target: ImportTarget,
    requestedBy: string,
    options: { now: Date; staleAfterMs: number },
  ): Promise<{ claimed: boolean; current: ModelImport }> {
    const row: ImportRow = {
      entity_ref: target.entityRef,
      version: target.version,
      source: target.source,
      remote_id: target.remoteId,
      remote_version: target.remoteVersion,
      state: 'importing',
      error: null,
      requested_by: requestedBy,
      started_at: options.now,
      finished_at: null,
    };
    // The primary key decides between concurrent first attempts: one insert
    // wins, the others fail and fall through to the conditional update.
    let claimed = await this.db<ImportRow>('model_hub_imports')
      .insert(row)
      .then(
        () => true,
        () => false,
      );
    if (!claimed) {
      const stale = new Date(options.now.getTime() - options.staleAfterMs);
      const updated = await this.db<ImportRow>('model_hub_imports')
        .where({ entity_ref: target.entityRef, version: target.version })
        .andWhere(q =>
          q
            .where('state', 'failed')
            .orWhere(w =>
              w.where('state', 'importing').andWhere('started_at', '<', stale),
            ),
        )
        .update(row);
      claimed = updated === 1;
    }
    const current = await this.get(target.entityRef, target.version);
    return { claimed, current: current! };
  }

  /** Ends the attempt: imported, or failed with a one-line reason. */
  async finish(
    entityRef: string,
    version: string,
    outcome: { error?: string; now: Date },
  ): Promise<ModelImport> {
    await this.db<ImportRow>('model_hub_imports')
      .where({ entity_ref: entityRef, version, state: 'importing' })
      .update({
        state: outcome.error === undefined ? 'imported' : 'failed',
        error: outcome.error ?? null,
        finished_at: outcome.now,
      });
    return (await this.get(entityRef, version))!;
  }

  async get(
    entityRef: string,
    version: string,
  ): Promise<ModelImport | undefined> {
    const row = await this.db<ImportRow>('model_hub_imports')
      .where({ entity_ref: entityRef, version })
      .first();
    return row && toImport(row);
  }

  /**
   * Deletes the draft a failed import opened (only a draft, only the
   * importer's), so a refused import leaves no version behind; the blobs it
   * stored become unreferenced and the collector removes them after its
   * grace period.
   */
  async discardDraft(
    entityRef: string,
    version: string,
    createdBy: string,
  ): Promise<void> {
    await this.db.transaction(async tx => {
      const draft = await tx('model_versions')
        .where({ entity_ref: entityRef, version, created_by: createdBy })
        .where('state', 'draft')
        .first('id');
      if (!draft) return;
      await tx('model_version_files').where({ version_id: draft.id }).delete();
      await tx('model_versions').where({ id: draft.id }).delete();
    });
  }

  /** The imports of one model, newest first. */
  async list(entityRef: string): Promise<ModelImport[]> {
    const rows = await this.db<ImportRow>('model_hub_imports')
      .where({ entity_ref: entityRef })
      .orderBy([
        { column: 'started_at', order: 'desc' },
        { column: 'version', order: 'desc' },
      ]);
    return rows.map(toImport);
  }
}

function toImport(row: ImportRow): ModelImport {
  return {
    entityRef: row.entity_ref,
    version: row.version,
    source: row.source,
    remoteId: row.remote_id,
    remoteVersion: row.remote_version,
    state: row.state,
    ...(row.error ? { error: row.error } : {}),
    requestedBy: row.requested_by,
    startedAt: toIso(row.started_at),
    ...(row.finished_at ? { finishedAt: toIso(row.finished_at) } : {}),
  };
}
