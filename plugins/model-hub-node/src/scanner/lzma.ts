/**
 * A raw LZMA decoder (after Igor Pavlov's public-domain LzmaSpec.cpp), for
 * the `.lzma` "alone" format joblib writes and zip method 14. It is a
 * synchronous generator over an in-memory input that yields the output in
 * chunks, so memory stays at the dictionary plus one chunk however large
 * the output is. Throws plain `Error`s on corrupt data.
 */

/** The coder properties of an LZMA stream. */
export interface LzmaProperties {
  lc: number;
  lp: number;
  pb: number;
  dictSize: number;
  /** Decompressed size, or undefined when the stream ends with a marker. */
  unpackSize?: number;
}

/** Largest dictionary the scanner allocates (xz -9 uses 64 MiB). */
export const MAX_LZMA_DICTIONARY = 256 * 1024 * 1024;
const OUT_CHUNK = 1 << 20;

/** Parses the 13-byte header of the `.lzma` alone format. */
export function parseLzmaAloneHeader(h: Buffer): LzmaProperties {
  if (h.length < 13) throw new Error('LZMA header is truncated');
  let d = h[0];
  if (d >= 9 * 5 * 5) throw new Error('bad LZMA properties byte');
  const lc = d % 9;
  d = (d - lc) / 9;
  const lp = d % 5;
  const pb = (d - lp) / 5;
  const dictSize = h.readUInt32LE(1);
  const lo = h.readUInt32LE(5);
  const hi = h.readUInt32LE(9);
  let unpackSize: number | undefined;
  if (lo === 0xffffffff && hi === 0xffffffff) unpackSize = undefined;
  else if (hi >= 0x200000) throw new Error('LZMA size is implausible');
  else unpackSize = hi * 0x100000000 + lo;
  return { lc, lp, pb, dictSize, unpackSize };
}

/** Whether the first bytes look like an `.lzma` alone header (joblib's). */
export function looksLikeLzmaAlone(head: Buffer): boolean {
  if (head.length < 14 || head[0] >= 225) return false;
  const dict = head.readUInt32LE(1);
  // liblzma writes a power of two or 2^n + 2^(n-1) dictionary, and the
  // range coder's first byte is always 0.
  const pow2 = dict > 0 && (dict & (dict - 1)) === 0;
  const pow2x3 = dict % 3 === 0 && ((dict / 3) & (dict / 3 - 1)) === 0;
  return (pow2 || pow2x3) && dict >= 4096 && head[13] === 0;
}

