import { Transform } from 'node:stream';
import { feedInto } from './feed';
import { MalformedError } from './report';
import {
  decodeLzma,
  looksLikeLzmaAlone,
  LzmaProperties,
  parseLzmaAloneHeader,
} from './lzma';
import { inflateChunks } from './source';
import { isLz4Head, unlz4Chunks } from './lz4';

/** Compressions the scanner opens, by the magic bytes they start with. */
export type Compression = 'gzip' | 'zlib' | 'bz2' | 'xz' | 'lzma' | 'lz4';

/** Everything {@link decompressChunks} decodes (`deflate` is raw, as in zips). */
export type Decompressor = Compression | 'deflate' | 'zip-lzma';

/** Largest compressed input held in memory for the LZMA decoder. */
export const MAX_LZMA_INPUT = 512 * 1024 * 1024;

/**
 * A decompression-bomb guard: once more than `minSize` bytes came out, the
 * ratio of output to input consumed so far may not pass `maxRatio`.
 */
export interface RatioGuard {
  maxRatio: number;
  minSize: number;
}

/** Thrown when decompressed output outgrows its input (a bomb). */
export class BombError extends MalformedError {
  constructor(message: string, location?: string) {
    super('compression/bomb', message, location);
  }
}

/** Counts the bytes an input iterable has delivered. */
function counted(input: AsyncIterable<Buffer>, counter: { n: number }) {
  return (async function* count() {
    for await (const c of input) {
      counter.n += c.length;
      yield c;
    }
  })();
}

/**
 * Checks `total` output bytes against the limit and the ratio guard.
 * Throws `<prefix>/inflate-limit` or a {@link BombError}.
 */
export function checkOutput(
  total: number,
  consumed: number,
  limit: number,
  guard: RatioGuard | undefined,
  location: string,
  rulePrefix: string,
) {
  if (
    guard &&
    total > guard.minSize &&
    total / Math.max(1, consumed) > guard.maxRatio
  ) {
    throw new BombError(
      `decompressing ${consumed} bytes produced over ${total} bytes (ratio above ${guard.maxRatio}:1); treated as a decompression bomb and not inflated further`,
      location,
    );
  }
  if (total > limit) {
    throw new MalformedError(
      `${rulePrefix}/inflate-limit`,
      `decompressed data exceeds the limit of ${limit} bytes`,
      location,
    );
  }
}

/**
 * Streams `input` through a Node transform stream (a decompressor), with a
 * hard output limit and an optional bomb guard. Corrupt input fails with
 * `<prefix>/bad-<what>`.
 */
export async function* transformChunks(
  input: AsyncIterable<Buffer>,
  transform: Transform | NodeJS.ReadWriteStream,
  limit: number,
  location: string,
  rulePrefix: string,
  what: string,
  guard?: RatioGuard,
): AsyncGenerator<Buffer> {
  const counter = { n: 0 };
  const out = transform as unknown as Transform;
  const pumped = feedInto(counted(input, counter), out);
  let total = 0;
  try {
    const readable: AsyncIterable<Buffer | Uint8Array> =
      Symbol.asyncIterator in out ? out : classicChunks(out);
    for await (const chunk of readable) {
      const buf = Buffer.isBuffer(chunk) ? chunk : Buffer.from(chunk);
      total += buf.length;
      checkOutput(total, counter.n, limit, guard, location, rulePrefix);
      yield buf;
    }
  } catch (e) {
    if (pumped.error) throw pumped.error;
    if (e instanceof MalformedError) throw e;
    throw new MalformedError(
      `${rulePrefix}/bad-${what}`,
      `corrupt ${what} data: ${(e as Error)?.message ?? String(e)}`,
      location,
    );
  } finally {
    pumped.feed.destroy();
    out.destroy();
    await pumped.done.catch(() => undefined);
  }
}

/**
 * Iterates a classic (streams1) stream such as unbzip2-stream's, which has
 * no async iterator, pausing it while the consumer lags behind.
 */
async function* classicChunks(
  stream: NodeJS.ReadableStream,
): AsyncGenerator<Buffer> {
  const queue: Buffer[] = [];
  let ended = false;
  let failure: unknown;
  let wake: (() => void) | undefined;
  stream.on('data', (d: Buffer) => {
    queue.push(d);
    if (queue.length > 16) stream.pause();
    wake?.();
  });
  stream.on('end', () => {
    ended = true;
    wake?.();
  });
  stream.on('error', (e: unknown) => {
    failure = e;
    wake?.();
  });
  const nextEvent = () =>
    new Promise<void>(resolve => {
      wake = resolve;
    });
  for (;;) {
    if (queue.length) {
      yield queue.shift()!;
      if (queue.length < 4) stream.resume();
      continue;
    }
    if (failure) throw failure;
    if (ended) return;
    await nextEvent();
    wake = undefined;
  }
}

