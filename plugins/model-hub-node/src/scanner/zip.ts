import { MalformedError, ScanReport } from './report';
import { RandomSource, readChunks } from './source';
import { decompressChunks, Decompressor } from './decompress';
import type { ZipEntry } from './zipDirectory';

/** Zip compression methods the scanner reads: deflate, bzip2, LZMA. */
const ZIP_METHODS: Record<number, Decompressor> = {
  8: 'deflate',
  12: 'bz2',
  14: 'zip-lzma',
};

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

const LFH_SIG = 0x04034b50;

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
    return upToDeclaredSize(
      decompressChunks(
        method,
        raw,
        limit,
        location,
        'zip',
        BOMB_GUARD,
        // LZMA entries end with a marker when flag bit 1 is set
        entry.flags & 0x2 ? undefined : entry.uncompressedSize,
      ),
      Math.min(limit, entry.uncompressedSize),
      location,
    );
  }
  throw new MalformedError(
    'zip/unsupported-compression',
    `compression method ${entry.method} is not supported by the scanner`,
    location,
  );
}

/**
 * Passes on the first `size` bytes, then throws `zip/inflate-limit` if
 * there are more. zipfile returns an entry's declared size and checks the
 * CRC over those bytes only, so they are what a loader reads: the bytes
 * that cross the size are scanned before the error, not dropped with the
 * chunk that holds them.
 */
async function* upToDeclaredSize(
  chunks: AsyncIterable<Buffer>,
  size: number,
  location: string,
): AsyncGenerator<Buffer> {
  let total = 0;
  for await (const c of chunks) {
    if (total + c.length > size) {
      if (size > total) yield c.subarray(0, size - total);
      throw new MalformedError(
        'zip/inflate-limit',
        `inflated data exceeds the ${size} bytes declared (or the limit); readers that stop at the declared size see only those`,
        location,
      );
    }
    total += c.length;
    yield c;
  }
}
