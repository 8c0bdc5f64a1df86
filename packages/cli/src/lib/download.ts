import { promises as fs } from 'node:fs';
import type { IncomingMessage } from 'node:http';
// The API module alone: the package index loads @backstage/catalog-model,
// ~0.2–0.5 s of every CLI start.
// eslint-disable-next-line @backstage/no-forbidden-package-imports
import { MODEL_HUB_DIRECT_DOWNLOAD_HEADER } from '@internal/plugin-model-hub-common/src/api/types';
// eslint-disable-next-line @backstage/no-forbidden-package-imports
import {
  getPresigned,
  HashedFileWriter,
} from '@internal/plugin-model-hub-node/src/transfer';
import { openPartial, partialSize } from './outputPaths';
import { PortalClient, PortalError } from './portal';

/** What {@link downloadVerified} needs to know about the file. */
export interface ExpectedFile {
  path: string;
  sha256: string;
  size: number;
}

/**
 * Hands every body chunk of `res` to `writer` (`data` events: no promise per
 * chunk), pausing the response while the writer is behind. Resolves at the
 * end of the body; rejects when the connection fails or closes early, or a
 * write fails.
 */
function receive(
  res: IncomingMessage,
  writer: HashedFileWriter,
  onChunk: (n: number) => void,
): Promise<void> {
  return new Promise((resolve, reject) => {
    let ended = false;
    writer.onDrain = () => res.resume();
    res.on('data', (chunk: Buffer) => {
      onChunk(chunk.length);
      try {
        if (!writer.write(chunk)) res.pause();
      } catch (e) {
        reject(e);
      }
    });
    res.on('end', () => {
      ended = true;
      resolve();
    });
    res.on('error', reject);
    res.on('close', () => {
      if (!ended) reject(new Error('the connection closed early'));
    });
  });
}

/**
 * Downloads one file to `target`, verified: bytes go to `target.part`; a
 * `.part` left by an interrupted run is continued with `Range` + `If-Range`
 * (the ETag is the SHA-256, so a changed file restarts from zero), the whole
 * SHA-256 and size are checked, and only then is the file renamed into
 * place. A mismatch deletes the `.part` and fails. Returns the bytes that
 * were already present. When the hub redirects to a presigned S3 URL, the
 * bytes (and the `Range`) go to S3, without the hub's token.
 */
export async function downloadVerified(
  client: PortalClient,
  url: string,
  file: ExpectedFile,
  target: string,
  onBytes: (n: number) => void,
): Promise<{ resumedFrom: number }> {
  const partial = `${target}.part`;
  const found = await partialSize(file.path, partial);
  let have = found <= file.size ? found : 0;
  const etag = `"${file.sha256}"`;
  const resume = have > 0 && have < file.size;
  // Node's client, identity-encoded: weights are never worth compressing on
  // the fly, and fetch's web streams cost a third of the throughput. A hub
  // with direct S3 transfers answers 307 to a presigned URL.
  let res = await client.send(url, {
    headers: {
      [MODEL_HUB_DIRECT_DOWNLOAD_HEADER]: 'redirect',
      ...(resume ? { range: `bytes=${have}-`, 'if-range': etag } : {}),
    },
    allow: [307],
  });
  // The hub's ETag is the SHA-256; S3's is not, so only the hub's counts.
  const served = res.headers.etag;
  if (res.statusCode === 307) {
    res.resume();
    // Content-addressed: the object never changes, so Range needs no If-Range.
    res = await getPresigned(
      res.headers.location ?? '',
      resume ? { range: `bytes=${have}-` } : {},
    ).catch(e => {
      throw new PortalError(`cannot download ${file.path}: ${e.message}`);
    });
  }
  if (!(res.statusCode === 206 && have > 0)) have = 0;
  onBytes(have);
  let received = have;
  const handle = await openPartial(file.path, partial, have > 0).catch(e => {
    res.destroy();
    throw e;
  });
  // The SHA-256 covers the prefix already in the file (read back once, when
  // resuming) and exactly the bytes written after it.
  const writer = new HashedFileWriter(partial, handle.fd, {
    position: have,
    hashExisting: true,
  });
  let actual: string;
  try {
    try {
      await receive(res, writer, n => {
        received += n;
        onBytes(n);
      });
    } catch (e) {
      res.destroy();
      // Every byte received so far reaches the .part before the error is
      // reported, so the next run continues exactly after them.
      await writer.flush().catch(() => undefined);
      throw new PortalError(
        `download of ${file.path} was interrupted after ${received} of ${
          file.size
        } bytes (${
          (e as Error).message
        }); run the same command again to resume`,
      );
    }
    actual = await writer.digest();
  } finally {
    // The worker has settled every write (flush), so the descriptor is free.
    writer.close();
    await handle.close();
  }
  if (
    actual !== file.sha256 ||
    received !== file.size ||
    (served && served !== etag)
  ) {
    await fs.rm(partial, { force: true });
    throw new PortalError(
      `INTEGRITY FAILURE for ${file.path}: expected sha256 ${file.sha256} (${
        file.size
      } bytes), received sha256 ${actual} (${received} bytes)${
        served ? `, ETag ${served}` : ''
      }; the file was deleted`,
    );
  }
  await fs.rename(partial, target);
  return { resumedFrom: have };
}
