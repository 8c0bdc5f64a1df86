import { open } from 'node:fs/promises';
import { Readable } from 'node:stream';
import { InputError } from '@backstage/errors';
// Only the transfer module: the package index loads the scanners too.
// eslint-disable-next-line @backstage/no-forbidden-package-imports
import { HashedFileWriter } from '@internal/plugin-model-hub-node/src/transfer';

/**
 * Received bytes of one upload waiting to be written before its body is
 * paused: the hub receives many uploads at once, so less than the CLI's.
 */
const IN_FLIGHT_BYTES = 4 * 1024 * 1024;

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
}

/**
 * Streams `body` into a file while hashing and counting it, with
 * back-pressure, and resolves once every byte is written and the descriptor
 * closed. The bytes are written and hashed on a worker thread
 * ({@link HashedFileWriter}): this thread, which parses every request of the
 * hub, only counts and hands chunks over (hashing 1 GiB here took ~1 s of
 * it). On any failure (too large, client gone, a failed write) it rejects
 * after the pending writes have settled and the descriptor is closed, so the
 * caller may delete or overwrite the bytes.
 */
export async function writeHashed(
  body: Readable,
  target: HashedWriteTarget,
): Promise<{ sha256: string; size: number }> {
  const { file, maxBytes } = target;
  // The body may fail while the file opens: a listener keeps that 'error'
  // from being unhandled, and receive() finds it in `body.errored`.
  const early = (): void => {};
  body.on('error', early);
  const handle = await open(file, target.flags).finally(() =>
    body.off('error', early),
  );
  const writer = new HashedFileWriter(file, handle.fd, {
    position: target.start ?? 0,
    inFlightBytes: IN_FLIGHT_BYTES,
  });
  let size = 0;
  try {
    await receive(body, writer, chunk => {
      size += chunk.length;
      if (size > maxBytes) throw target.tooLarge(size);
    });
    return { sha256: await writer.digest(), size };
  } catch (error) {
    // Writes already handed over finish before the descriptor closes.
    await writer.flush().catch(() => undefined);
    throw error;
  } finally {
    writer.close();
    await handle.close();
  }
}

const failedWhileReceiving = (error: Error) =>
  new InputError(`Upload failed while receiving: ${error.message}`);
const abortedByClient = () =>
  new InputError('Upload aborted by the client before it completed');

/**
 * Hands every chunk of `body` to `writer` after `check` (which throws to
 * stop), pausing the body while the writer is behind. Resolves at the end
 * of the body; rejects when `check` or a write fails (the rest of the body
 * is then read and discarded, so the client can read the answer) or the
 * client goes away first.
 */
function receive(
  body: Readable,
  writer: HashedFileWriter,
  check: (chunk: Buffer) => void,
): Promise<void> {
  return new Promise((resolve, reject) => {
    let settled = false;
    // Assigned below; `fail` detaches it and `onData` may call `fail`.
    let onData: (chunk: Buffer) => void = () => {};
    const fail = (error: Error) => {
      if (settled) return;
      settled = true;
      body.off('data', onData);
      writer.onDrain = () => {};
      reject(error);
    };
    onData = (chunk: Buffer) => {
      try {
        check(chunk);
        if (!writer.write(chunk)) body.pause();
      } catch (error) {
        fail(error as Error);
        // Discard the remainder so the client can read our answer.
        body.resume();
      }
    };
    writer.onDrain = () => {
      if (!settled) body.resume();
    };
    if (body.errored) {
      fail(failedWhileReceiving(body.errored));
      return;
    }
    if (body.destroyed) {
      fail(abortedByClient());
      return;
    }
    body.on('data', onData);
    body.once('end', () => {
      if (settled) return;
      settled = true;
      resolve();
    });
    body.once('aborted', () => fail(abortedByClient()));
    body.once('error', error => fail(failedWhileReceiving(error)));
    body.once('close', () => {
      if (!body.readableEnded) fail(abortedByClient());
    });
  });
}
