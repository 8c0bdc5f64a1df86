import { createReadStream } from 'node:fs';
import { Readable } from 'node:stream';
import {
  DeleteObjectCommand,
  GetObjectCommand,
  HeadObjectCommand,
  S3Client,
  S3ClientConfig,
} from '@aws-sdk/client-s3';
import { Upload } from '@aws-sdk/lib-storage';
import { NotFoundError } from '@backstage/errors';
import { ArtifactStore, artifactKey, ByteRange } from './ArtifactStore';

/** The smallest part S3 accepts in a multipart upload (except the last). */
export const S3_MIN_PART_SIZE = 5 * 1024 * 1024;

/** Options of {@link S3ArtifactStore}. */
export interface S3ArtifactStoreOptions {
  bucket: string;
  /** Key prefix, e.g. `model-hub/`; keys are `<prefix>sha256/ab/cdef…`. */
  prefix?: string;
  region?: string;
  endpoint?: string;
  forcePathStyle?: boolean;
  credentials?: { accessKeyId: string; secretAccessKey: string };
  /** Multipart part size in bytes (at least 5 MiB). Default 16 MiB. */
  partSizeBytes?: number;
  /** Parts uploaded in parallel. Default 4. */
  queueSize?: number;
}

/**
 * Stores artifacts as objects in an S3 (or S3-compatible) bucket. Files are
 * sent with a multipart upload, which S3 only makes visible once completed,
 * and confirmed with a HEAD afterwards.
 */
export class S3ArtifactStore implements ArtifactStore {
  readonly #client: S3Client;
  readonly #bucket: string;
  readonly #prefix: string;
  readonly #partSize: number;
  readonly #queueSize: number;

  /** Creates a store with its own S3 client. */
  static create(options: S3ArtifactStoreOptions): S3ArtifactStore {
    return new S3ArtifactStore(
      new S3Client(S3ArtifactStore.clientConfig(options)),
      options,
    );
  }

  /** The S3 client configuration the store needs for `options`. */
  static clientConfig(options: S3ArtifactStoreOptions): S3ClientConfig {
    return {
      region: options.region ?? process.env.AWS_REGION ?? 'us-east-1',
      endpoint: options.endpoint,
      forcePathStyle: options.forcePathStyle,
      credentials: options.credentials,
      // Without these the SDK sends streamed bodies as `aws-chunked` with a
      // trailing checksum, which some S3-compatible servers store verbatim.
      // Integrity is ensured by our own SHA-256 instead.
      requestChecksumCalculation: 'WHEN_REQUIRED',
      responseChecksumValidation: 'WHEN_REQUIRED',
    };
  }

  /** Creates a store over an existing client, configured with {@link S3ArtifactStore.clientConfig}. */
  constructor(client: S3Client, options: S3ArtifactStoreOptions) {
    const partSize = options.partSizeBytes ?? 16 * 1024 * 1024;
    if (!Number.isInteger(partSize) || partSize < S3_MIN_PART_SIZE) {
      throw new TypeError(
        `S3 part size must be an integer of at least ${S3_MIN_PART_SIZE} bytes (5 MiB), got ${partSize}`,
      );
    }
    if (!options.bucket) {
      throw new TypeError('S3 artifact store needs a bucket');
    }
    this.#client = client;
    this.#bucket = options.bucket;
    this.#prefix = options.prefix ?? '';
    this.#partSize = partSize;
    this.#queueSize = options.queueSize ?? 4;
  }

  async put(sha256: string, sourcePath: string, size: number): Promise<void> {
    const existing = await this.#statSettled(sha256, size);
    if (existing) {
      if (existing.size !== size) {
        throw new Error(
          `Stored artifact ${sha256} has ${existing.size} bytes, expected ${size}; the bucket is corrupt`,
        );
      }
      return;
    }
    const key = this.#keyOf(sha256);
    const upload = new Upload({
      client: this.#client,
      params: {
        Bucket: this.#bucket,
        Key: key,
        Body: createReadStream(sourcePath, { highWaterMark: 1024 * 1024 }),
        ContentLength: size,
        ContentType: 'application/octet-stream',
        Metadata: { sha256 },
      },
      partSize: this.#partSize,
      queueSize: this.#queueSize,
      leavePartsOnError: false,
    });
    await upload.done();
    // Only then delete: a concurrent writer's good object would otherwise be
    // deleted under a version it was just added to.
    const stored = await this.#statSettled(sha256, size);
    if (!stored || stored.size !== size) {
      await this.delete(sha256);
      throw new Error(
        `S3 upload of artifact ${sha256} did not persist: expected ${size} bytes, found ${
          stored?.size ?? 'none'
        }`,
      );
    }
  }

  /**
   * The object's size, looked at again for up to 2 s while it exists with
   * another size: the key is shared by every upload of these bytes, another
   * replica may be writing it right now, and servers that write objects in
   * place (s3rver) show it partly written meanwhile.
   */
  async #statSettled(
    sha256: string,
    size: number,
  ): Promise<{ size: number } | undefined> {
    let stored = await this.stat(sha256);
    for (let i = 0; i < 20 && stored && stored.size !== size; i++) {
      await new Promise(r => setTimeout(r, 100));
      stored = await this.stat(sha256);
    }
    return stored;
  }

  async stat(sha256: string): Promise<{ size: number } | undefined> {
    try {
      const head = await this.#client.send(
        new HeadObjectCommand({
          Bucket: this.#bucket,
          Key: this.#keyOf(sha256),
        }),
      );
      return { size: head.ContentLength ?? 0 };
    } catch (error) {
      if (isNotFound(error)) {
        return undefined;
      }
      throw error;
    }
  }

  async get(sha256: string, range?: ByteRange): Promise<Readable> {
    try {
      const response = await this.#client.send(
        new GetObjectCommand({
          Bucket: this.#bucket,
          Key: this.#keyOf(sha256),
          Range: range ? `bytes=${range.start}-${range.end}` : undefined,
        }),
      );
      if (!(response.Body instanceof Readable)) {
        throw new Error(`S3 returned no readable body for artifact ${sha256}`);
      }
      return response.Body;
    } catch (error) {
      if (isNotFound(error)) {
        throw new NotFoundError(`Artifact ${sha256} is not stored`);
      }
      throw error;
    }
  }

  async delete(sha256: string): Promise<void> {
    await this.#client.send(
      new DeleteObjectCommand({
        Bucket: this.#bucket,
        Key: this.#keyOf(sha256),
      }),
    );
  }

  #keyOf(sha256: string): string {
    return `${this.#prefix}${artifactKey(sha256)}`;
  }
}

/** True when an S3 error means the object (or multipart upload) does not exist. */
export function isNotFound(error: unknown): boolean {
  const e = error as { name?: string; $metadata?: { httpStatusCode?: number } };
  return (
    e?.name === 'NotFound' ||
    e?.name === 'NoSuchKey' ||
    e?.name === 'NoSuchUpload' ||
    e?.$metadata?.httpStatusCode === 404
  );
}
