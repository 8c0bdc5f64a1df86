import { DatabaseService } from '@backstage/backend-plugin-api';
import { ConflictError, InputError, NotFoundError } from '@backstage/errors';
import {
  FileScanResult,
  ModelFileFormat,
  ModelVersion,
  ModelVersionFile,
  ScanVerdict,
} from '@internal/plugin-model-hub-common';
import { worstVerdict } from '@internal/plugin-model-hub-node';
import { Knex } from 'knex';
import semver from 'semver';
import {
  Manifest,
  manifestDifferences,
  parseManifest,
  sameManifest,
  serializeManifest,
} from './manifest';
import { collisionMessage, findPathCollision } from './validation';
import { migrateModelHub } from '../database/migrate';

/** A file to record in a draft version; its blob must be in the artifact store. */
export interface NewVersionFile {
  path: string;
  sha256: string;
  size: number;
  format: ModelFileFormat;
  scan: FileScanResult;
  uploadedBy: string;
  /** Version of the scanner that produced `scan`, kept so newer scanners rescan it. */
  scannerVersion?: string;
}

type Timestamp = Date | string | number;

/** A sealed version's string and its files' paths, sizes and digests. */
export interface SealedManifest {
  version: string;
  files: Array<Pick<ModelVersionFile, 'path' | 'size' | 'sha256'>>;
}

interface VersionRow {
  id: number;
  entity_ref: string;
  version: string;
  description: string | null;
  /** `sealing` while one seal call verifies the draft (never shown: a draft). */
  state: 'draft' | 'sealing' | 'sealed';
  manifest: string | null;
  created_by: string;
  created_at: Timestamp;
  sealed_at: Timestamp | null;
}

/** Versions assembled per query (see `#assemble`). */
const ASSEMBLE_CHUNK = 1000;

interface FileRow {
  version_id: number;
  path: string;
  sha256: string;
  size: number | string;
  format: string;
  scan_verdict: string;
  scan: string;
  uploaded_by: string;
  uploaded_at: Timestamp;
}

/** A row of {@link VersionStore.listVersions}: a version and one of its files (or none). */
type ListedVersionRow = Omit<VersionRow, 'manifest'> &
  Omit<FileRow, 'version_id' | 'path'> & { path: string | null };

interface AliasRow {
  entity_ref: string;
  alias: string;
  version_id: number;
}

/**
 * Persists model versions, their files and aliases, and the set of stored
 * artifact blobs. Enforces the invariants that need the database: a sealed
 * version never changes, aliases only point at sealed versions.
 */
export class VersionStore {
  readonly #db: Knex;

  /** Connects to the plugin database and runs the migrations (unless skipped). */
  static async create(options: {
    database: DatabaseService;
  }): Promise<VersionStore> {
    const { database } = options;
    const client = await database.getClient();
    if (!database.migrations?.skip) {
      await migrateModelHub(client);
    }
    return new VersionStore(client);
  }

  private constructor(db: Knex) {
    this.#db = db;
  }

