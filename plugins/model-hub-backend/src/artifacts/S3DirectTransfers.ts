import { Readable } from 'node:stream';
import {
  AbortMultipartUploadCommand,
  CompleteMultipartUploadCommand,
  CopyObjectCommand,
  CreateMultipartUploadCommand,
  DeleteObjectCommand,
  GetObjectCommand,
  HeadObjectCommand,
  S3Client,
  UploadPartCommand,
} from '@aws-sdk/client-s3';
import { getSignedUrl } from '@aws-sdk/s3-request-presigner';
import { artifactKey } from './ArtifactStore';
import {
  isNotFound,
  S3ArtifactStore,
  S3ArtifactStoreOptions,
} from './S3ArtifactStore';

/** The largest object S3 copies in one CopyObject request (5 GiB). */
export const S3_MAX_COPY_BYTES = 5 * 1024 * 1024 * 1024;

/** Settings of direct transfers (`modelHub.artifacts.s3.directTransfers`). */
export interface S3DirectTransfersOptions {
  /** How long a presigned part URL stays valid, in seconds. */
  uploadUrlExpirySeconds: number;
  /** How long a presigned download URL stays valid, in seconds. */
  downloadUrlExpirySeconds: number;
  /**
   * The S3 endpoint clients reach, when it differs from the one the backend
   * uses (e.g. an internal service name); presigned URLs point there.
   */
  publicEndpoint?: string;
  /** Staged objects up to this size are promoted by a server-side copy. */
  maxCopyBytes?: number;
}

/** A part the client reported after PUTting it to its presigned URL. */
export interface DirectPart {
  number: number;
  etag: string;
}

/**
 * Transfers whose bytes go between the client and S3 without passing through
 * the backend: multipart uploads into a staging key with presigned part URLs,
 * promotion of a verified staged object to its content-addressed key, and
 * presigned downloads. The backend only signs, verifies and records.
 */
export class S3DirectTransfers {
  readonly #client: S3Client;
  readonly #signer: S3Client;
  readonly #store: S3ArtifactStore;
  readonly #bucket: string;
  readonly #prefix: string;
  readonly #options: S3DirectTransfersOptions;

  /** Creates the transfers over the same bucket as `store`. */
  static create(
    store: S3ArtifactStore,
    s3: S3ArtifactStoreOptions,
    options: S3DirectTransfersOptions,
  ): S3DirectTransfers {
    const config = S3ArtifactStore.clientConfig(s3);
    const client = new S3Client(config);
    const signer = options.publicEndpoint
      ? new S3Client({ ...config, endpoint: options.publicEndpoint })
      : client;
    return new S3DirectTransfers(client, signer, store, s3, options);
  }

  private constructor(
    client: S3Client,
    signer: S3Client,
    store: S3ArtifactStore,
    s3: S3ArtifactStoreOptions,
    options: S3DirectTransfersOptions,
  ) {
    this.#client = client;
    this.#signer = signer;
    this.#store = store;
    this.#bucket = s3.bucket;
    this.#prefix = s3.prefix ?? '';
    this.#options = options;
  }

