import { createHash, Hash } from 'node:crypto';
import fs, { createWriteStream } from 'node:fs';
import { Readable } from 'node:stream';
import { InputError } from '@backstage/errors';
import { boundedWritev } from '@internal/plugin-model-hub-node/src/transfer';

/** Bytes queued for the file before the body is paused. */
const WRITE_BATCH_BYTES = 4 * 1024 * 1024;

/** Where and how {@link writeHashed} writes. */
export interface HashedWriteTarget {
  /** The file written. */
  file: string;
  /** `wx` for a new file; `r+` to write into an existing one at `start`. */
  flags: 'wx' | 'r+';
  /** Byte offset of the first byte written (with `r+`). */
  start?: number;
  /** Bytes past this many fail the write with `tooLarge(size)`, unwritten. */
  maxBytes: number;
  /** The error for a body larger than `maxBytes`. */
  tooLarge(size: number): Error;
  /** Another hash fed the same bytes, in order (a whole file's running hash). */
  alsoHash?: Hash;
}

/**
 * Streams `body` into a file while hashing and counting it, with
 * back-pressure, and resolves once the data is flushed and the descriptor
 * closed. On any failure (too large, client gone) it rejects after the
 * descriptor is closed, so the caller may delete or overwrite the bytes.
 */
export function writeHashed(
  body: Readable,
  target: HashedWriteTarget,
): Promise<{ sha256: string; size: number }> {
  const { file, maxBytes, alsoHash } = target;
  const hash = createHash('sha256');
  const out = createWriteStream(file, {
    flags: target.flags,
    start: target.start,
    // Socket chunks are ~64 KiB: let them queue while a write is in flight
    // and go out together (writev), not as one system call each, but in
    // calls of at most FILE_WRITE_BYTES (large writes are slow here, see
    // boundedWrites.ts).
    highWaterMark: WRITE_BATCH_BYTES,
    fs: { ...fs, writev: boundedWritev },
  });
  let size = 0;
  return new Promise((resolve, reject) => {
    let settled = false;
    // Assigned below; `fail` detaches it and `onData` may call `fail`.
    let onData: (chunk: Buffer) => void = () => {};
    const fail = (error: Error) => {
      if (settled) return;
      settled = true;
      body.off('data', onData);
      // Wait for the file descriptor to close before the caller deletes it.
      if (out.closed) {
        reject(error);
      } else {
        out.once('close', () => reject(error));
        out.destroy();
      }
    };
    onData = (chunk: Buffer) => {
      size += chunk.length;
      if (size > maxBytes) {
        fail(target.tooLarge(size));
        // Discard the remainder so the client can read our answer.
        body.resume();
        return;
      }
      hash.update(chunk);
      alsoHash?.update(chunk);
      if (!out.write(chunk)) {
        body.pause();
        out.once('drain', () => {
          if (!settled) body.resume();
        });
      }
    };
    body.on('data', onData);
    body.once('end', () => {
      if (!settled) out.end();
    });
    body.once('aborted', () =>
      fail(new InputError('Upload aborted by the client before it completed')),
    );
    body.once('error', error =>
      fail(new InputError(`Upload failed while receiving: ${error.message}`)),
    );
    body.once('close', () => {
      if (!body.readableEnded) {
        fail(
          new InputError('Upload aborted by the client before it completed'),
        );
      }
    });
    out.once('error', error => fail(error));
    // Resolve once the data is flushed and the file descriptor is closed.
    out.once('close', () => {
      if (settled) return;
      if (!out.writableFinished) {
        fail(new Error(`File ${file} closed before it was written`));
        return;
      }
      settled = true;
      resolve({ sha256: hash.digest('hex'), size });
    });
  });
}
