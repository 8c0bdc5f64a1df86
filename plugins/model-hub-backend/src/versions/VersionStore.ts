import {
  DatabaseService,
  resolvePackagePath,
} from '@backstage/backend-plugin-api';
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

const migrationsDir = resolvePackagePath(
  '@internal/plugin-model-hub-backend',
  'migrations',
);

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

interface VersionRow {
  id: number;
  entity_ref: string;
  version: string;
  description: string | null;
  state: 'draft' | 'sealed';
  created_by: string;
  created_at: Timestamp;
  sealed_at: Timestamp | null;
}

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
      await client.migrate.latest({ directory: migrationsDir });
    }
    return new VersionStore(client);
  }

  private constructor(db: Knex) {
    this.#db = db;
  }

  /**
   * Creates a draft version. When the version already exists it is returned
   * unchanged with `created: false`.
   */
  async createVersion(options: {
    entityRef: string;
    version: string;
    description?: string;
    createdBy: string;
  }): Promise<{ created: boolean; version: ModelVersion }> {
    const inserted = await this.#db<VersionRow>('model_versions')
      .insert({
        entity_ref: options.entityRef,
        version: options.version,
        description: options.description ?? null,
        state: 'draft',
        created_by: options.createdBy,
        created_at: new Date(),
        sealed_at: null,
      })
      .onConflict(['entity_ref', 'version'])
      .ignore()
      .returning('id');
    const version = await this.getVersion(options.entityRef, options.version);
    if (!version) {
      throw new Error(
        `Version ${options.version} of ${options.entityRef} vanished right after it was created`,
      );
    }
    return { created: inserted.length > 0, version };
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

  /** All versions of a model, most recently created first. */
  async listVersions(entityRef: string): Promise<ModelVersion[]> {
    const rows = await this.#db<VersionRow>('model_versions')
      .where({ entity_ref: entityRef })
      .orderBy('id', 'desc');
    return this.#assemble(rows);
  }

  /**
   * Records that `sha256` is present in the artifact store (idempotent).
   * Call after the artifact store confirmed the write.
   */
  async recordBlob(sha256: string, size: number): Promise<void> {
    await this.#db('artifact_blobs')
      .insert({ sha256, size, created_at: new Date() })
      .onConflict('sha256')
      .ignore();
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
   * @throws ConflictError when the version is sealed
   */
  async addFile(
    entityRef: string,
    version: string,
    file: NewVersionFile,
  ): Promise<ModelVersionFile> {
    const uploadedAt = new Date();
    await this.#db.transaction(async tx => {
      const row = await this.#lockVersion(tx, entityRef, version);
      if (row.state === 'sealed') {
        throw new ConflictError(
          `Version ${version} of ${entityRef} is sealed and immutable; publish a new version instead`,
        );
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
   * Seals a draft version so that it never changes again. Sealing a sealed
   * version returns it unchanged.
   * @throws NotFoundError when the version does not exist
   * @throws InputError when the version has no files
   */
  async sealVersion(entityRef: string, version: string): Promise<ModelVersion> {
    await this.#db.transaction(async tx => {
      const row = await this.#lockVersion(tx, entityRef, version);
      if (row.state === 'sealed') {
        return;
      }
      const [{ count }] = await tx('model_version_files')
        .where({ version_id: row.id })
        .count({ count: '*' });
      if (Number(count) === 0) {
        throw new InputError(
          `Version ${version} of ${entityRef} has no files; upload at least one before sealing`,
        );
      }
      await tx('model_versions')
        .where({ id: row.id })
        .update({ state: 'sealed', sealed_at: new Date() });
    });
    return (await this.getVersion(entityRef, version))!;
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
    const ids = rows.map(r => r.id);
    const [files, aliases] = await Promise.all([
      this.#db<FileRow>('model_version_files')
        .whereIn('version_id', ids)
        .orderBy('path'),
      this.#db<AliasRow>('model_aliases')
        .whereIn('version_id', ids)
        .orderBy('alias'),
    ]);
    return rows.map(row => {
      const versionFiles = files
        .filter(f => f.version_id === row.id)
        .map(toFile);
      const verdicts: ScanVerdict[] = versionFiles.map(f => f.scan.verdict);
      const result: ModelVersion = {
        entityRef: row.entity_ref,
        version: row.version,
        state: row.state,
        files: versionFiles,
        aliases: aliases.filter(a => a.version_id === row.id).map(a => a.alias),
        scanVerdict: verdicts.length ? worstVerdict(verdicts) : 'safe',
        createdBy: row.created_by,
        createdAt: toIso(row.created_at),
      };
      if (row.description !== null) result.description = row.description;
      if (row.sealed_at !== null) result.sealedAt = toIso(row.sealed_at);
      return result;
    });
  }
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
