import { randomUUID } from 'node:crypto';
import { createWriteStream, promises as fs } from 'node:fs';
import type { WriteStream } from 'node:fs';
import { once } from 'node:events';
// The API module alone: the package index loads @backstage/catalog-model,
// ~0.2–0.5 s of every CLI start.
// eslint-disable-next-line @backstage/no-forbidden-package-imports
import { MODEL_HUB_DIRECT_DOWNLOAD_HEADER } from '@internal/plugin-model-hub-common/src/api/types';
// eslint-disable-next-line @backstage/no-forbidden-package-imports
import {
  getPresigned,
  HashWorker,
} from '@internal/plugin-model-hub-node/src/transfer';
import { PortalClient, PortalError } from './portal';

/** What {@link downloadVerified} needs to know about the file. */
export interface ExpectedFile {
  path: string;
  sha256: string;
  size: number;
}

/** Hashes file bytes, in order, on a worker thread as they reach the file. */
class FileHasher {
  /** Feeds are sent in batches of at least this many bytes. */
  static readonly BATCH = 16 * 1024 * 1024;
  readonly #worker = new HashWorker();
  readonly #key = randomUUID();
  #fed = 0;
  #last: Promise<void> = Promise.resolve();

  constructor(private readonly file: string) {}

  /** Bytes `0..end-1` are written: hash them once a batch has gathered. */
  flushedTo(end: number, force = false): void {
    if (end <= this.#fed || (!force && end - this.#fed < FileHasher.BATCH)) {
      return;
    }
    const start = this.#fed;
    this.#fed = end;
    // Requests run in the order sent; the first failure is kept.
    const feed = this.#worker.feed(this.#key, this.file, start, end - 1);
    this.#last = this.#last.then(() => feed);
    // Awaited by digest(); after close() nobody asks.
    this.#last.catch(() => undefined);
  }

  /** The SHA-256 (hex) of bytes `0..size-1`, once all are written. */
  async digest(size: number): Promise<string> {
    try {
      this.flushedTo(size, true);
      await this.#last;
      return await this.#worker.digest(this.#key);
    } finally {
      this.close();
    }
  }

  close(): void {
    this.#worker.close().catch(() => undefined);
  }
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
  let have = await fs
    .stat(partial)
    .then(s => (s.isFile() && s.size <= file.size ? s.size : 0))
    .catch(() => 0);
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
  // SHA-256 costs more CPU than receiving and writing the bytes: a worker
  // thread hashes what is already on disk (read back from the page cache,
  // in order, so the hash covers exactly the bytes that will be renamed)
  // while this thread receives and writes the rest.
  const hasher = new FileHasher(partial);
  hasher.flushedTo(have);
  onBytes(have);
  let received = have;
  const out = createWriteStream(partial, {
    flags: have > 0 ? 'a' : 'w',
    // Socket chunks are ~64 KiB: batch them into large writes (writev)
    // instead of one system call each.
    highWaterMark: 4 * 1024 * 1024,
  });
  // A write error (disk full) fails the download, also between chunks.
  let writeError: Error | undefined;
  out.on('error', e => {
    writeError = e;
  });
  try {
    for await (const chunk of res as AsyncIterable<Buffer>) {
      received += chunk.length;
      const end = received;
      onBytes(chunk.length);
      const more = out.write(chunk, e => {
        if (!e) hasher.flushedTo(end);
      });
      if (!more) await waitForDrain(out);
      if (writeError) throw writeError;
    }
  } catch (e) {
    res.destroy();
    hasher.close();
    // Every byte received so far reaches the .part before the error is
    // reported (destroying the stream would drop its pending writes), so
    // the next run continues exactly after them.
    await closeFile(out).catch(() => undefined);
    throw new PortalError(
      `download of ${file.path} was interrupted after ${received} of ${
        file.size
      } bytes (${(e as Error).message}); run the same command again to resume`,
    );
  }
  try {
    await closeFile(out);
    if (writeError) throw writeError;
  } catch (e) {
    hasher.close();
    throw e;
  }
  const actual = await hasher.digest(received);
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

function waitForDrain(out: WriteStream): Promise<void> {
  return new Promise((resolve, reject) => {
    const done = (e?: Error) => {
      out.off('drain', done);
      out.off('error', done);
      out.off('close', done);
      if (e) reject(e);
      else resolve();
    };
    // 'close' without 'drain': the stream failed; the caller sees why.
    out.on('drain', done);
    out.on('error', done);
    out.on('close', done);
  });
}

/** Ends the stream and waits until its pending writes are on disk and the file is closed. */
async function closeFile(out: WriteStream): Promise<void> {
  if (out.closed) return;
  const closed = once(out, 'close');
  out.end();
  await closed;
}
