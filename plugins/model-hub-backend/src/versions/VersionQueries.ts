import {
  ModelVersion,
  ModelVersionFile,
} from '@internal/plugin-model-hub-common';
import { Knex } from 'knex';
import { Manifest, parseManifest } from './manifest';
import { namesVersion } from './validation';
import {
  AliasRow,
  FileRow,
  Timestamp,
  toIso,
  toVersion,
  VersionRow,
} from './versionRows';

/** A sealed version's string and its files' paths, sizes and digests. */
export interface SealedManifest {
  version: string;
  files: Array<Pick<ModelVersionFile, 'path' | 'size' | 'sha256'>>;
}

/** Versions assembled per query (see `assemble`). */
const ASSEMBLE_CHUNK = 1000;

/** A row of {@link VersionQueries.listVersions}: a version and one of its files (or none). */
type ListedVersionRow = Omit<VersionRow, 'manifest'> &
  Omit<FileRow, 'version_id' | 'path'> & { path: string | null };

/**
 * The read side of {@link VersionStore}: versions with their files and
 * aliases, one or many models at a time, in a fixed number of queries.
 */
export class VersionQueries {
  readonly #db: Knex;

  constructor(db: Knex) {
    this.#db = db;
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
    return row ? (await this.assemble([row]))[0] : undefined;
  }

  /** One version by its version string, or by an alias pointing at it. */
  async resolveVersion(
    entityRef: string,
    versionOrAlias: string,
  ): Promise<ModelVersion | undefined> {
    if (namesVersion(versionOrAlias)) {
      return this.getVersion(entityRef, versionOrAlias);
    }
    const row = await this.#db<VersionRow>('model_versions')
      .join('model_aliases', 'model_aliases.version_id', 'model_versions.id')
      .where({
        'model_aliases.entity_ref': entityRef,
        'model_aliases.alias': versionOrAlias,
      })
      .first('model_versions.*');
    return row ? (await this.assemble([row]))[0] : undefined;
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
    const versions = await this.assemble(rows);
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
    for (const version of await this.assemble(rows)) {
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

  /** Versions from their rows, with files and aliases (a few queries per 1,000). */
  async assemble(rows: VersionRow[]): Promise<ModelVersion[]> {
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
