import { DatabaseService } from '@backstage/backend-plugin-api';
import { FileScanResult, ScanVerdict } from '@internal/plugin-model-hub-common';
import { Knex } from 'knex';
import { migrateModelHub } from '../database/migrate';
import { PROTECTED_ALIASES } from '../versions/aliasRules';

/** Where a rescan stopped: the last file done, in (version id, path) order. */
export interface RescanCursor {
  versionId: number;
  path: string;
}

/** The stored progress of the rescan for one scanner version. */
export interface RescanProgress {
  scannerVersion: string;
  cursor?: RescanCursor;
  filesScanned: number;
  verdictsChanged: number;
  finished: boolean;
}

/** A stored file as the rescan sees it. */
export interface StoredFileScan {
  versionId: number;
  entityRef: string;
  version: string;
  state: 'draft' | 'sealed';
  path: string;
  sha256: string;
  verdict: ScanVerdict;
  scannerVersion: string | null;
}

/** A protected alias a batch took off a version it found unsafe. */
export interface RemovedAlias {
  versionId: number;
  entityRef: string;
  version: string;
  alias: string;
}

/** A new scan result for a stored file. */
export interface RescanUpdate {
  versionId: number;
  path: string;
  /** The bytes scanned: the result is stored only while the file still has them. */
  sha256: string;
  scan: FileScanResult;
}

/**
 * The rescan's view of the database: stored files in a stable order, their
 * scanner versions, and a persisted cursor so a restart continues where the
 * last batch ended.
 */
export class RescanStore {
  readonly #db: Knex;

  /** Connects to the plugin database (running the migrations unless skipped). */
  static async create(options: {
    database: DatabaseService;
  }): Promise<RescanStore> {
    const client = await options.database.getClient();
    if (!options.database.migrations?.skip) {
      await migrateModelHub(client);
    }
    return new RescanStore(client);
  }

  private constructor(db: Knex) {
    this.#db = db;
  }

  /** The progress for `scannerVersion`, creating it when this version never ran. */
  async begin(scannerVersion: string, now: Date): Promise<RescanProgress> {
    await this.#db('model_hub_rescans')
      .insert({
        scanner_version: scannerVersion,
        files_scanned: 0,
        verdicts_changed: 0,
        started_at: now,
      })
      .onConflict('scanner_version')
      .ignore();
    const row = await this.#db('model_hub_rescans')
      .where({ scanner_version: scannerVersion })
      .first();
    return {
      scannerVersion,
      cursor:
        row.last_version_id === null
          ? undefined
          : { versionId: Number(row.last_version_id), path: row.last_path },
      filesScanned: Number(row.files_scanned),
      verdictsChanged: Number(row.verdicts_changed),
      finished: row.finished_at !== null && row.finished_at !== undefined,
    };
  }

  /** The next `limit` stored files after `cursor`, in (version id, path) order. */
  async nextFiles(
    cursor: RescanCursor | undefined,
    limit: number,
  ): Promise<StoredFileScan[]> {
    const query = this.#db('model_version_files as f')
      .join('model_versions as v', 'v.id', 'f.version_id')
      .select(
        'f.version_id',
        'f.path',
        'f.sha256',
        'f.scan_verdict',
        'f.scanner_version',
        'v.entity_ref',
        'v.version',
        'v.state',
      )
      .orderBy([
        { column: 'f.version_id', order: 'asc' },
        { column: 'f.path', order: 'asc' },
      ])
      .limit(limit);
    if (cursor) {
      query.where(q =>
        q
          .where('f.version_id', '>', cursor.versionId)
          .orWhere(q2 =>
            q2
              .where('f.version_id', cursor.versionId)
              .andWhere('f.path', '>', cursor.path),
          ),
      );
    }
    const rows = await query;
    return rows.map(r => ({
      versionId: Number(r.version_id),
      entityRef: r.entity_ref,
      version: r.version,
      state: r.state,
      path: r.path,
      sha256: r.sha256,
      verdict: r.scan_verdict as ScanVerdict,
      scannerVersion: r.scanner_version ?? null,
    }));
  }