  /**
   * Creates a draft version owned by `createdBy`, declaring `manifest` when
   * given. When the version already exists it is returned with `created:
   * false`: a sealed version unchanged (the caller compares), an open draft
   * only when it is the caller's and declares no other manifest.
   * @throws ConflictError when another principal's draft is open, the draft
   *   declares a different manifest, or it is being sealed
   */
  async createVersion(options: {
    entityRef: string;
    version: string;
    description?: string;
    createdBy: string;
    manifest?: Manifest;
  }): Promise<{ created: boolean; version: ModelVersion }> {
    const { entityRef, version, createdBy, manifest } = options;
    const label = `Version ${version} of ${entityRef}`;
    const created = await this.#db.transaction(async tx => {
      const inserted = await tx<VersionRow>('model_versions')
        .insert({
          entity_ref: entityRef,
          version,
          description: options.description ?? null,
          state: 'draft',
          manifest: manifest ? serializeManifest(manifest) : null,
          created_by: createdBy,
          created_at: new Date(),
          sealed_at: null,
        })
        .onConflict(['entity_ref', 'version'])
        .ignore()
        .returning('id');
      if (inserted.length > 0) return true;
      const row = await this.#lockVersion(tx, entityRef, version);
      if (row.state === 'sealed') return false;
      if (row.state === 'sealing') {
        throw new ConflictError(
          `${label} is being sealed by another request right now; retry to see the result`,
        );
      }
      if (row.created_by !== createdBy) {
        throw new ConflictError(
          `${label} is an open draft of ${row.created_by}, who is publishing it now; publish another version, or wait until it is sealed`,
        );
      }
      if (manifest) {
        if (row.manifest === null) {
          await tx('model_versions')
            .where({ id: row.id })
            .update({ manifest: serializeManifest(manifest) });
        } else if (!sameManifest(parseManifest(row.manifest), manifest)) {
          throw new ConflictError(
            `${label} is an open draft that declares different files; another publish of it is under way, or publish another version`,
          );
        }
      }
      return false;
    });
    const result = await this.getVersion(entityRef, version);
    if (!result) {
      throw new Error(`${label} vanished right after it was created`);
    }
    return { created, version: result };
  }

  /** The declared manifest and owner of a version, if it exists. */
  async getDraftInfo(
    entityRef: string,
    version: string,
  ): Promise<
    | {
        state: VersionRow['state'];
        createdBy: string;
        manifest?: Manifest;
      }
    | undefined
  > {
    const row = await this.#db<VersionRow>('model_versions')
      .where({ entity_ref: entityRef, version })
      .first();
    if (!row) return undefined;
    return {
      state: row.state,
      createdBy: row.created_by,
      manifest: row.manifest === null ? undefined : parseManifest(row.manifest),
    };
  }

  /** One version by its exact version string. */
  async getVersion(
    entityRef: string,
    version: string,
  ): Promise<ModelVersion | undefined> {
    const row = await this.#db<VersionRow>('model_versions')
      .where({ entity_ref: entityRef, version })
      .first();
    return row ? (await this.#assemble([row]))[0] : undefined;
  }

  /** One version by its version string, or by an alias pointing at it. */
  async resolveVersion(
    entityRef: string,
    versionOrAlias: string,
  ): Promise<ModelVersion | undefined> {
    if (semver.valid(versionOrAlias)) {
      return this.getVersion(entityRef, versionOrAlias);
    }
    const row = await this.#db<VersionRow>('model_versions')
      .join('model_aliases', 'model_aliases.version_id', 'model_versions.id')
      .where({
        'model_aliases.entity_ref': entityRef,
        'model_aliases.alias': versionOrAlias,
      })
      .first('model_versions.*');
    return row ? (await this.#assemble([row]))[0] : undefined;
  }

  /**
   * The latest sealed version of each model (files and aliases included),
   * keyed by entity ref: three queries for any number of models.
   */
  async latestSealedVersions(
    entityRefs: string[],
  ): Promise<Map<string, ModelVersion>> {
    if (entityRefs.length === 0) return new Map();
    const rows = await this.#db<VersionRow>('model_versions').whereIn(
      'id',
      this.#db('model_versions')
        .max('id')
        .where('state', 'sealed')
        .whereIn('entity_ref', entityRefs)
        .groupBy('entity_ref'),
    );
    const versions = await this.#assemble(rows);
    return new Map(versions.map(v => [v.entityRef, v]));
  }

  /**
   * The latest sealed version of one model with only its files' paths,
   * sizes and digests, in one statement (no scan results, no aliases): what
   * a gauntlet evaluation binds approvals to, read on every gauntlet GET.
   */
  async latestSealedManifest(
    entityRef: string,
  ): Promise<SealedManifest | undefined> {
    const rows: Array<{
      version: string;
      path: string | null;
      size: number | string | null;
      sha256: string | null;
    }> = await this.#db('model_versions as v')
      .leftJoin('model_version_files as f', 'f.version_id', 'v.id')
      .where(
        'v.id',
        this.#db('model_versions')
          .max('id')
          .where({ entity_ref: entityRef, state: 'sealed' }),
      )
      .select('v.version', 'f.path', 'f.size', 'f.sha256')
      .orderBy('f.path');
    if (rows.length === 0) return undefined;
    return {
      version: rows[0].version,
      files: rows
        .filter(r => r.path !== null)
        .map(r => ({
          path: r.path!,
          size: Number(r.size),
          sha256: r.sha256!,
        })),
    };
  }

  /**
   * When any version of each model was last created or sealed, keyed by
   * entity ref (models without versions left out): one grouped query per
   * 500 refs, no files or aliases read (stewardship's activity of a whole
   * portfolio).
   */
  async latestActivity(entityRefs: string[]): Promise<Map<string, Date>> {
    const out = new Map<string, Date>();
    for (let i = 0; i < entityRefs.length; i += 500) {
      const rows: Array<{
        entity_ref: string;
        created: Timestamp | null;
        sealed: Timestamp | null;
      }> = await this.#db('model_versions')
        .select('entity_ref')
        .max({ created: 'created_at', sealed: 'sealed_at' })
        .whereIn('entity_ref', entityRefs.slice(i, i + 500))
        .groupBy('entity_ref');
      for (const row of rows) {
        const times = [row.created, row.sealed]
          .filter((t): t is Timestamp => t !== null && t !== undefined)
          .map(t => Date.parse(toIso(t)));
        if (times.length > 0)
          out.set(row.entity_ref, new Date(Math.max(...times)));
      }
    }
    return out;
  }

  /**
   * The sealed versions of each model (files and aliases included), most
   * recently created first, keyed by entity ref: three queries for any
   * number of models (lists that show every model's current version).
   */
  async sealedVersionsOf(
    entityRefs: string[],
  ): Promise<Map<string, ModelVersion[]>> {
    const out = new Map<string, ModelVersion[]>();
    if (entityRefs.length === 0) return out;
    const rows = await this.#db<VersionRow>('model_versions')
      .whereIn('entity_ref', entityRefs)
      .where('state', 'sealed')
      .orderBy('id', 'desc');
    for (const version of await this.#assemble(rows)) {
      out.set(version.entityRef, [
        ...(out.get(version.entityRef) ?? []),
        version,
      ]);
    }
    return out;
  }

  /**
   * All versions of a model, most recently created first: the versions
   * joined with their files, and the model's aliases, read together (two
   * statements in one round trip; the versions GET is read under load). The
   * drafts' declared manifests, which no list shows, are not read.
   */
  async listVersions(entityRef: string): Promise<ModelVersion[]> {
    const [rows, aliasRows] = await Promise.all([
      this.#db('model_versions as v')
        .leftJoin('model_version_files as f', 'f.version_id', 'v.id')
        .where('v.entity_ref', entityRef)
        .orderBy([
          { column: 'v.id', order: 'desc' },
          { column: 'f.path', order: 'asc' },
        ])
        .select<Array<ListedVersionRow>>(
          'v.id',
          'v.entity_ref',
          'v.version',
          'v.description',
          'v.state',
          'v.created_by',
          'v.created_at',
          'v.sealed_at',
          'f.path',
          'f.sha256',
          'f.size',
          'f.format',
          'f.scan',
          'f.uploaded_by',
          'f.uploaded_at',
        ),
      this.#db<AliasRow>('model_aliases')
        .where({ entity_ref: entityRef })
        .orderBy('alias')
        .select('alias', 'version_id'),
    ]);
    const versions: VersionRow[] = [];
    const files = new Map<number, FileRow[]>();
    for (const row of rows) {
      const id = Number(row.id);
      if (versions[versions.length - 1]?.id !== id) {
        versions.push({ ...row, id, manifest: null });
        files.set(id, []);
      }
      if (row.path !== null) {
        files.get(id)!.push({ ...row, version_id: id, path: row.path });
      }
    }
    const aliases = new Map<number, string[]>();
    for (const a of aliasRows) {
      const id = Number(a.version_id);
      aliases.set(id, [...(aliases.get(id) ?? []), a.alias]);
    }
    return versions.map(row =>
      toVersion(row, files.get(row.id) ?? [], aliases.get(row.id) ?? []),
    );
  }

  /**
   * Claims `sha256` for an upload: records the blob (idempotent) and marks
   * it referenced now. Call **before** the bytes are stored, so that the
   * collector, which only removes blobs unclaimed for its grace period and
   * holds the row while it deletes the bytes, never deletes a blob an upload
   * is about to reference.
   */
  async recordBlob(sha256: string, size: number): Promise<void> {
    const now = new Date();
    await this.#db('artifact_blobs')
      .insert({ sha256, size, created_at: now, last_referenced_at: now })
      .onConflict('sha256')
      .merge(['last_referenced_at']);
  }

  /**
   * Blobs no version file (draft or sealed) references and no upload claimed
   * since `cutoff`: candidates for garbage collection.
   */
  async listUnreferencedBlobs(cutoff: Date, limit = 1000): Promise<string[]> {
    const rows = await this.#db('artifact_blobs as b')
      .where('b.last_referenced_at', '<', cutoff)
      .whereNotExists(
        this.#db('model_version_files as f')
          .select(this.#db.raw('1'))
          .whereRaw('f.sha256 = b.sha256'),
      )
      .orderBy('b.last_referenced_at')
      .limit(limit)
      .select('b.sha256');
    return rows.map(r => r.sha256 as string);
  }

  /**
   * Deletes the record of a blob and, in the same transaction, its bytes
   * (`deleteBytes`), but only while it is still unreferenced and unclaimed
   * since `cutoff`. A concurrent claim waits for this transaction (row lock
   * on PostgreSQL, the writer lock on SQLite) and then stores the bytes
   * again; a failed byte deletion keeps the record. True when deleted.
   */
  async deleteBlobIfUnreferenced(
    sha256: string,
    cutoff: Date,
    deleteBytes: () => Promise<void>,
  ): Promise<boolean> {
    return this.#db.transaction(async tx => {
      const deleted = await tx('artifact_blobs as b')
        .where('b.sha256', sha256)
        .where('b.last_referenced_at', '<', cutoff)
        .whereNotExists(
          tx('model_version_files as f')
            .select(tx.raw('1'))
            .whereRaw('f.sha256 = b.sha256'),
        )
        .delete();
      if (deleted === 0) return false;
      await deleteBytes();
      return true;
    });
  }

  /**
   * Returns versions left `sealing` since before `cutoff` (their sealing
   * request died) to `draft`. The number of versions reset.
   */
  async resetStaleSeals(cutoff: Date): Promise<number> {
    return this.#db<VersionRow>('model_versions')
      .where({ state: 'sealing' })
      .where('sealed_at', '<', cutoff)
      .update({ state: 'draft', sealed_at: null });
  }

  /** Whether a blob is recorded, with its size. */
  async getBlob(sha256: string): Promise<{ size: number } | undefined> {
    const row = await this.#db('artifact_blobs').where({ sha256 }).first();
    return row ? { size: Number(row.size) } : undefined;
  }

  /**
   * Adds (or, while the version is a draft, replaces) a file. The blob must
   * have been recorded with {@link VersionStore.recordBlob}.
   * @throws NotFoundError when the version does not exist
   * @throws ConflictError when the version is sealed or being sealed, the
   *   file differs from the draft's manifest, or its path collides with
   *   another file after case folding or Unicode normalisation
   */
  async addFile(
    entityRef: string,
    version: string,
    file: NewVersionFile,
  ): Promise<ModelVersionFile> {
    const uploadedAt = new Date();
    await this.#db.transaction(async tx => {
      const row = await this.#lockVersion(tx, entityRef, version);
      assertOpenDraft(row, entityRef, version);
      const problem =
        row.manifest === null
          ? undefined
          : manifestProblem(parseManifest(row.manifest), file);
      if (problem) {
        throw new ConflictError(
          `Version ${version} of ${entityRef}: ${problem}; nothing was added`,
        );
      }
      const others = await tx<FileRow>('model_version_files')
        .where({ version_id: row.id })
        .pluck('path');
      const other = findPathCollision(file.path, others);
      if (other !== undefined) {
        throw new ConflictError(collisionMessage(file.path, other));
      }
      await tx('model_version_files')
        .insert({
          version_id: row.id,
          path: file.path,
          sha256: file.sha256,
          size: file.size,
          format: file.format,
          scan_verdict: file.scan.verdict,
          scan: JSON.stringify(file.scan),
          scanner_version: file.scannerVersion ?? null,
          uploaded_by: file.uploadedBy,
          uploaded_at: uploadedAt,
        })
        .onConflict(['version_id', 'path'])
        .merge();
    });
    return {
      path: file.path,
      size: file.size,
      sha256: file.sha256,
      format: file.format,
      scan: file.scan,
      uploadedBy: file.uploadedBy,
      uploadedAt: uploadedAt.toISOString(),
    };
  }

  /**
   * Seals a draft so that it never changes again, after checking its files
   * against the declared manifest (and `manifest`, when the seal request
   * brings one). The draft first moves to `sealing` with a conditional
   * update checked by row count, so of concurrent seals exactly one goes on;
   * the others, and uploads meanwhile, get 409. Sealing a sealed version
   * returns it unchanged (`sealed: false`).
   * @throws NotFoundError when the version does not exist
   * @throws ConflictError on a concurrent seal or any manifest difference
   *   (naming the first); the version stays a draft
   * @throws InputError when the version has no files
   */
  async sealVersion(
    entityRef: string,
    version: string,
    manifest?: Manifest,
  ): Promise<{ sealed: boolean; version: ModelVersion }> {
    const label = `Version ${version} of ${entityRef}`;
    const claimed = await this.#db<VersionRow>('model_versions')
      .where({ entity_ref: entityRef, version, state: 'draft' })
      .update({ state: 'sealing', sealed_at: new Date() });
    if (claimed === 0) {
      const row = await this.#db<VersionRow>('model_versions')
        .where({ entity_ref: entityRef, version })
        .first();
      if (!row) throw new NotFoundError(`${label} does not exist`);
      if (row.state === 'sealed') {
        return { sealed: false, version: (await this.#assemble([row]))[0] };
      }
      throw new ConflictError(
        `${label} is being sealed by another request; retry to see the result`,
      );
    }
    try {
      const row = (await this.#db<VersionRow>('model_versions')
        .where({ entity_ref: entityRef, version })
        .first())!;
      const files = await this.#db<FileRow>('model_version_files')
        .where({ version_id: row.id })
        .select('path', 'sha256', 'size');
      const stored = files.map(f => ({ ...f, size: Number(f.size) }));
      if (stored.length === 0) {
        throw new InputError(
          `${label} has no files; upload at least one before sealing`,
        );
      }
      const manifests = [
        ...(row.manifest === null ? [] : [parseManifest(row.manifest)]),
        ...(manifest ? [manifest] : []),
      ];
      for (const declared of manifests) {
        const differences = manifestDifferences(stored, declared);
        if (differences.length > 0) {
          throw new ConflictError(
            `${label} does not match its manifest: ${differences[0]}${
              differences.length > 1
                ? ` (and ${differences.length - 1} more)`
                : ''
            }; it stays a draft`,
          );
        }
      }
      const done = await this.#db<VersionRow>('model_versions')
        .where({ id: row.id, state: 'sealing' })
        .update({ state: 'sealed', sealed_at: new Date() });
      if (done !== 1) {
        throw new ConflictError(
          `${label} was reset while it was being sealed; seal it again`,
        );
      }
    } catch (error) {
      await this.#db<VersionRow>('model_versions')
        .where({ entity_ref: entityRef, version, state: 'sealing' })
        .update({ state: 'draft', sealed_at: null });
      throw error;
    }
    return {
      sealed: true,
      version: (await this.getVersion(entityRef, version))!,
    };
  }

  /**
   * Points `alias` at a sealed version, moving it when it already exists.
   * @throws NotFoundError when the version does not exist
   * @throws ConflictError when the version is not sealed
   */
  async setAlias(options: {
    entityRef: string;
    alias: string;
    version: string;
    updatedBy: string;
  }): Promise<ModelVersion> {
    const { entityRef, alias, version, updatedBy } = options;
    await this.#db.transaction(async tx => {
      const row = await this.#lockVersion(tx, entityRef, version);
      if (row.state !== 'sealed') {
        throw new ConflictError(
          `Version ${version} of ${entityRef} is a draft; only sealed versions can get aliases`,
        );
      }
      await tx('model_aliases')
        .insert({
          entity_ref: entityRef,
          alias,
          version_id: row.id,
          updated_by: updatedBy,
          updated_at: new Date(),
        })
        .onConflict(['entity_ref', 'alias'])
        .merge(['version_id', 'updated_by', 'updated_at']);
    });
    return (await this.getVersion(entityRef, version))!;
  }

  async #lockVersion(
    tx: Knex.Transaction,
    entityRef: string,
    version: string,
  ): Promise<VersionRow> {
    const query = tx<VersionRow>('model_versions')
      .where({ entity_ref: entityRef, version })
      .first();
    // SQLite serializes writers already and has no row locks.
    const row =
      tx.client.config.client === 'pg' ? await query.forUpdate() : await query;
    if (!row) {
      throw new NotFoundError(
        `Version ${version} of ${entityRef} does not exist`,
      );
    }
    return row;
  }

  async #assemble(rows: VersionRow[]): Promise<ModelVersion[]> {
    if (rows.length === 0) {
      return [];
    }
    // Chunked: one IN list per 1,000 versions stays far below the bind
    // parameter limits (PostgreSQL 65,535; SQLite 32,766), whatever the
    // number of versions a list route assembles.
    const files = new Map<number, FileRow[]>();
    const aliases = new Map<number, string[]>();
    for (let i = 0; i < rows.length; i += ASSEMBLE_CHUNK) {
      const ids = rows.slice(i, i + ASSEMBLE_CHUNK).map(r => r.id);
      const [fileRows, aliasRows] = await Promise.all([
        this.#db<FileRow>('model_version_files')
          .whereIn('version_id', ids)
          .orderBy('path'),
        this.#db<AliasRow>('model_aliases')
          .whereIn('version_id', ids)
          .orderBy('alias'),
      ]);
      for (const f of fileRows) {
        const list = files.get(f.version_id);
        if (list) list.push(f);
        else files.set(f.version_id, [f]);
      }
      for (const a of aliasRows) {
        const list = aliases.get(a.version_id);
        if (list) list.push(a.alias);
        else aliases.set(a.version_id, [a.alias]);
      }
    }
    return rows.map(row =>
      toVersion(row, files.get(row.id) ?? [], aliases.get(row.id) ?? []),
    );
  }
}

