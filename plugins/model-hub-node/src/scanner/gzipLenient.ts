import { MalformedError, ScanReport } from './report';
import { Cursor, RandomSource, readChunks } from './source';
import { decompressChunks, endAtFailure, watchForBomb } from './decompress';
import type { BombError } from './decompress';
import { scanPickleStream } from './pickle/scanPickle';
import { BOMB_GUARD } from './zip';

/** Largest output decompressed from a gzip member read leniently. */
const MAX_OUTPUT = 4 * 1024 * 1024 * 1024;

/**
 * Where the deflate data of a gzip member starts, read as Python's gzip
 * module reads the header: the optional extra field, name and comment are
 * skipped and the header CRC (FHCRC) is skipped unchecked. Undefined when
 * the header is not complete within the first 128 KiB.
 */
export async function gzipBodyOffset(
  src: RandomSource,
): Promise<number | undefined> {
  const h = await src.read(0, Math.min(src.size, 128 * 1024));
  if (h.length < 10 || h[0] !== 0x1f || h[1] !== 0x8b || h[2] !== 8) {
    return undefined;
  }
  const flags = h[3];
  let p = 10;
  if (flags & 0x04) {
    if (p + 2 > h.length) return undefined;
    p += 2 + h.readUInt16LE(p);
  }
  for (const bit of [0x08, 0x10]) {
    if (flags & bit) {
      const nul = h.indexOf(0, p);
      if (nul < 0) return undefined;
      p = nul + 1;
    }
  }
  if (flags & 0x02) p += 2;
  return p <= h.length ? p : undefined;
}

/**
 * Scans a gzip stream that Node's strict decoder refused (a wrong header
 * CRC or CRC-32 trailer) the way Python's gzip module reads it: the first
 * member's deflate data, with no checksum check, which is what
 * `pickle.load(gzip.open(f))` unpickles before it ever reaches the trailer.
 * Returns whether it held a pickle (its findings are in `report`).
 */
export async function scanGzipPickleLeniently(
  src: RandomSource,
  report: ScanReport,
  location: string,
): Promise<boolean> {
  const body = await gzipBodyOffset(src);
  if (body === undefined) return false;
  const seen: { bomb?: BombError; failure?: MalformedError } = {};
  const cur = new Cursor(
    endAtFailure(
      watchForBomb(
        decompressChunks(
          'deflate',
          readChunks(src, body, src.size - body),
          MAX_OUTPUT,
          location,
          'compressed',
          BOMB_GUARD,
        ),
        seen,
      ),
      seen,
    ),
  );
  let isPickle: boolean;
  try {
    isPickle = await scanPickleStream(cur, report, `${location}[gzip]`, {
      sniff: true,
      joblib: true,
    });
  } finally {
    await cur.close();
  }
  if (seen.bomb) throw seen.bomb;
  return isPickle;
}
