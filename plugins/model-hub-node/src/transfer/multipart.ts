import { Readable } from 'node:stream';
// The API module alone: the package index loads @backstage/catalog-model,
// ~0.2–0.5 s of every CLI start.
// eslint-disable-next-line @backstage/no-forbidden-package-imports
import { MODEL_HUB_SHA256_HEADER } from '@internal/plugin-model-hub-common/src/api/types';
import type { ModelVersionFile } from '@internal/plugin-model-hub-common';
import { DirectParts, DirectTargets } from './directParts';
import { fileRangeStream, sha256OfRange } from './fileRanges';
import { fileStamp, PartHashes, sameStamp } from './partHashes';

/**
 * How a transfer reaches the hub: the caller's client supplies auth and turns
 * failures into its own errors (both methods throw on a non-2xx answer).
 */
export interface TransferTransport {
  /** Sends a JSON body (or none) and returns the parsed JSON answer. */
  json<T>(method: string, path: string, body?: unknown): Promise<T>;
  /**
   * Sends `body` (exactly `length` bytes when known, else chunked) and
   * returns the parsed JSON answer.
   */
  stream<T>(
    method: string,
    path: string,
    headers: Record<string, string>,
    body: Readable,
    length?: number,
  ): Promise<T>;
}

/** A local file to store under `path` in a draft version. */
export interface FileToUpload {
  /** Path of the bytes on this machine. */
  file: string;
  /** Path inside the version. */
  path: string;
  sha256: string;
  size: number;
  /**
   * Part hashes computed with the whole-file hash ({@link sha256WithParts});
   * used when the part size matches and the file is unchanged since.
   */
  parts?: PartHashes;
}

interface UploadStatus {
  uploadId: string;
  partCount: number;
  parts: Array<{ number: number; sha256: string }>;
  /** Present when the hub offers direct S3 transfers: presigned part URLs. */
  direct?: DirectTargets;
}

/**
 * Uploads a whole file in one streamed request to the version's file route
 * (`filePath`), the hub checking its SHA-256.
 */
export async function uploadWholeFile(
  transport: TransferTransport,
  filePath: string,
  f: FileToUpload,
  onBytes?: (n: number) => void,
): Promise<ModelVersionFile> {
  return transport.stream<ModelVersionFile>(
    'PUT',
    filePath,
    {
      'content-type': 'application/octet-stream',
      [MODEL_HUB_SHA256_HEADER]: f.sha256,
    },
    fileRangeStream(f.file, 0, f.size - 1, onBytes),
    f.size,
  );
}

/**
 * Uploads a large file as resumable parts through the version's multipart
 * routes (`uploadsPath` = `…/versions/<v>/uploads`), up to `parallel` at a
 * time. Each part's SHA-256 comes from `f.parts` when those were computed
 * for this part size and the file is unchanged since, else the part is
 * hashed just before it is sent (overlapping the other parts' transfer). Parts the hub already holds with the same
 * SHA-256 (an earlier, interrupted run) are not sent again. Completion makes
 * the hub verify the whole file. With `direct`, a hub that offers direct S3
 * transfers hands out presigned part URLs: the parts go straight to S3 and
 * only a receipt per part goes to the hub.
 */
export async function uploadFileInParts(
  transport: TransferTransport,
  uploadsPath: string,
  f: FileToUpload,
  options: {
    partSize: number;
    parallel: number;
    onBytes?: (n: number) => void;
    /** Ask for presigned S3 part URLs (the client can PUT to S3). */
    direct?: boolean;
  },
): Promise<ModelVersionFile> {
  const { partSize, onBytes } = options;
  const status = await transport.json<UploadStatus>('POST', uploadsPath, {
    path: f.path,
    sha256: f.sha256,
    size: f.size,
    partSize,
    ...(options.direct ? { direct: true } : {}),
  });
  const held = new Map(status.parts.map(p => [p.number, p.sha256]));
  const todo = Array.from({ length: status.partCount }, (_, i) => i + 1);
  const base = `${uploadsPath}/${encodeURIComponent(status.uploadId)}`;
  const direct =
    status.direct && new DirectParts(transport, base, status.direct);
  const known =
    f.parts?.partSize === partSize &&
    sameStamp(f.parts.stamp, await fileStamp(f.file))
      ? f.parts.sha256s
      : [];
  const worker = async () => {
    for (let n = todo.shift(); n !== undefined; n = todo.shift()) {
      const start = (n - 1) * partSize;
      const end = Math.min(f.size, start + partSize) - 1;
      const sha256 = known[n - 1] ?? (await sha256OfRange(f.file, start, end));
      if (held.get(n) === sha256) {
        onBytes?.(end + 1 - start);
        continue;
      }
      if (direct) {
        await direct.send(n, sha256, f.file, start, end, onBytes);
        continue;
      }
      await transport.stream(
        'PUT',
        `${base}/parts/${n}`,
        {
          'content-type': 'application/octet-stream',
          [MODEL_HUB_SHA256_HEADER]: sha256,
        },
        fileRangeStream(f.file, start, end, onBytes),
        end + 1 - start,
      );
    }
  };
  await Promise.all(
    Array.from(
      { length: Math.max(1, Math.min(options.parallel, todo.length)) },
      worker,
    ),
  );
  return transport.json<ModelVersionFile>('POST', `${base}/complete`);
}