/** A version as the API shows it, from its row, file rows and aliases. */
function toVersion(
  row: VersionRow,
  fileRows: FileRow[],
  aliases: string[],
): ModelVersion {
  const versionFiles = fileRows.map(toFile);
  const verdicts: ScanVerdict[] = versionFiles.map(f => f.scan.verdict);
  const result: ModelVersion = {
    entityRef: row.entity_ref,
    version: row.version,
    // A seal under way is not visible: until it commits, it is a draft.
    state: row.state === 'sealed' ? 'sealed' : 'draft',
    files: versionFiles,
    aliases,
    scanVerdict: verdicts.length ? worstVerdict(verdicts) : 'safe',
    createdBy: row.created_by,
    createdAt: toIso(row.created_at),
  };
  if (row.description !== null) result.description = row.description;
  if (row.sealed_at !== null) result.sealedAt = toIso(row.sealed_at);
  return result;
}

function assertOpenDraft(
  row: VersionRow,
  entityRef: string,
  version: string,
): void {
  if (row.state === 'sealed') {
    throw new ConflictError(
      `Version ${version} of ${entityRef} is sealed and immutable; publish a new version instead`,
    );
  }
  if (row.state === 'sealing') {
    throw new ConflictError(
      `Version ${version} of ${entityRef} is being sealed; no more files can be added`,
    );
  }
}