/** Decodes an LZMA stream starting at `start` of `input`. */
export function* decodeLzma(
  input: Buffer,
  start: number,
  props: LzmaProperties,
): Generator<Buffer> {
  const { lc, lp, pb } = props;
  if (lc > 8 || lp > 4 || pb > 4) throw new Error('bad LZMA properties');
  let remaining = props.unpackSize ?? -1;
  const sized = props.unpackSize !== undefined;
  let dictSize = Math.max(props.dictSize, 4096);
  if (sized) dictSize = Math.min(dictSize, Math.max(remaining, 4096));
  if (dictSize > MAX_LZMA_DICTIONARY) {
    throw new Error(
      `an LZMA dictionary of ${props.dictSize} bytes is larger than the scanner allows`,
    );
  }

  // ---- output window
  const win = Buffer.alloc(dictSize);
  let pos = 0;
  let full = false;
  let flushed = 0;
  let totalPos = 0;
  const pending: Buffer[] = [];
  let pendingBytes = 0;
  const flushTo = (end: number) => {
    if (end > flushed) {
      pending.push(Buffer.from(win.subarray(flushed, end)));
      pendingBytes += end - flushed;
    }
    flushed = end;
  };
  const putByte = (b: number) => {
    totalPos++;
    win[pos++] = b;
    if (pos === dictSize) {
      flushTo(pos);
      pos = 0;
      flushed = 0;
      full = true;
    }
  };
  const getByte = (dist: number) =>
    win[dist <= pos ? pos - dist : dictSize - dist + pos];

  // ---- range decoder
  let inPos = start;
  const nextByte = () => {
    if (inPos >= input.length) throw new Error('LZMA data is truncated');
    return input[inPos++];
  };
  if (nextByte() !== 0) throw new Error('bad LZMA range coder start');
  let range = 0xffffffff;
  let code = 0;
  for (let i = 0; i < 4; i++) code = code * 256 + nextByte();
  if (code === range) throw new Error('bad LZMA range coder start');
  const bit = (probs: Uint16Array, i: number): number => {
    const v = probs[i];
    const bound = (range >>> 11) * v;
    let b: number;
    if (code < bound) {
      probs[i] = v + ((2048 - v) >>> 5);
      range = bound;
      b = 0;
    } else {
      probs[i] = v - (v >>> 5);
      code -= bound;
      range -= bound;
      b = 1;
    }
    if (range < 0x1000000) {
      range *= 256;
      code = code * 256 + nextByte();
    }
    return b;
  };
  const directBits = (n: number): number => {
    let res = 0;
    for (let i = 0; i < n; i++) {
      range = Math.floor(range / 2);
      let b = 0;
      if (code >= range) {
        code -= range;
        b = 1;
      }
      res = res * 2 + b;
      if (range < 0x1000000) {
        range *= 256;
        code = code * 256 + nextByte();
      }
    }
    return res;
  };
  const tree = (probs: Uint16Array, base: number, numBits: number) => {
    let m = 1;
    for (let i = 0; i < numBits; i++) m = (m << 1) + bit(probs, base + m);
    return m - (1 << numBits);
  };
  const reverseTree = (probs: Uint16Array, base: number, numBits: number) => {
    let m = 1;
    let sym = 0;
    for (let i = 0; i < numBits; i++) {
      const b = bit(probs, base + m);
      m = (m << 1) + b;
      sym |= b << i;
    }
    return sym;
  };
  const probs = (n: number) => new Uint16Array(n).fill(1024);

  // ---- models
  const literal = probs(0x300 << (lc + lp));
  const isMatch = probs(12 << 4);
  const isRep = probs(12);
  const isRepG0 = probs(12);
  const isRepG1 = probs(12);
  const isRepG2 = probs(12);
  const isRep0Long = probs(12 << 4);
  const posSlot = probs(4 << 6);
  const posDecoders = probs(1 + 114);
  const align = probs(16);
  const lenModel = () => ({
    choice: probs(2),
    low: probs(16 << 3),
    mid: probs(16 << 3),
    high: probs(256),
  });
  const lenDec = lenModel();
  const repLenDec = lenModel();
  const decodeLen = (m: ReturnType<typeof lenModel>, posState: number) => {
    if (bit(m.choice, 0) === 0) return tree(m.low, posState << 3, 3);
    if (bit(m.choice, 1) === 0) return 8 + tree(m.mid, posState << 3, 3);
    return 16 + tree(m.high, 0, 8);
  };
  const decodeDistance = (len: number) => {
    const lenState = Math.min(len, 3);
    const slot = tree(posSlot, lenState << 6, 6);
    if (slot < 4) return slot;
    const numDirect = (slot >>> 1) - 1;
    let dist = (2 | (slot & 1)) * 2 ** numDirect;
    if (slot < 14) {
      dist += reverseTree(posDecoders, dist - slot, numDirect);
    } else {
      dist += directBits(numDirect - 4) * 16;
      dist += reverseTree(align, 0, 4);
    }
    return dist;
  };

  let state = 0;
  let rep0 = 0;
  let rep1 = 0;
  let rep2 = 0;
  let rep3 = 0;
  const pbMask = (1 << pb) - 1;
  const lpMask = (1 << lp) - 1;
  for (;;) {
    if (pos - flushed >= OUT_CHUNK) flushTo(pos);
    if (pendingBytes >= OUT_CHUNK) {
      yield* pending.splice(0);
      pendingBytes = 0;
    }
    if (sized && remaining === 0) break;
    const posState = totalPos & pbMask;
    if (bit(isMatch, (state << 4) + posState) === 0) {
      const prev = full || pos > 0 ? getByte(1) : 0;
      const base = 0x300 * (((totalPos & lpMask) << lc) + (prev >>> (8 - lc)));
      let sym = 1;
      if (state >= 7) {
        let matchByte = getByte(rep0 + 1);
        do {
          const matchBit = (matchByte >>> 7) & 1;
          matchByte <<= 1;
          const b = bit(literal, base + ((1 + matchBit) << 8) + sym);
          sym = (sym << 1) | b;
          if (matchBit !== b) break;
        } while (sym < 0x100);
      }
      while (sym < 0x100) sym = (sym << 1) | bit(literal, base + sym);
      putByte(sym - 0x100);
      if (state < 4) state = 0;
      else if (state < 10) state -= 3;
      else state -= 6;
      remaining--;
      continue;
    }
    let len: number;
    if (bit(isRep, state) !== 0) {
      if (!full && pos === 0) throw new Error('LZMA match before any data');
      if (bit(isRepG0, state) === 0) {
        if (bit(isRep0Long, (state << 4) + posState) === 0) {
          state = state < 7 ? 9 : 11;
          putByte(getByte(rep0 + 1));
          remaining--;
          continue;
        }
      } else {
        let dist: number;
        if (bit(isRepG1, state) === 0) dist = rep1;
        else {
          if (bit(isRepG2, state) === 0) dist = rep2;
          else {
            dist = rep3;
            rep3 = rep2;
          }
          rep2 = rep1;
        }
        rep1 = rep0;
        rep0 = dist;
      }
      len = decodeLen(repLenDec, posState);
      state = state < 7 ? 8 : 11;
    } else {
      rep3 = rep2;
      rep2 = rep1;
      rep1 = rep0;
      len = decodeLen(lenDec, posState);
      state = state < 7 ? 7 : 10;
      rep0 = decodeDistance(len);
      if (rep0 === 0xffffffff) break; // end marker
      if (rep0 >= dictSize || !(full || rep0 < pos)) {
        throw new Error('LZMA match distance points before the data');
      }
    }
    len += 2;
    if (sized && len > remaining) {
      throw new Error('LZMA data runs past its declared size');
    }
    for (let i = 0; i < len; i++) putByte(getByte(rep0 + 1));
    remaining -= len;
  }
  flushTo(pos);
  yield* pending.splice(0);
}