  /** Starts an S3 multipart upload into the staging key of `uploadId`; returns S3's upload id. */
  async createUpload(uploadId: string): Promise<string> {
    const created = await this.#client.send(
      new CreateMultipartUploadCommand({
        Bucket: this.#bucket,
        Key: this.stagingKey(uploadId),
        ContentType: 'application/octet-stream',
      }),
    );
    if (!created.UploadId) {
      throw new Error('S3 started a multipart upload without an upload id');
    }
    return created.UploadId;
  }

  /**
   * A presigned PUT of one part, valid for `uploadUrlExpirySeconds`. The
   * part's length is signed, so S3 refuses a body of any other size.
   */
  async presignPart(options: {
    uploadId: string;
    s3UploadId: string;
    partNumber: number;
    size: number;
  }): Promise<string> {
    return getSignedUrl(
      this.#signer,
      new UploadPartCommand({
        Bucket: this.#bucket,
        Key: this.stagingKey(options.uploadId),
        UploadId: options.s3UploadId,
        PartNumber: options.partNumber,
        ContentLength: options.size,
      }),
      {
        expiresIn: this.#options.uploadUrlExpirySeconds,
        signableHeaders: new Set(['content-length']),
      },
    );
  }

  /** When a part URL signed now expires. */
  uploadUrlsExpireAt(now = Date.now()): Date {
    return new Date(now + this.#options.uploadUrlExpirySeconds * 1000);
  }

  /** Assembles the reported parts into the staging object. */
  async completeUpload(
    uploadId: string,
    s3UploadId: string,
    parts: DirectPart[],
  ): Promise<void> {
    await this.#client.send(
      new CompleteMultipartUploadCommand({
        Bucket: this.#bucket,
        Key: this.stagingKey(uploadId),
        UploadId: s3UploadId,
        MultipartUpload: {
          Parts: parts.map(p => ({ PartNumber: p.number, ETag: p.etag })),
        },
      }),
    );
  }

  /** Aborts the S3 multipart upload, which frees the parts S3 holds for it. */
  async abortUpload(uploadId: string, s3UploadId: string): Promise<void> {
    try {
      await this.#client.send(
        new AbortMultipartUploadCommand({
          Bucket: this.#bucket,
          Key: this.stagingKey(uploadId),
          UploadId: s3UploadId,
        }),
      );
    } catch (error) {
      // Already completed or aborted: nothing left to free.
      if (!isNotFound(error)) throw error;
    }
  }

  /** The size of the staged (assembled) object, or undefined when there is none. */
  async statStaged(uploadId: string): Promise<number | undefined> {
    try {
      const head = await this.#client.send(
        new HeadObjectCommand({
          Bucket: this.#bucket,
          Key: this.stagingKey(uploadId),
        }),
      );
      return head.ContentLength ?? 0;
    } catch (error) {
      if (isNotFound(error)) return undefined;
      throw error;
    }
  }

  /** Streams the staged object (the verification read). */
  async readStaged(uploadId: string): Promise<Readable> {
    const response = await this.#client.send(
      new GetObjectCommand({
        Bucket: this.#bucket,
        Key: this.stagingKey(uploadId),
      }),
    );
    if (!(response.Body instanceof Readable)) {
      throw new Error(`S3 returned no readable body for upload ${uploadId}`);
    }
    return response.Body;
  }

  /** Deletes the staged object; a no-op when it is gone. */
  async deleteStaged(uploadId: string): Promise<void> {
    await this.#client.send(
      new DeleteObjectCommand({
        Bucket: this.#bucket,
        Key: this.stagingKey(uploadId),
      }),
    );
  }

  /**
   * Makes verified staged bytes visible under their content address: a
   * server-side copy of the staged object, or, past the single-copy limit,
   * an upload of the verified local copy. A no-op when already stored.
   */
  async promote(
    uploadId: string,
    staged: { sha256: string; size: number; path: string },
  ): Promise<void> {
    if ((await this.#store.stat(staged.sha256)) !== undefined) {
      // put() checks the stored size against ours and keeps what is there.
      await this.#store.put(staged.sha256, staged.path, staged.size);
      return;
    }
    if (staged.size > (this.#options.maxCopyBytes ?? S3_MAX_COPY_BYTES)) {
      await this.#store.put(staged.sha256, staged.path, staged.size);
      return;
    }
    await this.#client.send(
      new CopyObjectCommand({
        Bucket: this.#bucket,
        Key: this.#contentKey(staged.sha256),
        CopySource: `${this.#bucket}/${encodeURI(this.stagingKey(uploadId))}`,
        ContentType: 'application/octet-stream',
        Metadata: { sha256: staged.sha256 },
        MetadataDirective: 'REPLACE',
      }),
    );
    const stored = await this.#store.stat(staged.sha256);
    if (stored?.size !== staged.size) {
      await this.#store.delete(staged.sha256);
      throw new Error(
        `S3 copy of artifact ${staged.sha256} did not persist: expected ${
          staged.size
        } bytes, found ${stored?.size ?? 'none'}`,
      );
    }
  }

  /**
   * A presigned GET of a stored artifact, valid for
   * `downloadUrlExpirySeconds`, that S3 answers as an attachment named
   * `fileName` and never transforms.
   */
  async presignDownload(sha256: string, fileName: string): Promise<string> {
    return getSignedUrl(
      this.#signer,
      new GetObjectCommand({
        Bucket: this.#bucket,
        Key: this.#contentKey(sha256),
        ResponseContentDisposition: `attachment; filename*=UTF-8''${encodeURIComponent(
          fileName,
        )}`,
        ResponseContentType: 'application/octet-stream',
        ResponseCacheControl: 'private, no-transform',
      }),
      { expiresIn: this.#options.downloadUrlExpirySeconds },
    );
  }

  /** The key where the parts of `uploadId` are assembled before verification. */
  stagingKey(uploadId: string): string {
    if (!/^[0-9a-f]{32}$/.test(uploadId)) {
      throw new TypeError(`Not an upload id: '${uploadId}'`);
    }
    return `${this.#prefix}staging/${uploadId}`;
  }

  #contentKey(sha256: string): string {
    return `${this.#prefix}${artifactKey(sha256)}`;
  }
}