/** Why a file may not join a draft that declared `manifest`, if it may not. */
export function manifestProblem(
  manifest: Manifest,
  file: { path: string; sha256: string; size: number },
): string | undefined {
  const declared = manifest.get(file.path);
  if (!declared) {
    return `'${file.path}' is not in the draft's declared manifest`;
  }
  if (declared.size !== undefined && declared.size !== file.size) {
    return `'${file.path}' has ${file.size} bytes, the manifest declares ${declared.size}`;
  }
  if (declared.sha256 !== file.sha256) {
    return `'${file.path}' has SHA-256 ${file.sha256}, the manifest declares ${declared.sha256}`;
  }
  return undefined;
}

function toFile(row: FileRow): ModelVersionFile {
  return {
    path: row.path,
    size: Number(row.size),
    sha256: row.sha256,
    format: row.format as ModelFileFormat,
    scan: JSON.parse(row.scan) as FileScanResult,
    uploadedBy: row.uploaded_by,
    uploadedAt: toIso(row.uploaded_at),
  };
}

/** Normalizes the timestamp shapes of the supported databases to ISO 8601. */
function toIso(value: Timestamp): string {
  if (value instanceof Date) return value.toISOString();
  if (typeof value === 'number') return new Date(value).toISOString();
  // SQLite CURRENT_TIMESTAMP style `YYYY-MM-DD HH:MM:SS` is UTC.
  const normalized = /^\d{4}-\d{2}-\d{2} \d{2}:\d{2}:\d{2}(\.\d+)?$/.test(value)
    ? `${value.replace(' ', 'T')}Z`
    : value;
  return new Date(normalized).toISOString();
}
