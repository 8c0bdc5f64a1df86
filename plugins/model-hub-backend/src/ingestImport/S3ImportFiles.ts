import { Readable } from 'node:stream';
import {
  GetObjectCommand,
  ListObjectsCommand,
  ListObjectsCommandOutput,
  S3Client,
} from '@aws-sdk/client-s3';
import { InputError, NotAllowedError, NotFoundError } from '@backstage/errors';
import {
  MlflowS3Access,
  S3_BUCKET_NAME,
} from '@internal/plugin-model-hub-node';
import { S3ArtifactStore } from '../artifacts/S3ArtifactStore';
import { ImportFile, MAX_IMPORT_FILES } from './ImportSource';
import { sourceUnavailable } from './sourceHttp';

/** A parsed `s3://bucket/prefix` artifact URI. */
export interface S3Location {
  bucket: string;
  /** The key prefix without leading or trailing `/`; never empty. */
  prefix: string;
}

/**
 * Parses an `s3://bucket/prefix` URI from the raw string, not with `URL`
 * (which would resolve `..` segments, also percent-encoded ones, and so
 * hide an escape). A prefix with an empty, `.` or `..` segment, in plain
 * or percent-encoded form, a backslash or a control character is refused.
 */
export function parseS3Uri(uri: string, what: string): S3Location {
  const m = uri.match(/^s3:\/\/([^/?#]*)\/+([^?#]*)$/);
  if (!m) {
    throw new InputError(
      `${what} has an artifact URI that is not s3://bucket/prefix: ${uri}`,
    );
  }
  const [, bucket, rawPrefix] = m;
  if (!S3_BUCKET_NAME.test(bucket)) {
    throw new InputError(
      `${what} names an S3 bucket that is not a bucket name: ${uri}`,
    );
  }
  const prefix = rawPrefix.replace(/\/+$/, '');
  if (prefix === '') {
    throw new InputError(
      `${what} has its artifacts at the root of bucket ${bucket} (${uri}); the hub imports a version's prefix, not a whole bucket`,
    );
  }
  const bad = prefix.split('/').find(segment => !isPlainSegment(segment));
  if (bad !== undefined) {
    throw new InputError(
      `${what} has an artifact URI whose prefix holds the segment '${bad}' (${uri}); not imported`,
    );
  }
  return { bucket, prefix };
}

/** A path segment that names a file or directory: not empty, `.`, `..` (in any encoding), `\` or control characters. */
function isPlainSegment(segment: string): boolean {
  if (segment === '' || /[\\\p{Cc}]/u.test(segment)) return false;
  let decoded = segment;
  try {
    decoded = decodeURIComponent(segment);
  } catch {
    // Not percent-encoded text; judged as written.
  }
  return decoded !== '.' && decoded !== '..' && !/[\\/]/.test(decoded);
}

/**
 * The files under an `s3://bucket/prefix` artifact URI, read with the
 * source's own S3 credentials (`modelHub.ingestion.mlflow[].s3`): only
 * allow-listed buckets, a listing paged by marker, each object streamed by GetObject when the import opens it.
 * Errors are one line naming the source, bucket and key, never the
 * credentials.
 */
export class S3ImportFiles {
  private readonly client: S3Client;

  constructor(
    private readonly source: string,
    private readonly access: MlflowS3Access,
    client?: S3Client,
  ) {
    this.client =
      client ??
      new S3Client(
        S3ArtifactStore.clientConfig({
          bucket: access.buckets[0],
          region: access.region,
          endpoint: access.endpoint,
          forcePathStyle: access.forcePathStyle,
          credentials: access.credentials,
        }),
      );
  }

  /** Lists the objects under `uri` as import files; `what` names the version for messages. */
  async list(uri: string, what: string): Promise<ImportFile[]> {
    const { bucket, prefix } = parseS3Uri(uri, `${what} of ${this.source}`);
    if (!this.access.buckets.includes(bucket)) {
      throw new NotAllowedError(
        `${what} of ${this.source} has its artifacts in bucket ${bucket}, which is not in modelHub.ingestion.mlflow[].s3.buckets of that source; not imported`,
      );
    }
    const files: ImportFile[] = [];
    // ListObjects (v1) paged by marker, the last key of the previous page:
    // every S3-compatible store supports it, while some cannot page v2
    // (s3rver's continuation tokens use DES, which OpenSSL 3 refuses). Keys
    // come in UTF-8 binary order, so the marker must grow on every page.
    let marker: string | undefined;
    for (;;) {
      const after = marker;
      const page: ListObjectsCommandOutput = await this.call(
        `the listing of s3://${bucket}/${prefix}/`,
        () =>
          this.client.send(
            new ListObjectsCommand({
              Bucket: bucket,
              Prefix: `${prefix}/`,
              MaxKeys: this.access.listPageSize,
              Marker: after,
            }),
          ),
      );
      const contents = page.Contents ?? [];
      for (const object of contents) {
        const key = object.Key ?? '';
        const path = key.slice(prefix.length + 1);
        // Folder markers (zero-byte keys ending in /) hold no file.
        if (key.endsWith('/') && !object.Size) continue;
        if (
          !key.startsWith(`${prefix}/`) ||
          !path.split('/').every(isPlainSegment)
        ) {
          throw new InputError(
            `${this.source} lists the object '${key}' under s3://${bucket}/${prefix}/, whose path is not a plain relative path; not imported`,
          );
        }
        if (files.length >= MAX_IMPORT_FILES) {
          throw new InputError(
            `${what} of ${this.source} has more than ${MAX_IMPORT_FILES} files under s3://${bucket}/${prefix}/; not imported`,
          );
        }
        files.push({
          path,
          size: object.Size,
          open: signal => this.open(bucket, key, signal),
        });
      }
      if (!page.IsTruncated) break;
      const next = page.NextMarker ?? contents[contents.length - 1]?.Key;
      if (
        next === undefined ||
        (marker !== undefined &&
          Buffer.compare(Buffer.from(next), Buffer.from(marker)) <= 0)
      ) {
        throw sourceUnavailable(
          `The S3 listing of s3://${bucket}/${prefix}/ for ${this.source} did not move forward; try again later`,
        );
      }
      marker = next;
    }
    return files;
  }

  private async open(
    bucket: string,
    key: string,
    signal: AbortSignal,
  ): Promise<Readable> {
    const object = await this.call(`s3://${bucket}/${key}`, () =>
      this.client.send(new GetObjectCommand({ Bucket: bucket, Key: key }), {
        abortSignal: signal,
      }),
    );
    return object.Body as Readable;
  }

  /** Runs an S3 call; its failure becomes one line naming what was read. */
  private async call<T>(what: string, send: () => Promise<T>): Promise<T> {
    try {
      return await send();
    } catch (e) {
      const error = e as Error & {
        name?: string;
        code?: string;
        $metadata?: { httpStatusCode?: number };
      };
      const status = error.$metadata?.httpStatusCode;
      if (
        status === 404 ||
        error.name === 'NoSuchBucket' ||
        error.name === 'NoSuchKey'
      ) {
        throw new NotFoundError(
          `${this.source} has no ${what} in S3 (${error.name ?? 404})`,
        );
      }
      if (status === 401 || status === 403) {
        throw sourceUnavailable(
          `S3 refused the credentials of ${this.source} (${status} ${error.name}) for ${what}; check modelHub.ingestion.mlflow[].s3`,
        );
      }
      const reason = status
        ? `${status} ${error.name}`
        : error.code ?? error.name;
      throw sourceUnavailable(
        `Could not read ${what} for ${this.source} from S3 (${reason}); check modelHub.ingestion.mlflow[].s3 and that the store is up`,
      );
    }
  }
}
