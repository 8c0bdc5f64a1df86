import {
  FileScanResult,
  ModelFileFormat,
  ModelVersion,
  ModelVersionFile,
  ScanVerdict,
} from '@internal/plugin-model-hub-common';
import { worstVerdict } from '@internal/plugin-model-hub-node';
import { NotFoundError } from '@backstage/errors';
import { Knex } from 'knex';

/*
 * The version tables' row shapes, how a version is read from them into the
 * API's shape, and the row lock every state transition takes.
 */

/** A timestamp as the supported databases return it. */
export type Timestamp = Date | string | number;

/** A row of `model_versions`. */
export interface VersionRow {
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
  /** Token of the seal holding the `sealing` claim (null otherwise). */
  seal_token?: string | null;
}

/** A row of `model_version_files`. */
export interface FileRow {
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

/** A row of `model_aliases`. */
export interface AliasRow {
  entity_ref: string;
  alias: string;
  version_id: number;
}

/**
 * The row of a version, locked for the transaction (PostgreSQL).
 * @throws NotFoundError when the version does not exist
 */
export async function lockVersion(
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

/** A version as the API shows it, from its row, file rows and aliases. */
export function toVersion(
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

/** A file as the API shows it, from its row. */
export function toFile(row: FileRow): ModelVersionFile {
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
export function toIso(value: Timestamp): string {
  if (value instanceof Date) return value.toISOString();
  if (typeof value === 'number') return new Date(value).toISOString();
  // SQLite CURRENT_TIMESTAMP style `YYYY-MM-DD HH:MM:SS` is UTC.
  const normalized = /^\d{4}-\d{2}-\d{2} \d{2}:\d{2}:\d{2}(\.\d+)?$/.test(value)
    ? `${value.replace(' ', 'T')}Z`
    : value;
  return new Date(normalized).toISOString();
}
