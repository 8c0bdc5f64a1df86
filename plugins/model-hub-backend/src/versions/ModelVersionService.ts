import { Readable } from 'node:stream';
import { LoggerService } from '@backstage/backend-plugin-api';
import {
  ConflictError,
  NotAllowedError,
  NotFoundError,
} from '@backstage/errors';
import {
  CreateModelVersionRequest,
  ModelVersion,
  ModelVersionFile,
} from '@internal/plugin-model-hub-common';
import { ArtifactStore, ByteRange } from '../artifacts/ArtifactStore';
import { FileScanner } from '../artifacts/FileScanner';
import { UploadStaging } from '../artifacts/UploadStaging';
import {
  assertValidAlias,
  assertValidFilePath,
  assertValidVersion,
  collisionMessage,
  findPathCollision,
  namesVersion,
} from './validation';
import {
  ManifestEntry,
  manifestDifferences,
  normalizeManifest,
} from './manifest';
import { manifestProblem } from './VersionDrafts';
import { SealedManifest } from './VersionQueries';
import { VersionStore } from './VersionStore';
import { assertAliasAllowed } from './aliasRules';

/**
 * The publishing rules of model versions: create a draft, upload verified and
 * scanned files into the content-addressed store, seal, alias, read back.
 * Callers have already resolved the model entity and checked permissions.
 */
export class ModelVersionService {
  readonly #store: VersionStore;
  readonly #artifacts: ArtifactStore;
  readonly #staging: UploadStaging;
  readonly #scanner: FileScanner;
  readonly #logger: LoggerService;
  readonly #onSealed?: (entityRef: string, version: string) => Promise<void>;

  /** Wires the service to its stores and scanner. */
  constructor(options: {
    store: VersionStore;
    artifacts: ArtifactStore;
    staging: UploadStaging;
    scanner: FileScanner;
    logger: LoggerService;
    /** Called once when a draft becomes sealed (e.g. to start the gauntlet). */
    onSealed?: (entityRef: string, version: string) => Promise<void>;
  }) {
    this.#onSealed = options.onSealed;
    this.#store = options.store;
    this.#artifacts = options.artifacts;
    this.#staging = options.staging;
    this.#scanner = options.scanner;
    this.#logger = options.logger;
  }

  /** Version of the running scanner's rules, when it reports one. */
  get scannerVersion(): string | undefined {
    return this.#scanner.version;
  }

