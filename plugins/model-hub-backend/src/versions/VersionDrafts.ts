import { ConflictError, InputError, NotFoundError } from '@backstage/errors';
import {
  FileScanResult,
  ModelFileFormat,
  ModelVersion,
  ModelVersionFile,
} from '@internal/plugin-model-hub-common';
import { randomUUID } from 'node:crypto';
import { Knex } from 'knex';
import {
  Manifest,
  manifestDifferences,
  parseManifest,
  sameManifest,
  serializeManifest,
} from './manifest';
import { collisionMessage, findPathCollision } from './validation';
import { VersionQueries } from './VersionQueries';
import { FileRow, lockVersion, VersionRow } from './versionRows';

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

/**
 * A point between the steps of a seal: `claimed` after the draft moved to
 * `sealing`, `verified` after its files were checked, before it is sealed.
 */
export type SealStep = 'claimed' | 'verified';

/**
 * The state transitions of a version: a draft is created (declaring its
 * manifest or not), gets files, moves to `sealing` under exactly one seal
 * request and then to `sealed`, never to change again; a seal whose request
 * died is reset to `draft`.
 */
export class VersionDrafts {
  readonly #db: Knex;
  readonly #queries: VersionQueries;
  readonly #sealPause: (step: SealStep) => Promise<void>;

  /**
   * `sealPause` (tests) is awaited at each {@link SealStep} of a seal, to
   * stall it there as a slow disk or a blocked replica would.
   */
  constructor(
    db: Knex,
    queries: VersionQueries,
    sealPause?: (step: SealStep) => Promise<void>,
  ) {
    this.#db = db;
    this.#queries = queries;
    this.#sealPause = sealPause ?? (async () => {});
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
      const row = await lockVersion(tx, entityRef, version);
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
    const result = await this.#queries.getVersion(entityRef, version);
    if (!result) {
      throw new Error(`${label} vanished right after it was created`);
    }
    return { created, version: result };
  }

  /**
   * Returns versions left `sealing` since before `cutoff` (their sealing
   * request died) to `draft`. The number of versions reset.
   */
  async resetStaleSeals(cutoff: Date): Promise<number> {
    return this.#db<VersionRow>('model_versions')
      .where({ state: 'sealing' })
      .where('sealed_at', '<', cutoff)
      .update({ state: 'draft', sealed_at: null, seal_token: null });
  }

  /**
   * Adds (or, while the version is a draft, replaces) a file. The blob must
   * have been recorded with {@link BlobLedger.recordBlob}.
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
      const row = await lockVersion(tx, entityRef, version);
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
    // The claim is this call's own: every later write matches its token, so
    // a seal reset as stale (see resetStaleSeals) that wakes up after
    // another seal claimed the version fails instead of finishing over it.
    const token = randomUUID();
    const claimed = await this.#db<VersionRow>('model_versions')
      .where({ entity_ref: entityRef, version, state: 'draft' })
      .update({ state: 'sealing', sealed_at: new Date(), seal_token: token });
    if (claimed === 0) {
      const row = await this.#db<VersionRow>('model_versions')
        .where({ entity_ref: entityRef, version })
        .first();
      if (!row) throw new NotFoundError(`${label} does not exist`);
      if (row.state === 'sealed') {
        return {
          sealed: false,
          version: (await this.#queries.assemble([row]))[0],
        };
      }
      throw new ConflictError(
        `${label} is being sealed by another request; retry to see the result`,
      );
    }
    try {
      await this.#sealPause('claimed');
      const row = await this.#db<VersionRow>('model_versions')
        .where({ entity_ref: entityRef, version, seal_token: token })
        .first();
      if (!row) throw lostClaim(label);
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
      await this.#sealPause('verified');
      const done = await this.#db<VersionRow>('model_versions')
        .where({ id: row.id, state: 'sealing', seal_token: token })
        .update({ state: 'sealed', sealed_at: new Date(), seal_token: null });
      if (done !== 1) throw lostClaim(label);
    } catch (error) {
      // Only this seal's own claim goes back to draft, never another's.
      await this.#db<VersionRow>('model_versions')
        .where({ entity_ref: entityRef, version, seal_token: token })
        .where({ state: 'sealing' })
        .update({ state: 'draft', sealed_at: null, seal_token: null });
      throw error;
    }
    return {
      sealed: true,
      version: (await this.#queries.getVersion(entityRef, version))!,
    };
  }
}

/** The seal's claim was reset as stale (and maybe taken by another seal). */
function lostClaim(label: string): ConflictError {
  return new ConflictError(
    `${label}: this seal stalled, was reset as abandoned and its claim taken by another seal; nothing was changed, retry to see the result`,
  );
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