/** bzip2 (joblib `compress='bz2'`, zip method 12), pure JS and streaming. */
export function bunzip2Chunks(
  input: AsyncIterable<Buffer>,
  limit: number,
  location: string,
  rulePrefix: string,
  guard?: RatioGuard,
): AsyncGenerator<Buffer> {
  // Loaded on first use: the CLI starts without it.
  // eslint-disable-next-line @typescript-eslint/no-require-imports
  const bz2 = require('unbzip2-stream') as () => NodeJS.ReadWriteStream;
  return transformChunks(
    input,
    bz2(),
    limit,
    location,
    rulePrefix,
    'bzip2',
    guard,
  );
}

/** xz (joblib `compress='xz'`), decoded by xz-embedded compiled to WebAssembly. */
export async function* unxzChunks(
  input: AsyncIterable<Buffer>,
  limit: number,
  location: string,
  rulePrefix: string,
  guard?: RatioGuard,
): AsyncGenerator<Buffer> {
  // eslint-disable-next-line @typescript-eslint/no-require-imports
  const { XzReadableStream } = require('xz-decompress') as {
    XzReadableStream: new (
      s: ReadableStream<Uint8Array>,
    ) => ReadableStream<Uint8Array>;
  };
  const counter = { n: 0 };
  const it = counted(input, counter)[Symbol.asyncIterator]();
  const source = new ReadableStream<Uint8Array>({
    async pull(controller) {
      const r = await it.next();
      if (r.done) controller.close();
      else controller.enqueue(new Uint8Array(r.value));
    },
    async cancel() {
      await it.return?.();
    },
  });
  const reader = new XzReadableStream(source).getReader();
  let total = 0;
  try {
    for (;;) {
      let r: ReadableStreamReadResult<Uint8Array>;
      try {
        r = await reader.read();
      } catch (e) {
        throw new MalformedError(
          `${rulePrefix}/bad-xz`,
          `corrupt xz data: ${(e as Error)?.message ?? String(e)}`,
          location,
        );
      }
      if (r.done) return;
      total += r.value.length;
      checkOutput(total, counter.n, limit, guard, location, rulePrefix);
      yield Buffer.from(r.value.buffer, r.value.byteOffset, r.value.length);
    }
  } finally {
    await reader.cancel().catch(() => undefined);
    await it.return?.().catch(() => undefined);
  }
}

/** Reads a whole (bounded) input into memory, for the LZMA decoder. */
async function collect(
  input: AsyncIterable<Buffer>,
  location: string,
  rulePrefix: string,
): Promise<Buffer> {
  const parts: Buffer[] = [];
  let n = 0;
  for await (const c of input) {
    n += c.length;
    if (n > MAX_LZMA_INPUT) {
      throw new MalformedError(
        `${rulePrefix}/inflate-limit`,
        `LZMA data over ${MAX_LZMA_INPUT} bytes is not decompressed by the scanner`,
        location,
      );
    }
    parts.push(c);
  }
  return Buffer.concat(parts, n);
}

/**
 * Raw LZMA: the `.lzma` "alone" format (joblib `compress='lzma'`), or a zip
 * method-14 entry (`props`, from its 4-byte header, given by the caller).
 */
export async function* unlzmaChunks(
  input: AsyncIterable<Buffer>,
  limit: number,
  location: string,
  rulePrefix: string,
  guard?: RatioGuard,
  zip?: { knownSize?: number },
): AsyncGenerator<Buffer> {
  const data = await collect(input, location, rulePrefix);
  let props: LzmaProperties;
  let start: number;
  try {
    if (zip) {
      // zip method 14: version (2), properties size (2), properties (5)
      if (data.length < 9 || data.readUInt16LE(2) !== 5) {
        throw new MalformedError(
          `${rulePrefix}/bad-lzma`,
          'bad LZMA entry header',
          location,
        );
      }
      props = parseLzmaAloneHeader(
        Buffer.concat([data.subarray(4, 9), Buffer.alloc(8, 0xff)]),
      );
      props.unpackSize = zip.knownSize;
      start = 9;
    } else {
      props = parseLzmaAloneHeader(data);
      start = 13;
    }
  } catch (e) {
    if (e instanceof MalformedError) throw e;
    throw new MalformedError(
      `${rulePrefix}/bad-lzma`,
      `corrupt LZMA header: ${(e as Error).message}`,
      location,
    );
  }
  let total = 0;
  try {
    for (const chunk of decodeLzma(data, start, props)) {
      total += chunk.length;
      checkOutput(total, data.length, limit, guard, location, rulePrefix);
      yield chunk;
    }
  } catch (e) {
    if (e instanceof MalformedError) throw e;
    throw new MalformedError(
      `${rulePrefix}/bad-lzma`,
      `corrupt LZMA data: ${(e as Error)?.message ?? String(e)}`,
      location,
    );
  }
}

