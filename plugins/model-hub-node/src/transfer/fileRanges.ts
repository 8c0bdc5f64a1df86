import { createHash, Hash } from 'node:crypto';
import { FileHandle, open } from 'node:fs/promises';
import { Readable, Writable } from 'node:stream';
import { allocReadBuffer } from './readBuffer';

/** Read size for hashing and sending: big enough to hash near OpenSSL speed. */
export const TRANSFER_CHUNK_BYTES = 4 * 1024 * 1024;

/** See {@link fileRangeStream}. */
export class FileRangeStream extends Readable {
  readonly #file: string;
  readonly #end: number;
  readonly #onBytes?: (n: number) => void;
  #position: number;
  #handle?: Promise<FileHandle>;

  constructor(
    file: string,
    start: number,
    end: number,
    onBytes?: (n: number) => void,
  ) {
    super({ highWaterMark: TRANSFER_CHUNK_BYTES });
    this.#file = file;
    this.#position = start;
    this.#end = end;
    this.#onBytes = onBytes;
  }

  _read(): void {
    const length = Math.min(
      TRANSFER_CHUNK_BYTES,
      this.#end + 1 - this.#position,
    );
    if (length <= 0) {
      this.push(null);
      return;
    }
    this.#readChunk(allocReadBuffer(length)).then(
      chunk => {
        this.#onBytes?.(chunk.length);
        this.push(chunk);
      },
      error => this.destroy(error),
    );
  }

  _destroy(error: Error | null, callback: (e?: Error | null) => void): void {
    this.#close().then(
      () => callback(error),
      () => callback(error),
    );
  }

  /**
   * Writes the remaining bytes to `dest` and ends it, reading into two
   * buffers that are reused once `dest` reports each write done (a fresh
   * 4 MiB buffer per chunk cost about as much in page faults and garbage
   * collection as sending it). At most two chunks are in flight, so `dest`'s
   * back-pressure holds. Resolves once every byte is handed over; rejects
   * when the file cannot be read or `dest` closes first. `onHandedOver`
   * hears of each chunk as it is written to `dest`.
   */
  async writeTo(
    dest: Writable,
    onHandedOver?: (n: number) => void,
  ): Promise<void> {
    let isClosed = false;
    let closed: () => void = () => {};
    const whenClosed = new Promise<'closed'>(resolve => {
      closed = () => {
        isClosed = true;
        resolve('closed');
      };
    });
    dest.once('close', closed);
    try {
      const size = Math.min(
        TRANSFER_CHUNK_BYTES,
        Math.max(0, this.#end + 1 - this.#position),
      );
      const buffers = [allocReadBuffer(size), allocReadBuffer(size)];
      const writes: Array<Promise<unknown>> = [
        Promise.resolve(),
        Promise.resolve(),
      ];
      for (let turn = 0; this.#position <= this.#end; turn ^= 1) {
        // The buffer is free once its last write is done.
        await Promise.race([writes[turn], whenClosed]);
        if (isClosed) {
          throw new Error('the request closed before the file was sent');
        }
        const chunk = await this.#readChunk(buffers[turn]);
        writes[turn] = new Promise<void>((resolve, reject) =>
          dest.write(chunk, e => (e ? reject(e) : resolve())),
        );
        // A failed write also closes dest; the race above reports it.
        writes[turn].catch(() => undefined);
        this.#onBytes?.(chunk.length);
        onHandedOver?.(chunk.length);
      }
      await Promise.race([Promise.all(writes), whenClosed]);
      if (isClosed) {
        throw new Error('the request closed before the file was sent');
      }
      dest.end();
    } finally {
      dest.off('close', closed);
      await this.#close();
    }
  }

  /** Reads the next bytes into `buffer` (as many as fit and remain). */
  async #readChunk(buffer: Buffer): Promise<Buffer> {
    this.#handle ??= open(this.#file, 'r');
    const handle = await this.#handle;
    const length = Math.min(buffer.length, this.#end + 1 - this.#position);
    const { bytesRead } = await handle.read(buffer, 0, length, this.#position);
    if (bytesRead === 0) {
      throw new Error(
        `${this.#file} ended at byte ${this.#position}, before ${
          this.#end + 1
        }`,
      );
    }
    this.#position += bytesRead;
    return buffer.subarray(0, bytesRead);
  }

  async #close(): Promise<void> {
    const handle = this.#handle;
    this.#handle = undefined;
    if (handle) await (await handle.catch(() => undefined))?.close();
  }
}

/**
 * Bytes `start..end` (inclusive) of a file as a stream that reads only as
 * fast as its consumer takes them, reporting each chunk as it is taken.
 * Read as a plain stream, each chunk is a new buffer (a consumer may keep
 * it); {@link streamingRequest} sends it with {@link FileRangeStream.writeTo}
 * instead, through two reused buffers.
 */
export function fileRangeStream(
  file: string,
  start: number,
  end: number,
  onBytes?: (n: number) => void,
): FileRangeStream {
  return new FileRangeStream(file, start, end, onBytes);
}

/**
 * SHA-256 (hex) of bytes `start..end` (inclusive) of a file.
 */
export async function sha256OfRange(
  file: string,
  start: number,
  end: number,
  onBytes?: (n: number) => void,
): Promise<string> {
  const hash = createHash('sha256');
  await hashRange(hash, file, start, end, onBytes);
  return hash.digest('hex');
}

/**
 * Feeds bytes `start..end` (inclusive) of a file into `hash`. Two buffers
 * are reused for the whole range, the next read running while the last is
 * hashed: no garbage per chunk (a fresh 4 MiB buffer per chunk cost as much
 * time in the collector as the hashing itself).
 */
async function hashRange(
  hash: Hash,
  file: string,
  start: number,
  end: number,
  onBytes?: (n: number) => void,
): Promise<void> {
  if (end < start) return;
  const handle = await open(file, 'r');
  try {
    const buffers = [0, 1].map(() =>
      allocReadBuffer(Math.min(TRANSFER_CHUNK_BYTES, end - start + 1)),
    );
    const readAt = (position: number, buffer: Buffer) =>
      handle.read(
        buffer,
        0,
        Math.min(buffer.length, end + 1 - position),
        position,
      );
    let position = start;
    let pending = readAt(position, buffers[0]);
    for (let turn = 0; position <= end; turn ^= 1) {
      const { bytesRead } = await pending;
      if (bytesRead === 0) {
        throw new Error(`${file} ended at byte ${position}, before ${end + 1}`);
      }
      position += bytesRead;
      if (position <= end) pending = readAt(position, buffers[turn ^ 1]);
      hash.update(buffers[turn].subarray(0, bytesRead));
      onBytes?.(bytesRead);
    }
  } finally {
    await handle.close();
  }
}
