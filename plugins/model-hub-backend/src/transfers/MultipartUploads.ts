import { randomBytes } from 'node:crypto';
import fs from 'node:fs/promises';
import path from 'node:path';
import { Readable } from 'node:stream';
import { LoggerService } from '@backstage/backend-plugin-api';
import {
  ConflictError,
  InputError,
  NotAllowedError,
  NotFoundError,
} from '@backstage/errors';
import { ModelVersionFile } from '@internal/plugin-model-hub-common';
import { PayloadTooLargeError } from '../artifacts/errors';
import { ModelVersionService } from '../versions/ModelVersionService';
import { DirectUploads, DirectUploadTargets } from './DirectUploads';
import {
  MultipartUpload,
  MultipartUploadStore,
  UploadedPart,
} from './MultipartUploadStore';
import { PartAssembly } from './PartAssembly';
import { claimCompletion, touchForPart } from './completionClaim';
import {
  assertAllParts,
  assertStartable,
  partCount,
  partLength,
} from './parts';

/** Limits of multipart uploads (`modelHub.transfers`). */
export interface MultipartLimits {
  /** Largest accepted whole file (`modelHub.artifacts.maxUploadBytes`). */
  maxFileBytes: number;
  /** Smallest part size a client may choose (the last part may be shorter). */
  minPartBytes: number;
  /** Largest part size a client may choose. */
  maxPartBytes: number;
}

/** What a client needs to continue an upload. */
export interface MultipartUploadStatus {
  uploadId: string;
  path: string;
  sha256: string;
  size: number;
  partSize: number;
  partCount: number;
  /** Parts already received and verified (reported, for a direct upload). */
  parts: UploadedPart[];
  /** For a direct upload: where to PUT the remaining parts in S3. */
  direct?: DirectUploadTargets;
}

/**
 * Resumable multipart uploads into draft versions. Each part is streamed to
 * the staging directory, verified against its declared SHA-256 and size, and
 * kept until completion, when the parts are streamed in order through the
 * normal upload path, which verifies the whole file's SHA-256 and size,
 * scans it and stores it by content before it appears in the version.
 */
export class MultipartUploads {
  readonly #store: MultipartUploadStore;
  readonly #versions: ModelVersionService;
  readonly #partsDirectory: string;
  readonly #limits: MultipartLimits;
  readonly #logger: LoggerService;
  readonly #direct?: DirectUploads;
  readonly #assembly: PartAssembly;

