import { MalformedError, ScanReport } from './report';
import { RandomSource, readChunks } from './source';
import { decompressChunks, Decompressor } from './decompress';

/** Zip compression methods the scanner reads: deflate, bzip2, LZMA. */
const ZIP_METHODS: Record<number, Decompressor> = {
  8: 'deflate',
  12: 'bz2',
  14: 'zip-lzma',
};

/** One central-directory entry of a zip archive. */
export interface ZipEntry {
  name: string;
  flags: number;
  method: number;
  compressedSize: number;
  uncompressedSize: number;
  localHeaderOffset: number;
}

/** Limits applied while reading an archive. */
export const ZIP_LIMITS = {
  maxEntries: 200_000,
  maxCentralDirectory: 64 * 1024 * 1024,
  /** Ratio above which a large entry counts as a zip bomb. */
  maxRatio: 100,
  /** Entries whose declared size is below this are never called bombs. */
  bombMinSize: 16 * 1024 * 1024,
  /** How deep zips may nest inside zips. */
  maxDepth: 3,
};

/** The bomb guard applied while any container member is decompressed. */
export const BOMB_GUARD = {
  maxRatio: ZIP_LIMITS.maxRatio,
  minSize: ZIP_LIMITS.bombMinSize,
};

const EOCD_SIG = 0x06054b50;
const ZIP64_LOCATOR_SIG = 0x07064b50;
const ZIP64_EOCD_SIG = 0x06064b50;
const CDH_SIG = 0x02014b50;
const LFH_SIG = 0x04034b50;
const MAX_U32 = 0xffffffff;

function u64(b: Buffer, p: number, what: string, location: string): number {
  const lo = b.readUInt32LE(p);
  const hi = b.readUInt32LE(p + 4);
  if (hi >= 0x200000) {
    throw new MalformedError(
      'zip/malformed',
      `${what} is beyond 2^53`,
      location,
    );
  }
  return hi * 0x100000000 + lo;
}

/** Whether the source ends with a zip end-of-central-directory record. */
export async function hasZipTrailer(src: RandomSource): Promise<boolean> {
  if (src.size < 22) return false;
  const tailLen = Math.min(src.size, 22 + 0xffff);
  const tail = await src.read(src.size - tailLen, tailLen);
  return findEocd(tail) >= 0;
}

function findEocd(tail: Buffer): number {
  for (let i = tail.length - 22; i >= 0; i--) {
    if (tail.readUInt32LE(i) === EOCD_SIG) {
      const commentLen = tail.readUInt16LE(i + 20);
      if (i + 22 + commentLen <= tail.length) return i;
    }
  }
  return -1;
}

/**
 * Reads the central directory with positioned reads (ZIP64 included) and
 * checks every entry name. Throws `MalformedError` when the archive
 * structure is broken.
 */
