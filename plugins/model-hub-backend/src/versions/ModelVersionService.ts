import { Readable } from 'node:stream';
import { LoggerService } from '@backstage/backend-plugin-api';
import { ConflictError, InputError, NotFoundError } from '@backstage/errors';
import {
  CreateModelVersionRequest,
  ModelVersion,
  ModelVersionFile,
} from '@internal/plugin-model-hub-common';
import {
  ArtifactStore,
  ByteRange,
  isSha256Hex,
} from '../artifacts/ArtifactStore';
import { FileScanner } from '../artifacts/FileScanner';
import { UploadStaging } from '../artifacts/UploadStaging';
import {
  assertValidAlias,
  assertValidFilePath,
  assertValidVersion,
} from './validation';
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

  /**
   * Creates a draft version (`created: true`), or returns an existing one
   * when the call is an idempotent repeat: a draft, or a sealed version whose
   * files equal the request's manifest.
   * @throws ConflictError when a sealed version differs from the request
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
    const differences = diffManifest(existing.files, manifest);
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
   * hash and length, scanned, stored by SHA-256, then recorded. Nothing is
   * kept when any step fails before the store.
   */
  async uploadFile(options: {
    entityRef: string;
    version: string;
    path: string;
    body: Readable;
    expectedSha256?: string;
    expectedSize?: number;
    uploadedBy: string;
  }): Promise<ModelVersionFile> {
    const { entityRef, version, path } = options;
    assertValidVersion(version);
    assertValidFilePath(path);
    const existing = await this.#store.getVersion(entityRef, version);
    if (!existing) {
      throw new NotFoundError(
        `Version ${version} of ${entityRef} does not exist; create it first`,
      );
    }
    if (existing.state === 'sealed') {
      throw new ConflictError(
        `Version ${version} of ${entityRef} is sealed and immutable; publish a new version instead`,
      );
    }
    const staged = await this.#staging.stage(options.body, {
      expectedSha256: options.expectedSha256,
      expectedSize: options.expectedSize,
    });
    try {
      const scan = await this.#scanner.scan(staged.path, path);
      await this.#artifacts.put(staged.sha256, staged.path, staged.size);
      await this.#store.recordBlob(staged.sha256, staged.size);
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
   * Seals a version; idempotent for a sealed version. The `onSealed` hook
   * runs only when this call sealed a draft.
   */
  async sealVersion(entityRef: string, version: string): Promise<ModelVersion> {
    assertValidVersion(version);
    const before = await this.#store.getVersion(entityRef, version);
    const sealed = await this.#store.sealVersion(entityRef, version);
    if (before?.state === 'draft' && this.#onSealed) {
      await this.#onSealed(entityRef, version);
    }
    return sealed;
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
   * One file of a version (by version string or alias).
   * @throws NotFoundError when the version or the file does not exist
   */
  async getFile(
    entityRef: string,
    versionOrAlias: string,
    path: string,
  ): Promise<{ version: ModelVersion; file: ModelVersionFile }> {
    assertValidFilePath(path);
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

function normalizeManifest(
  files: Array<{ path: string; sha256: string }>,
): Map<string, string> {
  const manifest = new Map<string, string>();
  for (const { path, sha256 } of files) {
    assertValidFilePath(path);
    const digest = sha256.toLowerCase();
    if (!isSha256Hex(digest)) {
      throw new InputError(
        `Manifest entry '${path}' has an invalid SHA-256 '${sha256}'`,
      );
    }
    if (manifest.has(path)) {
      throw new InputError(`Manifest lists '${path}' more than once`);
    }
    manifest.set(path, digest);
  }
  return manifest;
}

function diffManifest(
  stored: ModelVersionFile[],
  manifest: Map<string, string>,
): string[] {
  const differences: string[] = [];
  const storedByPath = new Map(stored.map(f => [f.path, f.sha256]));
  for (const [path, sha256] of storedByPath) {
    const requested = manifest.get(path);
    if (requested === undefined) {
      differences.push(`'${path}' is missing from the request`);
    } else if (requested !== sha256) {
      differences.push(`'${path}' has different content`);
    }
  }
  for (const path of manifest.keys()) {
    if (!storedByPath.has(path)) {
      differences.push(`'${path}' is not in the sealed version`);
    }
  }
  return differences;
}