  /** Wires the uploads to their store, the version service and a parts directory. */
  constructor(options: {
    store: MultipartUploadStore;
    versions: ModelVersionService;
    partsDirectory: string;
    limits: MultipartLimits;
    logger: LoggerService;
    /** Direct-to-S3 uploads, offered to clients that ask (`direct: true`). */
    direct?: DirectUploads;
  }) {
    this.#direct = options.direct;
    this.#store = options.store;
    this.#versions = options.versions;
    this.#partsDirectory = path.resolve(options.partsDirectory);
    this.#limits = options.limits;
    this.#logger = options.logger;
    this.#assembly = new PartAssembly({
      directoryOf: id => this.#uploadDirectory(id),
    });
  }

  /**
   * Starts an upload, or returns the caller's open upload of the same content
   * to the same path, with the parts it already holds (resume). A client that
   * can PUT to presigned URLs asks for `direct`; when the hub offers direct
   * S3 transfers the answer carries the part URLs.
   */
  async start(options: {
    entityRef: string;
    version: string;
    path: string;
    sha256: string;
    size: number;
    partSize: number;
    actor: string;
    direct?: boolean;
  }): Promise<MultipartUploadStatus> {
    const sha256 = assertStartable(options, this.#limits);
    await this.#assertDraft(options.entityRef, options.version);
    const direct = Boolean(options.direct && this.#direct);
    const query = { ...options, sha256, createdBy: options.actor, direct };
    let upload = await this.#store.findResumable(query);
    if (!upload) {
      const now = new Date();
      const id = randomBytes(16).toString('hex');
      upload = {
        id,
        entityRef: options.entityRef,
        version: options.version,
        path: options.path,
        sha256,
        size: options.size,
        partSize: options.partSize,
        createdBy: options.actor,
        createdAt: now,
        updatedAt: now,
        ...(direct ? { s3UploadId: await this.#direct!.begin(id) } : {}),
      };
      await this.#store.insert(upload);
    }
    return this.#status(upload);
  }

  /** The state of an upload the caller started in this model version. */
  async status(options: {
    entityRef: string;
    version: string;
    uploadId: string;
    actor: string;
  }): Promise<MultipartUploadStatus> {
    return this.#status(await this.#owned(options));
  }

  /**
   * Streams one part to disk and keeps it once its size and SHA-256 match
   * what the client declared; a re-sent part replaces the earlier copy.
   * @throws PayloadTooLargeError when the part is larger than its slot
   */
  async putPart(options: {
    entityRef: string;
    version: string;
    uploadId: string;
    actor: string;
    partNumber: number;
    body: Readable;
    expectedSha256?: string;
    declaredSize?: number;
  }): Promise<UploadedPart> {
    const upload = await this.#owned(options);
    if (upload.s3UploadId) {
      throw new ConflictError(
        `Upload ${upload.id} goes directly to S3: PUT part ${options.partNumber} to its presigned URL (GET the upload for fresh URLs)`,
      );
    }
    const count = partCount(upload);
    const { partNumber } = options;
    if (!Number.isInteger(partNumber) || partNumber < 1 || partNumber > count) {
      throw new InputError(
        `Part number ${options.partNumber} is outside 1..${count} for this upload`,
      );
    }
    if (!options.expectedSha256) {
      throw new InputError(
        'Every part needs its SHA-256 in the x-model-hub-sha256 header',
      );
    }
    const expectedSize = partLength(upload, partNumber);
    // 413 before reading a byte when the announced part is too large.
    if (
      options.declaredSize !== undefined &&
      options.declaredSize > expectedSize
    ) {
      throw this.#partTooLarge(options.declaredSize, expectedSize);
    }
    const release = this.#assembly.claim(upload.id, partNumber);
    try {
      // Until its new bytes are verified, the part counts as missing; then
      // no completion on any replica may hold the upload.
      await this.#store.deletePart(upload.id, partNumber);
      await touchForPart(this.#store, upload);
      const part = await this.#assembly.write({
        uploadId: upload.id,
        partNumber,
        offset: (partNumber - 1) * upload.partSize,
        length: expectedSize,
        body: options.body,
        expectedSha256: options.expectedSha256.toLowerCase(),
        tooLarge: size => this.#partTooLarge(size, expectedSize),
      });
      await this.#store.putPart(upload.id, part, new Date());
      release();
      await this.#assembly.advance(upload, part);
      return part;
    } finally {
      release();
    }
  }

  /** Records a part the client PUT directly to S3 (number, size, SHA-256, ETag). */
  async reportPart(options: {
    entityRef: string;
    version: string;
    uploadId: string;
    actor: string;
    part: UploadedPart;
  }): Promise<UploadedPart> {
    const upload = await this.#owned(options);
    if (!this.#direct || !upload.s3UploadId) {
      throw new ConflictError(
        `Upload ${upload.id} goes through the hub, not directly to S3; PUT its parts to the hub`,
      );
    }
    return this.#direct.recordPart(upload, options.part);
  }

  /**
   * Assembles the parts in order through the version's normal upload path
   * (whole-file SHA-256 and size verified, scanned, stored by content), then
   * removes the upload and its parts. One completion at a time across
   * replicas (a claim in the database).
   * @throws ConflictError when parts are missing, or another completion holds it
   */
  async complete(options: {
    entityRef: string;
    version: string;
    uploadId: string;
    actor: string;
  }): Promise<ModelVersionFile> {
    const upload = await this.#owned(options);
    // Claimed before the parts are listed (see touchForPart).
    const claim = await claimCompletion({
      store: this.#store,
      uploadId: upload.id,
      logger: this.#logger,
    });
    try {
      return await this.#complete(upload, options.actor);
    } finally {
      await claim.release();
    }
  }

  async #complete(
    upload: MultipartUpload,
    actor: string,
  ): Promise<ModelVersionFile> {
    const parts = await this.#store.listParts(upload.id);
    assertAllParts(upload, parts);
    if (upload.s3UploadId) {
      if (!this.#direct) {
        throw new ConflictError(
          `Upload ${upload.id} was started directly to S3, which the hub no longer offers; start the upload again`,
        );
      }
      try {
        return await this.#direct.complete(upload, parts, actor);
      } finally {
        // S3 has consumed the parts either way: the session cannot go on.
        await this.#discard(upload.id);
      }
    }
    const assembled = await this.#assembly.seal(upload, parts);
    if (!assembled) {
      // Its part records name bytes that are gone: resuming would offer the
      // same parts and this answer forever. Starting again begins afresh.
      await this.#discard(upload.id);
      throw new ConflictError(
        `The parts of upload ${upload.id} are no longer on this hub (a completion was interrupted, or its staging directory was lost); start the upload again, it begins afresh`,
      );
    }
    let file: ModelVersionFile;
    try {
      file = await this.#versions.uploadFile({
        entityRef: upload.entityRef,
        version: upload.version,
        path: upload.path,
        body: assembled,
        expectedSha256: upload.sha256,
        expectedSize: upload.size,
        uploadedBy: actor,
      });
    } catch (error) {
      await this.#assembly.unseal(upload.id, { restore: true });
      throw error;
    }
    await this.#discard(upload.id);
    await this.#assembly.unseal(upload.id, { restore: false });
    return file;
  }

  /** Removes uploads idle since before `cutoff`, with their parts; returns how many. */
  async collectIdle(cutoff: Date): Promise<number> {
    let collected = 0;
    for (const upload of await this.#store.listIdleSince(cutoff)) {
      // Deleted only if still idle: a part or completion since the listing
      // touched it (see touchForPart).
      if (await this.#store.deleteIfIdle(upload.id, cutoff, new Date())) {
        await this.#abortDirect(upload);
        await this.#removeParts(upload.id);
        collected += 1;
      }
    }
    if (collected > 0) {
      this.#logger.info(`Collected ${collected} abandoned multipart upload(s)`);
    }
    return collected;
  }

  async #discard(uploadId: string): Promise<void> {
    const upload = await this.#store.get(uploadId);
    await this.#abortDirect(upload);
    await this.#store.delete(uploadId);
    await this.#removeParts(uploadId);
  }

  /** Aborts the S3 session of a direct upload. */
  async #abortDirect(upload: MultipartUpload | undefined): Promise<void> {
    if (upload?.s3UploadId && this.#direct) {
      await this.#direct.discard(upload);
    }
  }

  /** Forgets an upload here and removes its parts from staging. */
  async #removeParts(uploadId: string): Promise<void> {
    this.#assembly.forget(uploadId);
    await fs.rm(this.#uploadDirectory(uploadId), {
      recursive: true,
      force: true,
    });
  }

  async #status(upload: MultipartUpload): Promise<MultipartUploadStatus> {
    const parts = await this.#store.listParts(upload.id);
    return {
      uploadId: upload.id,
      path: upload.path,
      sha256: upload.sha256,
      size: upload.size,
      partSize: upload.partSize,
      partCount: partCount(upload),
      parts,
      ...(upload.s3UploadId && this.#direct
        ? { direct: await this.#direct.targets(upload, parts) }
        : {}),
    };
  }

  async #owned(options: {
    entityRef: string;
    version: string;
    uploadId: string;
    actor: string;
  }): Promise<MultipartUpload> {
    const upload = /^[0-9a-f]{32}$/.test(options.uploadId)
      ? await this.#store.get(options.uploadId)
      : undefined;
    if (
      !upload ||
      upload.entityRef !== options.entityRef ||
      upload.version !== options.version
    ) {
      throw new NotFoundError(
        `No upload ${options.uploadId} in ${options.entityRef}@${options.version}; it may have been completed or collected, start it again`,
      );
    }
    if (upload.createdBy !== options.actor) {
      throw new NotAllowedError(
        `Upload ${upload.id} belongs to ${upload.createdBy}; only it can continue the upload`,
      );
    }
    await this.#assertDraft(upload.entityRef, upload.version);
    return upload;
  }

  async #assertDraft(entityRef: string, version: string): Promise<void> {
    const existing = await this.#versions.getVersion(entityRef, version);
    if (existing.version !== version) {
      throw new InputError(
        `Uploads go to a version, not to an alias: use ${existing.version}`,
      );
    }
    if (existing.state === 'sealed') {
      throw new ConflictError(
        `Version ${version} of ${entityRef} is sealed and immutable; publish a new version instead`,
      );
    }
  }

  #uploadDirectory(uploadId: string): string {
    return path.join(this.#partsDirectory, uploadId);
  }

  #partTooLarge(size: number, limit: number): PayloadTooLargeError {
    return new PayloadTooLargeError(
      `Part of ${size} bytes or more exceeds its slot of ${limit} bytes; send parts of the upload's part size`,
    );
  }
}