export async function readCentralDirectory(
  src: RandomSource,
  report: ScanReport,
  location: string,
): Promise<ZipEntry[]> {
  const loc = (s: string) => (location ? `${location}!${s}` : s);
  if (src.size < 22) {
    throw new MalformedError(
      'zip/malformed',
      'too small to be a zip archive',
      location,
    );
  }
  const tailLen = Math.min(src.size, 22 + 0xffff);
  const tailStart = src.size - tailLen;
  const tail = await src.read(tailStart, tailLen);
  const e = findEocd(tail);
  if (e < 0) {
    throw new MalformedError(
      'zip/malformed',
      'no end-of-central-directory record (truncated archive?)',
      location,
    );
  }
  const eocdPos = tailStart + e;
  let entries = tail.readUInt16LE(e + 10);
  let cdSize = tail.readUInt32LE(e + 12);
  let cdOffset = tail.readUInt32LE(e + 16);
  const disk = tail.readUInt16LE(e + 4);
  let cdEnd = eocdPos;
  if (eocdPos >= 20) {
    const locBuf = await src.read(eocdPos - 20, 20);
    if (locBuf.readUInt32LE(0) === ZIP64_LOCATOR_SIG) {
      const z64Pos = u64(locBuf, 8, 'ZIP64 record offset', location);
      if (z64Pos + 56 > src.size) {
        throw new MalformedError(
          'zip/malformed',
          'ZIP64 end record lies outside the file',
          location,
        );
      }
      const z = await src.read(z64Pos, 56);
      if (z.readUInt32LE(0) !== ZIP64_EOCD_SIG) {
        throw new MalformedError(
          'zip/malformed',
          'bad ZIP64 end record signature',
          location,
        );
      }
      entries = u64(z, 32, 'entry count', location);
      cdSize = u64(z, 40, 'central directory size', location);
      cdOffset = u64(z, 48, 'central directory offset', location);
      cdEnd = z64Pos;
    }
  }
  if (disk !== 0 && disk !== 0xffff) {
    throw new MalformedError(
      'zip/malformed',
      'multi-disk archives are not supported',
      location,
    );
  }
  if (entries > ZIP_LIMITS.maxEntries) {
    throw new MalformedError(
      'zip/entry-limit',
      `${entries} entries exceed the limit of ${ZIP_LIMITS.maxEntries}`,
      location,
    );
  }
  if (cdSize > ZIP_LIMITS.maxCentralDirectory) {
    throw new MalformedError(
      'zip/entry-limit',
      `central directory of ${cdSize} bytes exceeds the limit`,
      location,
    );
  }
  // Data prepended to the archive (self-extractors) shifts every offset.
  const shift = cdEnd - (cdOffset + cdSize);
  if (shift < 0) {
    throw new MalformedError(
      'zip/malformed',
      'central directory overlaps its end record',
      location,
    );
  }
  if (shift > 0) {
    report.add(
      'medium',
      'zip/prepended-data',
      `${shift} bytes precede the archive; other readers may see different content`,
      location,
    );
  }
  const cd = await src.read(cdOffset + shift, cdSize);
  const out: ZipEntry[] = [];
  const seen = new Set<string>();
  let p = 0;
  for (let i = 0; i < entries; i++) {
    if (p + 46 > cd.length || cd.readUInt32LE(p) !== CDH_SIG) {
      throw new MalformedError(
        'zip/malformed',
        `central directory entry ${i} is corrupt`,
        location,
      );
    }
    const flags = cd.readUInt16LE(p + 8);
    const method = cd.readUInt16LE(p + 10);
    let compressedSize = cd.readUInt32LE(p + 20);
    let uncompressedSize = cd.readUInt32LE(p + 24);
    const nameLen = cd.readUInt16LE(p + 28);
    const extraLen = cd.readUInt16LE(p + 30);
    const commentLen = cd.readUInt16LE(p + 32);
    let localHeaderOffset = cd.readUInt32LE(p + 42);
    const end = p + 46 + nameLen + extraLen + commentLen;
    if (end > cd.length) {
      throw new MalformedError(
        'zip/malformed',
        `central directory entry ${i} overruns`,
        location,
      );
    }
    const nameBytes = cd.subarray(p + 46, p + 46 + nameLen);
    const name = nameBytes.toString(flags & 0x800 ? 'utf8' : 'latin1');
    // ZIP64 extended information extra field.
    let x = p + 46 + nameLen;
    const xEnd = x + extraLen;
    while (x + 4 <= xEnd) {
      const id = cd.readUInt16LE(x);
      const len = cd.readUInt16LE(x + 2);
      if (id === 0x0001) {
        let q = x + 4;
        const qEnd = Math.min(xEnd, q + len);
        const take = () => {
          if (q + 8 > qEnd) {
            throw new MalformedError(
              'zip/malformed',
              `short ZIP64 field in ${name}`,
              loc(name),
            );
          }
          const v = u64(cd, q, 'ZIP64 value', loc(name));
          q += 8;
          return v;
        };
        if (uncompressedSize === MAX_U32) uncompressedSize = take();
        if (compressedSize === MAX_U32) compressedSize = take();
        if (localHeaderOffset === MAX_U32) localHeaderOffset = take();
      }
      x += 4 + len;
    }
    p = end;
    checkName(name, report, loc(name));
    if (seen.has(name)) {
      report.add(
        'medium',
        'zip/duplicate-entry',
        `the name ${JSON.stringify(
          name,
        )} occurs more than once; readers disagree on which one wins`,
        loc(name),
      );
    }
    seen.add(name);
    localHeaderOffset += shift;
    if (
      localHeaderOffset + 30 > src.size ||
      localHeaderOffset + compressedSize > src.size
    ) {
      throw new MalformedError(
        'zip/truncated',
        `entry ${name} lies outside the archive`,
        loc(name),
      );
    }
    out.push({
      name,
      flags,
      method,
      compressedSize,
      uncompressedSize,
      localHeaderOffset,
    });
  }
  return out;
}