  /**
   * Stores the new scan results of one batch and moves the cursor past it,
   * in one transaction: a crash leaves either all of the batch or none. A
   * version with a file now `unsafe` loses its protected aliases (`latest`,
   * `champion`) in the same transaction, under the version's lock (taken
   * first, in id order), which setting an alias holds while it checks the
   * files: an alias set meanwhile is either refused or taken off here.
   * Returns the aliases taken off.
   */
  async commitBatch(options: {
    scannerVersion: string;
    updates: RescanUpdate[];
    cursor: RescanCursor;
    scanned: number;
    changed: number;
  }): Promise<RemovedAlias[]> {
    return this.#db.transaction(async tx => {
      const unsafeVersions = [
        ...new Set(
          options.updates
            .filter(u => u.scan.verdict === 'unsafe')
            .map(u => u.versionId),
        ),
      ].sort((a, b) => a - b);
      for (const id of unsafeVersions) {
        // SQLite serializes writers already and has no row locks.
        const lock = tx('model_versions').where({ id }).select('id');
        await (tx.client.config.client === 'pg' ? lock.forUpdate() : lock);
      }
      // A draft's file replaced since it was read keeps the verdict of its
      // new bytes (scanned by the running scanner at upload).
      const applied = new Set<number>();
      for (const u of options.updates) {
        const updated = await tx('model_version_files')
          .where({ version_id: u.versionId, path: u.path, sha256: u.sha256 })
          .update({
            scan: JSON.stringify(u.scan),
            scan_verdict: u.scan.verdict,
            format: u.scan.format,
            scanner_version: options.scannerVersion,
          });
        if (updated > 0 && u.scan.verdict === 'unsafe') {
          applied.add(u.versionId);
        }
      }
      const removed: RemovedAlias[] = [];
      for (const id of unsafeVersions.filter(v => applied.has(v))) {
        const rows = await tx('model_aliases as a')
          .join('model_versions as v', 'v.id', 'a.version_id')
          .where('a.version_id', id)
          .whereIn('a.alias', PROTECTED_ALIASES)
          .orderBy('a.alias')
          .select('a.alias', 'v.entity_ref', 'v.version');
        if (rows.length === 0) continue;
        await tx('model_aliases')
          .where({ version_id: id })
          .whereIn('alias', PROTECTED_ALIASES)
          .delete();
        removed.push(
          ...rows.map(r => ({
            versionId: id,
            entityRef: r.entity_ref as string,
            version: r.version as string,
            alias: r.alias as string,
          })),
        );
      }
      await tx('model_hub_rescans')
        .where({ scanner_version: options.scannerVersion })
        .update({
          last_version_id: options.cursor.versionId,
          last_path: options.cursor.path,
          files_scanned: tx.raw('files_scanned + ?', [options.scanned]),
          verdicts_changed: tx.raw('verdicts_changed + ?', [options.changed]),
        });
      return removed;
    });
  }

  /** Which of these versions are sealed now. */
  async sealedAmong(versionIds: number[]): Promise<Set<number>> {
    if (versionIds.length === 0) return new Set();
    const rows = await this.#db('model_versions')
      .whereIn('id', versionIds)
      .where({ state: 'sealed' })
      .select('id');
    return new Set(rows.map(r => Number(r.id)));
  }

  /**
   * The stored files of one version with the scanner version of each
   * stored verdict (null: unknown), keyed by path.
   */
  async scannerVersionsOf(
    entityRef: string,
    version: string,
  ): Promise<Map<string, { sha256: string; scannerVersion: string | null }>> {
    const rows = await this.#db('model_version_files as f')
      .join('model_versions as v', 'v.id', 'f.version_id')
      .where({ 'v.entity_ref': entityRef, 'v.version': version })
      .select('f.path', 'f.sha256', 'f.scanner_version');
    return new Map(
      rows.map(r => [
        r.path as string,
        {
          sha256: r.sha256 as string,
          scannerVersion: (r.scanner_version as string | null) ?? null,
        },
      ]),
    );
  }

  /** Marks the rescan for `scannerVersion` complete. */
  async finish(scannerVersion: string, now: Date): Promise<void> {
    await this.#db('model_hub_rescans')
      .where({ scanner_version: scannerVersion })
      .update({ finished_at: now });
  }
}
