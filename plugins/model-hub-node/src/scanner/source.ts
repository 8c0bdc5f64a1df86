import type { FileHandle } from 'node:fs/promises';
import { createGunzip, createInflate, createInflateRaw } from 'node:zlib';
import { feedInto } from './feed';
import { MalformedError } from './report';

/** Random access to a byte range: a file, a slice of one, or a buffer. */
export interface RandomSource {
  readonly size: number;
  /** Reads `length` bytes at `position` (fewer only at the end). */
  read(position: number, length: number): Promise<Buffer>;
}

/** A file opened for positioned reads. */
export class FileSource implements RandomSource {
  constructor(
    private readonly fh: FileHandle,
    readonly size: number,
    /** The file's path, for readers that must open it themselves (HDF5). */
    readonly path?: string,
  ) {}

  async read(position: number, length: number): Promise<Buffer> {
    const len = Math.max(0, Math.min(length, this.size - position));
    const buf = Buffer.allocUnsafe(len);
    let done = 0;
    while (done < len) {
      const { bytesRead } = await this.fh.read(
        buf,
        done,
        len - done,
        position + done,
      );
      if (bytesRead === 0) {
        throw Object.assign(new Error('file shrank while it was scanned'), {
          code: 'EIO',
          syscall: 'read',
        });
      }
      done += bytesRead;
    }
    return buf;
  }
}

/** Bytes held in memory. */
export class BufferSource implements RandomSource {
  constructor(private readonly buf: Buffer) {}

  get size() {
    return this.buf.length;
  }

  async read(position: number, length: number): Promise<Buffer> {
    return this.buf.subarray(
      position,
      Math.min(this.buf.length, position + length),
    );
  }
}

/** A window `[offset, offset + size)` of another source. */
export class SliceSource implements RandomSource {
  constructor(
    private readonly parent: RandomSource,
    private readonly offset: number,
    readonly size: number,
  ) {}

  read(position: number, length: number): Promise<Buffer> {
    const len = Math.max(0, Math.min(length, this.size - position));
    return this.parent.read(this.offset + position, len);
  }
}

/** Yields `[start, start + length)` of a source in chunks of `chunkSize`. */
export async function* readChunks(
  src: RandomSource,
  start: number,
  length: number,
  chunkSize = 1 << 20,
): AsyncGenerator<Buffer> {
  const end = Math.min(src.size, start + length);
  for (let pos = start; pos < end; ) {
    const chunk = await src.read(pos, Math.min(chunkSize, end - pos));
    if (chunk.length === 0) return;
    pos += chunk.length;
    yield chunk;
  }
}

/**
 * Inflates a deflate stream (raw as in zips, zlib- or gzip-wrapped), failing
 * with `<prefix>/inflate-limit` once more than `limit` bytes come out and
 * with `<prefix>/bad-deflate` on corrupt input.
 */
export async function* inflateChunks(
  input: AsyncIterable<Buffer>,
  limit: number,
  location: string,
  wrapping: 'raw' | 'zlib' | 'gzip' = 'raw',
  rulePrefix = 'zip',
): AsyncGenerator<Buffer> {
  const options = { chunkSize: 256 * 1024 };
  let inflate;
  if (wrapping === 'gzip') inflate = createGunzip(options);
  else if (wrapping === 'zlib') inflate = createInflate(options);
  else inflate = createInflateRaw(options);
  const pumped = feedInto(input, inflate);
  let total = 0;
  try {
    for await (const out of inflate as AsyncIterable<Buffer>) {
      total += out.length;
      if (total > limit) {
        throw new MalformedError(
          `${rulePrefix}/inflate-limit`,
          `inflated data exceeds the limit of ${limit} bytes`,
          location,
        );
      }
      yield out;
    }
  } catch (e) {
    if (pumped.error) throw pumped.error;
    if (e instanceof MalformedError) throw e;
    throw new MalformedError(
      `${rulePrefix}/bad-deflate`,
      `corrupt deflate data: ${(e as Error).message}`,
      location,
    );
  } finally {
    pumped.feed.destroy();
    inflate.destroy();
    await pumped.done.catch(() => undefined);
  }
}

/**
 * A forward-only reader over a stream of chunks that keeps a small window,
 * so parsers can read opcodes and skip large payloads without buffering
 * the whole stream.
 */
export class Cursor {
  buf: Buffer = Buffer.alloc(0);
  pos = 0;
  /** Absolute offset of `buf[0]` in the stream. */
  base = 0;
  private done = false;
  private readonly it: AsyncIterator<Buffer>;

  constructor(chunks: AsyncIterable<Buffer>) {
    this.it = chunks[Symbol.asyncIterator]();
  }

  /** Absolute offset of the next unread byte. */
  get offset() {
    return this.base + this.pos;
  }

  /** Bytes available without reading more. */
  get avail() {
    return this.buf.length - this.pos;
  }

  /** Ensures `n` bytes are buffered; false if the stream ends first. */
  async fill(n: number): Promise<boolean> {
    if (this.buf.length - this.pos >= n) return true;
    const parts: Buffer[] = [this.buf.subarray(this.pos)];
    let have = parts[0].length;
    while (have < n && !this.done) {
      const r = await this.it.next();
      if (r.done) {
        this.done = true;
        break;
      }
      parts.push(r.value);
      have += r.value.length;
    }
    this.base += this.pos;
    this.pos = 0;
    this.buf = parts.length === 1 ? parts[0] : Buffer.concat(parts, have);
    return have >= n;
  }

  /** True when no byte is left. */
  async atEnd(): Promise<boolean> {
    return !(await this.fill(1));
  }

  /** Skips `n` bytes, streaming through them; false if the stream ends. */
  async skip(n: number): Promise<boolean> {
    let left = n;
    while (left > 0) {
      const a = this.buf.length - this.pos;
      if (a >= left) {
        this.pos += left;
        return true;
      }
      left -= a;
      this.base += this.buf.length;
      this.buf = Buffer.alloc(0);
      this.pos = 0;
      if (this.done) return false;
      const r = await this.it.next();
      if (r.done) {
        this.done = true;
        return false;
      }
      this.buf = r.value;
    }
    return true;
  }

  /** Drains the rest of the stream; returns how many bytes were left. */
  async drain(): Promise<number> {
    let n = this.buf.length - this.pos;
    this.base += this.buf.length;
    this.buf = Buffer.alloc(0);
    this.pos = 0;
    while (!this.done) {
      const r = await this.it.next();
      if (r.done) this.done = true;
      else {
        n += r.value.length;
        this.base += r.value.length;
      }
    }
    return n;
  }

  /** Stops the underlying iterator (releases inflaters etc.). */
  async close(): Promise<void> {
    if (!this.done) {
      this.done = true;
      await this.it.return?.();
    }
  }
}
