import { MalformedError } from './report';
import { Cursor } from './source';

/*
 * LZ4 frames (https://github.com/lz4/lz4/blob/dev/doc/lz4_Frame_format.md),
 * what joblib writes with compress='lz4' and reads back by this magic.
 * Checksums are not verified: the scanner reads what the loader would,
 * and more.
 */

/** The LZ4 frame magic number, little-endian on disk (04 22 4d 18). */
export const LZ4_MAGIC = 0x184d2204;

/** Matches reach at most this far back (into earlier blocks of a linked frame). */
const WINDOW = 64 * 1024;

/** Block maximum sizes by the BD byte's size code (4 to 7). */
const BLOCK_SIZES = [0, 0, 0, 0, 64 << 10, 256 << 10, 1 << 20, 4 << 20];

/** Whether the bytes start an LZ4 frame. */
export function isLz4Head(head: Buffer): boolean {
  return head.length >= 4 && head.readUInt32LE(0) === LZ4_MAGIC;
}

/**
 * Decompresses LZ4 frames, one after another as `lz4.frame.open` reads
 * them (skippable frames skipped, data after the last frame ignored).
 * Fails with `<prefix>/bad-lz4` or `<prefix>/inflate-limit`.
 */
export async function* unlz4Chunks(
  input: AsyncIterable<Buffer>,
  limit: number,
  location: string,
  rulePrefix: string,
): AsyncGenerator<Buffer> {
  const bad = (why: string): never => {
    throw new MalformedError(
      `${rulePrefix}/bad-lz4`,
      `corrupt lz4 data: ${why}`,
      location,
    );
  };
  const cur = new Cursor(input);
  let total = 0;
  let frames = 0;
  try {
    for (;;) {
      if (!(await cur.fill(4))) {
        if (frames > 0) return;
        bad('truncated frame header');
      }
      const magic = cur.buf.readUInt32LE(cur.pos);
      if (magic >= 0x184d2a50 && magic <= 0x184d2a5f) {
        if (!(await cur.fill(8))) bad('truncated skippable frame');
        const size = cur.buf.readUInt32LE(cur.pos + 4);
        cur.pos += 8;
        if (!(await cur.skip(size))) bad('truncated skippable frame');
        frames++;
        continue;
      }
      // lz4.frame ends the stream at data that is no frame, once one was read.
      if (magic !== LZ4_MAGIC) {
        if (frames > 0) return;
        bad('not an lz4 frame');
      }
      if (!(await cur.fill(7))) bad('truncated frame header');
      const flg = cur.buf[cur.pos + 4];
      const bd = cur.buf[cur.pos + 5];
      if (flg >> 6 !== 1) bad(`unsupported frame version ${flg >> 6}`);
      const maxBlock = BLOCK_SIZES[(bd >> 4) & 7];
      if (!maxBlock) bad('invalid block maximum size');
      const linked = (flg & 0x20) === 0;
      const blockChecksum = (flg & 0x10) !== 0;
      const headerLength =
        4 + 2 + (flg & 0x08 ? 8 : 0) + (flg & 0x01 ? 4 : 0) + 1;
      if (!(await cur.fill(headerLength))) bad('truncated frame header');
      cur.pos += headerLength;
      let history = Buffer.alloc(0);
      for (;;) {
        if (!(await cur.fill(4))) bad('truncated block');
        const word = cur.buf.readUInt32LE(cur.pos);
        cur.pos += 4;
        if (word === 0) break;
        const size = word & 0x7fffffff;
        if (size > maxBlock) bad('block larger than the frame allows');
        if (!(await cur.fill(size))) bad('truncated block');
        const data = cur.buf.subarray(cur.pos, cur.pos + size);
        const out =
          word & 0x80000000
            ? Buffer.from(data)
            : decodeBlock(data, linked ? history : undefined, maxBlock, bad);
        cur.pos += size;
        if (blockChecksum && !(await cur.skip(4))) bad('truncated block');
        total += out.length;
        if (total > limit) {
          throw new MalformedError(
            `${rulePrefix}/inflate-limit`,
            `decompressed data exceeds the limit of ${limit} bytes`,
            location,
          );
        }
        if (linked) {
          const joined = Buffer.concat([history, out]);
          history = joined.subarray(Math.max(0, joined.length - WINDOW));
        }
        if (out.length > 0) yield out;
      }
      if (flg & 0x04 && !(await cur.skip(4))) bad('truncated frame checksum');
      frames++;
    }
  } finally {
    await cur.close();
  }
}

/**
 * Decodes one LZ4 block: sequences of literals and matches, a match copying
 * from up to 64 KiB back (into `history`, the previous blocks' output, in
 * a linked frame). Output past `maxOut` bytes is corrupt.
 */
function decodeBlock(
  src: Buffer,
  history: Buffer | undefined,
  maxOut: number,
  bad: (why: string) => never,
): Buffer {
  const start = history?.length ?? 0;
  const out = Buffer.allocUnsafe(start + maxOut);
  history?.copy(out, 0);
  let op = start;
  let ip = 0;
  const length = (initial: number) => {
    let n = initial;
    if (n === 15) {
      let b: number;
      do {
        if (ip >= src.length) bad('truncated sequence length');
        b = src[ip++];
        n += b;
      } while (b === 255);
    }
    return n;
  };
  while (ip < src.length) {
    const token = src[ip++];
    const literals = length(token >> 4);
    if (ip + literals > src.length) bad('literals run past the block');
    if (op + literals > out.length) bad('block output too large');
    src.copy(out, op, ip, ip + literals);
    ip += literals;
    op += literals;
    if (ip === src.length) break; // the last sequence has no match
    if (ip + 2 > src.length) bad('truncated match offset');
    const offset = src[ip] | (src[ip + 1] << 8);
    ip += 2;
    if (offset === 0 || offset > op) bad('match before the start of the data');
    const matchLength = length(token & 15) + 4;
    if (op + matchLength > out.length) bad('block output too large');
    let from = op - offset;
    if (offset >= matchLength) {
      out.copy(out, op, from, from + matchLength);
      op += matchLength;
    } else {
      for (let k = 0; k < matchLength; k++) out[op++] = out[from++];
    }
  }
  return out.subarray(start, op);
}