  /**
   * Creates a draft version owned by `createdBy` (`created: true`), or
   * returns an existing one when the call is an idempotent repeat: the
   * caller's own draft declaring the same files, or a sealed version whose
   * files equal the request's manifest.
   * @throws ConflictError when a sealed version differs from the request, or
   *   another publish of the version is open (another principal's draft, or
   *   a draft declaring other files)
   */
  async createVersion(
    entityRef: string,
    request: CreateModelVersionRequest,
    createdBy: string,
  ): Promise<{ created: boolean; version: ModelVersion }> {
    assertValidVersion(request.version);
    const manifest = request.files && normalizeManifest(request.files);
    const result = await this.#store.createVersion({
      entityRef,
      version: request.version,
      description: request.description,
      createdBy,
      manifest,
    });
    if (result.created || result.version.state === 'draft') {
      return result;
    }
    const existing = result.version;
    const label = `Version ${existing.version} of ${entityRef}`;
    if (!manifest) {
      throw new ConflictError(
        `${label} already exists and is sealed; send its files manifest to confirm an identical re-publish, or publish a new version`,
      );
    }
    const differences = manifestDifferences(existing.files, manifest);
    if (
      request.description !== undefined &&
      request.description !== existing.description
    ) {
      differences.push('description differs');
    }
    if (differences.length > 0) {
      throw new ConflictError(
        `${label} is sealed and immutable; the request differs (${differences
          .slice(0, 5)
          .join('; ')}${
          differences.length > 5 ? '; …' : ''
        }). Publish a new version instead`,
      );
    }
    return { created: false, version: existing };
  }

  /**
   * Streams one file of a draft version into the artifact store: staged to
   * a temporary file while hashed and counted, verified against the declared
   * hash and length (and the draft's manifest), scanned, stored by SHA-256,
   * then recorded. Only the principal who opened the draft may upload.
   * Refusals that need no bytes (not the owner, sealed, not in the manifest,
   * a colliding name) come before a byte is stored. The blob is claimed
   * before it is stored, so a failure after that leaves at most an orphan
   * that the collector removes after its grace period.
   */
  async uploadFile(options: {
    entityRef: string;
    version: string;
    path: string;
    /**
     * The bytes, or a file the hub already wrote and hashed (an assembled
     * multipart upload), which is checked and then moved, not copied.
     */
    body: Readable | HubWrittenFile;
    expectedSha256?: string;
    expectedSize?: number;
    uploadedBy: string;
    /**
     * Stores the verified, scanned bytes under their SHA-256 instead of
     * `ArtifactStore.put` (a direct S3 upload copies its staged object).
     */
    store?: (staged: {
      sha256: string;
      size: number;
      path: string;
    }) => Promise<void>;
  }): Promise<ModelVersionFile> {
    const { entityRef, version, path } = options;
    assertValidVersion(version);
    assertValidFilePath(path);
    const existing = await this.#store.getVersion(entityRef, version);
    const draft = await this.#store.getDraftInfo(entityRef, version);
    if (!existing || !draft) {
      throw new NotFoundError(
        `Version ${version} of ${entityRef} does not exist; create it first`,
      );
    }
    if (draft.state === 'sealed') {
      throw new ConflictError(
        `Version ${version} of ${entityRef} is sealed and immutable; publish a new version instead`,
      );
    }
    if (draft.state === 'sealing') {
      throw new ConflictError(
        `Version ${version} of ${entityRef} is being sealed; no more files can be added`,
      );
    }
    assertDraftOwner(draft.createdBy, options.uploadedBy, entityRef, version);
    const declared = draft.manifest?.get(path);
    if (draft.manifest && !declared) {
      throw new ConflictError(
        `Version ${version} of ${entityRef}: '${path}' is not in the draft's declared manifest; nothing was stored`,
      );
    }
    const other = findPathCollision(
      path,
      existing.files.map(f => f.path),
    );
    if (other !== undefined) {
      throw new ConflictError(collisionMessage(path, other));
    }
    const expected = expectedContent(options, declared);
    const staged =
      options.body instanceof Readable
        ? await this.#staging.stage(options.body, expected)
        : this.#staging.adopt(options.body, expected);
    try {
      const problem =
        draft.manifest &&
        manifestProblem(draft.manifest, {
          path,
          sha256: staged.sha256,
          size: staged.size,
        });
      if (problem) {
        throw new ConflictError(
          `Version ${version} of ${entityRef}: ${problem}; nothing was stored`,
        );
      }
      // Staging hashed these very bytes: the scanner need not again.
      const scan = await this.#scanner.scan(staged.path, path, {
        sha256: staged.sha256,
      });
      // Claim first: the collector never deletes a blob claimed within its
      // grace period, so the bytes stored next cannot vanish under us.
      await this.#store.recordBlob(staged.sha256, staged.size);
      await (options.store
        ? options.store(staged)
        : this.#artifacts.put(staged.sha256, staged.path, staged.size));
      const file = await this.#store.addFile(entityRef, version, {
        path,
        sha256: staged.sha256,
        size: staged.size,
        format: scan.format,
        scan,
        uploadedBy: options.uploadedBy,
        scannerVersion: this.#scanner.version,
      });
      this.#logger.info(
        `Stored ${path} (${staged.size} bytes, sha256 ${staged.sha256}, scan ${scan.verdict}) in ${entityRef}@${version}`,
      );
      return file;
    } finally {
      await staged.discard();
    }
  }

  /**
   * Seals a draft after checking its files against the declared manifest
   * (and `files`, when given); idempotent for a sealed version. Only the
   * principal who opened the draft may seal it. The `onSealed` hook runs
   * only when this call sealed the draft.
   * @throws NotAllowedError when another principal opened the draft
   * @throws ConflictError on a manifest difference or a concurrent seal
   */
  async sealVersion(
    entityRef: string,
    version: string,
    options: {
      sealedBy: string;
      files?: ReadonlyArray<{ path: string; sha256: string; size?: number }>;
    },
  ): Promise<ModelVersion> {
    assertValidVersion(version);
    const manifest = options.files && normalizeManifest(options.files);
    const draft = await this.#store.getDraftInfo(entityRef, version);
    if (draft && draft.state !== 'sealed') {
      assertDraftOwner(draft.createdBy, options.sealedBy, entityRef, version);
    }
    const result = await this.#store.sealVersion(entityRef, version, manifest);
    if (!result.sealed && manifest) {
      const differences = manifestDifferences(result.version.files, manifest);
      if (differences.length > 0) {
        throw new ConflictError(
          `Version ${version} of ${entityRef} is sealed with other files: ${differences[0]}`,
        );
      }
    }
    if (result.sealed && this.#onSealed) {
      await this.#onSealed(entityRef, version);
    }
    return result.version;
  }

  /** Points an alias at a sealed version (moving it when it exists). */
  async setAlias(options: {
    entityRef: string;
    alias: string;
    version: string;
    updatedBy: string;
  }): Promise<ModelVersion> {
    assertValidAlias(options.alias);
    assertValidVersion(options.version);
    const target = await this.#store.getVersion(
      options.entityRef,
      options.version,
    );
    if (target) assertAliasAllowed(options.alias, target);
    return this.#store.setAlias(options);
  }

  /** The latest sealed version of each model, keyed by entity ref (batched). */
  async latestSealedVersions(
    entityRefs: string[],
  ): Promise<Map<string, ModelVersion>> {
    return this.#store.latestSealedVersions(entityRefs);
  }

  /** The latest sealed version of a model with its files' digests only (one statement). */
  async latestSealedManifest(
    entityRef: string,
  ): Promise<SealedManifest | undefined> {
    return this.#store.latestSealedManifest(entityRef);
  }

  /** The sealed versions of each model, keyed by entity ref (batched). */
  async sealedVersionsOf(
    entityRefs: string[],
  ): Promise<Map<string, ModelVersion[]>> {
    return this.#store.sealedVersionsOf(entityRefs);
  }

  /** All versions of a model, most recently created first. */
  async listVersions(entityRef: string): Promise<ModelVersion[]> {
    return this.#store.listVersions(entityRef);
  }

  /**
   * One version by version string or alias.
   * @throws NotFoundError when there is none
   */
  async getVersion(
    entityRef: string,
    versionOrAlias: string,
  ): Promise<ModelVersion> {
    const version = await this.#store.resolveVersion(entityRef, versionOrAlias);
    if (!version) {
      throw new NotFoundError(
        `${entityRef} has no version or alias '${versionOrAlias}'`,
      );
    }
    return version;
  }

  /**
   * One file of a version (by version string or alias). `listed`, the
   * model's version list as fresh as the tables (the read routes' cache,
   * which the versions GET fills), answers without a query when it holds
   * the version and the file: a model page reads its README right after
   * listing the versions.
   * @throws NotFoundError when the version or the file does not exist
   */
  async getFile(
    entityRef: string,
    versionOrAlias: string,
    path: string,
    listed?: ModelVersion[],
  ): Promise<{ version: ModelVersion; file: ModelVersionFile }> {
    assertValidFilePath(path);
    // The store's rule (resolveVersion): a semantic version names a
    // version, anything else an alias.
    const known = listed?.find(v =>
      namesVersion(versionOrAlias)
        ? v.version === versionOrAlias
        : v.aliases.includes(versionOrAlias),
    );
    const listedFile = known?.files.find(f => f.path === path);
    if (known && listedFile) return { version: known, file: listedFile };
    const version = await this.getVersion(entityRef, versionOrAlias);
    const file = version.files.find(f => f.path === path);
    if (!file) {
      throw new NotFoundError(
        `Version ${version.version} of ${entityRef} has no file '${path}'`,
      );
    }
    return { version, file };
  }

  /** Streams the content of a stored file, or one byte range of it. */
  async readFile(
    file: Pick<ModelVersionFile, 'sha256'>,
    range?: ByteRange,
  ): Promise<Readable> {
    return this.#artifacts.get(file.sha256, range);
  }
}

function assertDraftOwner(
  owner: string,
  caller: string,
  entityRef: string,
  version: string,
): void {
  if (owner !== caller) {
    throw new NotAllowedError(
      `Version ${version} of ${entityRef} is a draft opened by ${owner}; only they can upload to it or seal it`,
    );
  }
}

/** What the staged bytes must be: the request's declarations, else the manifest's. */
/** A file the hub wrote and hashed itself, ready to be stored by content. */
export interface HubWrittenFile {
  /** Absolute path, in the staging area's file system. */
  path: string;
  sha256: string;
  size: number;
}

function expectedContent(
  options: { expectedSha256?: string; expectedSize?: number },
  declared: ManifestEntry | undefined,
): { expectedSha256?: string; expectedSize?: number } {
  return {
    expectedSha256: options.expectedSha256 ?? declared?.sha256,
    expectedSize: options.expectedSize ?? declared?.size,
  };
}