/** The compression a stream starts with, by magic bytes. */
export function compressionOf(head: Buffer): Compression | undefined {
  if (
    head.length >= 3 &&
    head[0] === 0x1f &&
    head[1] === 0x8b &&
    head[2] === 8
  ) {
    return 'gzip';
  }
  // zlib with a 32 KiB window (what zlib.compress writes); smaller windows
  // collide with protocol 0 pickles such as "(S'...".
  if (
    head.length >= 2 &&
    head[0] === 0x78 &&
    ((head[0] << 8) | head[1]) % 31 === 0 &&
    (head[1] & 0x20) === 0
  ) {
    return 'zlib';
  }
  if (
    head.length >= 10 &&
    head.toString('latin1', 0, 3) === 'BZh' &&
    head[3] >= 0x31 &&
    head[3] <= 0x39 &&
    (head.readUInt32BE(4) === 0x31415926 || head.readUInt32BE(4) === 0x17724538)
  ) {
    return 'bz2';
  }
  if (
    head.length >= 6 &&
    head.subarray(0, 6).equals(Buffer.from([0xfd, 0x37, 0x7a, 0x58, 0x5a, 0]))
  ) {
    return 'xz';
  }
  if (looksLikeLzmaAlone(head)) return 'lzma';
  if (isLz4Head(head)) return 'lz4';
  return undefined;
}

/** Decompresses a stream of the given compression, bounded and bomb-guarded. */
export function decompressChunks(
  kind: Decompressor,
  input: AsyncIterable<Buffer>,
  limit: number,
  location: string,
  rulePrefix: string,
  guard?: RatioGuard,
  knownSize?: number,
): AsyncGenerator<Buffer> {
  switch (kind) {
    case 'gzip':
    case 'zlib':
    case 'deflate': {
      const meter = { n: 0 };
      return guarded(
        inflateChunks(
          counted(input, meter),
          limit,
          location,
          kind === 'deflate' ? 'raw' : kind,
          rulePrefix,
        ),
        guard,
        location,
        meter,
      );
    }
    case 'bz2':
      return bunzip2Chunks(input, limit, location, rulePrefix, guard);
    case 'xz':
      return unxzChunks(input, limit, location, rulePrefix, guard);
    case 'lz4': {
      const meter = { n: 0 };
      return guarded(
        unlz4Chunks(counted(input, meter), limit, location, rulePrefix),
        guard,
        location,
        meter,
      );
    }
    case 'zip-lzma':
      return unlzmaChunks(input, limit, location, rulePrefix, guard, {
        knownSize,
      });
    default:
      return unlzmaChunks(input, limit, location, rulePrefix, guard);
  }
}

/**
 * Applies a ratio guard to an inflater that knows nothing of it, measuring
 * against the input it consumed so far (`meter`).
 */
async function* guarded(
  out: AsyncGenerator<Buffer>,
  guard: RatioGuard | undefined,
  location: string,
  meter: { n: number },
): AsyncGenerator<Buffer> {
  let total = 0;
  for await (const c of out) {
    total += c.length;
    checkOutput(total, meter.n, Infinity, guard, location, 'compression');
    yield c;
  }
}

/**
 * Passes chunks through and remembers a {@link BombError} on the way, so
 * that a parser which turns stream errors into its own findings cannot
 * hide that the input was a decompression bomb.
 */
export async function* watchForBomb(
  chunks: AsyncIterable<Buffer>,
  seen: { bomb?: BombError },
): AsyncGenerator<Buffer> {
  try {
    yield* chunks;
  } catch (e) {
    if (e instanceof BombError) seen.bomb = e;
    throw e;
  }
}

/**
 * Ends the stream at a decoding failure instead of throwing it, keeping the
 * failure in `seen.failure` (a bomb is still thrown): Python's readers hand
 * out the bytes decoded before a failure (zipfile stops at an entry's
 * declared size), so those bytes are scanned and the failure recorded after.
 */
export async function* endAtFailure(
  chunks: AsyncIterable<Buffer>,
  seen: { failure?: MalformedError },
): AsyncGenerator<Buffer> {
  try {
    yield* chunks;
  } catch (e) {
    if (e instanceof MalformedError && !(e instanceof BombError)) {
      seen.failure = e;
      return;
    }
    throw e;
  }
}