function checkName(name: string, report: ScanReport, location: string) {
  const parts = name.split(/[\\/]/);
  if (
    name.startsWith('/') ||
    name.startsWith('\\') ||
    /^[A-Za-z]:/.test(name) ||
    name.includes('\\') ||
    parts.includes('..')
  ) {
    report.add(
      'high',
      'zip/path-traversal',
      `entry name ${JSON.stringify(name)} can escape the extraction directory`,
      location,
    );
  }
  if (name.includes('\u0000')) {
    report.add(
      'medium',
      'zip/bad-name',
      'entry name contains a NUL byte',
      location,
    );
  }
}

/** Whether an entry is a directory marker. */
export function isDirectory(entry: ZipEntry): boolean {
  return entry.name.endsWith('/') && entry.uncompressedSize === 0;
}

/**
 * True (after reporting) when the entry's declared sizes look like a zip
 * bomb; such entries are never inflated.
 */
export function checkBomb(
  entry: ZipEntry,
  report: ScanReport,
  location: string,
): boolean {
  const ratio = entry.uncompressedSize / Math.max(1, entry.compressedSize);
  if (
    ratio > ZIP_LIMITS.maxRatio &&
    entry.uncompressedSize > ZIP_LIMITS.bombMinSize
  ) {
    report.add(
      'high',
      'zip/compression-ratio',
      `entry inflates ${entry.compressedSize} bytes to ${
        entry.uncompressedSize
      } (ratio ${Math.round(ratio)}:1); treated as a zip bomb and not inflated`,
      location,
    );
    return true;
  }
  return false;
}

/** Finds where an entry's data starts by reading its local header. */
export async function entryDataOffset(
  src: RandomSource,
  entry: ZipEntry,
  location: string,
): Promise<number> {
  const h = await src.read(entry.localHeaderOffset, 30);
  if (h.length < 30 || h.readUInt32LE(0) !== LFH_SIG) {
    throw new MalformedError(
      'zip/malformed',
      'bad local file header',
      location,
    );
  }
  const start =
    entry.localHeaderOffset + 30 + h.readUInt16LE(26) + h.readUInt16LE(28);
  if (start + entry.compressedSize > src.size) {
    throw new MalformedError(
      'zip/truncated',
      'entry data runs past the end of the archive',
      location,
    );
  }
  return start;
}

/**
 * Streams an entry's uncompressed bytes: stored entries are read in place,
 * deflated ones are inflated with a hard output limit.
 */
export function entryChunks(
  src: RandomSource,
  entry: ZipEntry,
  dataOffset: number,
  limit: number,
  location: string,
): AsyncIterable<Buffer> {
  if (entry.flags & 0x1) {
    throw new MalformedError(
      'zip/encrypted',
      'entry is encrypted and cannot be scanned',
      location,
    );
  }
  const raw = readChunks(src, dataOffset, entry.compressedSize);
  if (entry.method === 0) {
    if (entry.compressedSize !== entry.uncompressedSize) {
      throw new MalformedError(
        'zip/malformed',
        'stored entry sizes disagree',
        location,
      );
    }
    return raw;
  }
  const method = ZIP_METHODS[entry.method];
  if (method) {
    return decompressChunks(
      method,
      raw,
      Math.min(limit, entry.uncompressedSize),
      location,
      'zip',
      BOMB_GUARD,
      // LZMA entries end with a marker when flag bit 1 is set
      entry.flags & 0x2 ? undefined : entry.uncompressedSize,
    );
  }
  throw new MalformedError(
    'zip/unsupported-compression',
    `compression method ${entry.method} is not supported by the scanner`,
    location,
  );
}
