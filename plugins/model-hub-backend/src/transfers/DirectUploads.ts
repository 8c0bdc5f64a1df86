import { LoggerService } from '@backstage/backend-plugin-api';
import { ConflictError, InputError } from '@backstage/errors';
import { ModelVersionFile } from '@internal/plugin-model-hub-common';
import { isSha256Hex } from '../artifacts/ArtifactStore';
import { S3DirectTransfers } from '../artifacts/S3DirectTransfers';
import { ModelVersionService } from '../versions/ModelVersionService';
import {
  MultipartUpload,
  MultipartUploadStore,
  UploadedPart,
} from './MultipartUploadStore';
import { partCount, partLength } from './parts';

/** Where a client PUTs the parts it has not sent yet, and until when. */
export interface DirectUploadTargets {
  /** When the URLs stop working; ask for the upload again for new ones. */
  expiresAt: string;
  /** One presigned PUT per part not yet reported; send exactly the part's bytes. */
  parts: Array<{ number: number; size: number; url: string }>;
}

/**
 * The direct-to-S3 side of multipart uploads: S3's multipart upload behind
 * each session, presigned part URLs, the parts clients report after PUTting
 * them, and completion, which assembles the parts in a staging key, reads
 * it back once to verify size and SHA-256 (and scan it), and only then copies
 * it to its content address. The bytes never pass through the backend's
 * routes; the verification read is the only time it sees them.
 */
export class DirectUploads {
  readonly #s3: S3DirectTransfers;
  readonly #store: MultipartUploadStore;
  readonly #versions: ModelVersionService;
  readonly #logger: LoggerService;

  /** Wires direct uploads to the S3 transfers, the upload sessions and the versions. */
  constructor(options: {
    s3: S3DirectTransfers;
    store: MultipartUploadStore;
    versions: ModelVersionService;
    logger: LoggerService;
  }) {
    this.#s3 = options.s3;
    this.#store = options.store;
    this.#versions = options.versions;
    this.#logger = options.logger;
  }

  /** Starts the S3 multipart upload behind session `uploadId`; returns S3's id. */
  async begin(uploadId: string): Promise<string> {
    return this.#s3.createUpload(uploadId);
  }

  /** Fresh presigned URLs for the parts of `upload` not reported yet. */
  async targets(
    upload: MultipartUpload,
    received: UploadedPart[],
  ): Promise<DirectUploadTargets> {
    const s3UploadId = this.#s3UploadId(upload);
    const expiresAt = this.#s3.uploadUrlsExpireAt();
    const have = new Set(received.map(p => p.number));
    const parts: DirectUploadTargets['parts'] = [];
    for (let n = 1; n <= partCount(upload); n++) {
      if (have.has(n)) continue;
      const size = partLength(upload, n);
      parts.push({
        number: n,
        size,
        url: await this.#s3.presignPart({
          uploadId: upload.id,
          s3UploadId,
          partNumber: n,
          size,
        }),
      });
    }
    return { expiresAt: expiresAt.toISOString(), parts };
  }

  /**
   * Records a part the client PUT to S3: its number, size, SHA-256 and the
   * ETag S3 answered. Used to resume and to complete; the bytes themselves
   * are verified as a whole at completion.
   */
  async recordPart(
    upload: MultipartUpload,
    part: UploadedPart,
  ): Promise<UploadedPart> {
    this.#s3UploadId(upload);
    const count = partCount(upload);
    if (
      !Number.isInteger(part.number) ||
      part.number < 1 ||
      part.number > count
    ) {
      throw new InputError(
        `Part number ${part.number} is outside 1..${count} for this upload`,
      );
    }
    const expected = partLength(upload, part.number);
    if (part.size !== expected) {
      throw new InputError(
        `Part ${part.number} must be ${expected} bytes, reported ${part.size}`,
      );
    }
    const sha256 = part.sha256.toLowerCase();
    if (!isSha256Hex(sha256) || !part.etag) {
      throw new InputError(
        `Report part ${part.number} with its SHA-256 (64 hex digits) and the ETag S3 answered`,
      );
    }
    const recorded = { ...part, sha256 };
    await this.#store.putPart(upload.id, recorded, new Date());
    return recorded;
  }

  /**
   * Assembles the reported parts in S3's staging key, verifies the whole
   * file's size and SHA-256 with one streaming read (which also feeds the
   * scanner), then copies it to its content address and adds it to the
   * draft. The caller discards the session and staging object afterwards,
   * whatever the outcome.
   * @throws ConflictError when S3 refuses the parts or the bytes differ
   */
  async complete(
    upload: MultipartUpload,
    parts: UploadedPart[],
    actor: string,
  ): Promise<ModelVersionFile> {
    const s3UploadId = this.#s3UploadId(upload);
    try {
      await this.#s3.completeUpload(
        upload.id,
        s3UploadId,
        parts.map(p => ({ number: p.number, etag: p.etag ?? '' })),
      );
    } catch (error) {
      throw new ConflictError(
        `S3 refused to assemble upload ${upload.id} (${describe(
          error,
        )}); nothing was stored, start the upload again`,
      );
    }
    const size = await this.#s3.statStaged(upload.id);
    if (size !== upload.size) {
      throw new ConflictError(
        `Upload ${upload.id} assembled ${size ?? 'no'} bytes in S3, ${
          upload.size
        } declared; nothing was stored, start the upload again`,
      );
    }
    const started = Date.now();
    try {
      const file = await this.#versions.uploadFile({
        entityRef: upload.entityRef,
        version: upload.version,
        path: upload.path,
        body: await this.#s3.readStaged(upload.id),
        expectedSha256: upload.sha256,
        expectedSize: upload.size,
        uploadedBy: actor,
        store: staged => this.#s3.promote(upload.id, staged),
      });
      this.#logger.info(
        `Verified direct upload ${upload.id} (${upload.size} bytes) in ${
          Date.now() - started
        } ms`,
      );
      return file;
    } catch (error) {
      if (error instanceof InputError) {
        // The verification read found other bytes than declared.
        throw new ConflictError(
          `${error.message}; the parts sent to S3 do not form the declared file, start the upload again`,
        );
      }
      throw error;
    }
  }

  /**
   * Frees what S3 holds for a session: aborts its multipart upload (parts
   * PUT but never assembled) and deletes its staging object. A server that
   * cannot abort is logged, not fatal: a bucket lifecycle rule
   * (AbortIncompleteMultipartUpload) then frees the parts.
   */
  async discard(upload: MultipartUpload): Promise<void> {
    const s3UploadId = this.#s3UploadId(upload);
    try {
      await this.#s3.abortUpload(upload.id, s3UploadId);
    } catch (error) {
      this.#logger.warn(
        `Could not abort S3 multipart upload of session ${
          upload.id
        } (${describe(
          error,
        )}); a bucket lifecycle rule AbortIncompleteMultipartUpload frees its parts`,
      );
    }
    await this.#s3.deleteStaged(upload.id);
  }

  #s3UploadId(upload: MultipartUpload): string {
    if (!upload.s3UploadId) {
      throw new ConflictError(
        `Upload ${upload.id} goes through the hub, not directly to S3; PUT its parts to the hub`,
      );
    }
    return upload.s3UploadId;
  }
}

function describe(error: unknown): string {
  const e = error as { name?: string; message?: string };
  return `${e?.name ?? 'Error'}: ${e?.message ?? String(error)}`;
}
