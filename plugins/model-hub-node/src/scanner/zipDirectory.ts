import { MalformedError, ScanReport } from './report';
import { crc32 } from 'node:zlib';
import { RandomSource } from './source';
import { ZIP_LIMITS } from './zip';

/*
 * Finding a zip archive's entries: the end record, the ZIP64 records and the
 * central directory, read the way the loaders read them (Python's zipfile
 * for numpy, Keras and joblib; miniz for torch.load), so that whatever
 * either of them would load is an entry the scanner scans.
 */

/** One central-directory entry of a zip archive. */
export interface ZipEntry {
  /**
   * The name as Python's zipfile reports it (numpy, Keras, joblib): the
   * Unicode Path extra field's when present, cut at the first NUL byte.
   */
  name: string;
  /** The name as stored, which miniz (torch.load) compares. */
  storedName: string;
  flags: number;
  method: number;
  compressedSize: number;
  uncompressedSize: number;
  localHeaderOffset: number;
}

const EOCD_SIG = 0x06054b50;
const ZIP64_LOCATOR_SIG = 0x07064b50;
const ZIP64_EOCD_SIG = 0x06064b50;
const CDH_SIG = 0x02014b50;
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

/**
 * The last end-record signature with a whole record after it, as miniz
 * (torch.load) and Python's zipfile pick it. Its comment length is not
 * checked: both readers accept one that runs past the end of the file, so
 * skipping such a record for an earlier one would scan another directory
 * than the one they load.
 */
function findEocd(tail: Buffer): number {
  for (let i = tail.length - 22; i >= 0; i--) {
    if (tail.readUInt32LE(i) === EOCD_SIG) return i;
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
      // miniz reads the record where the locator says, Python's zipfile
      // right before the locator: anywhere else they read two directories.
      if (z64Pos + 56 !== eocdPos - 20) {
        throw new MalformedError(
          'zip/malformed',
          'the ZIP64 end record is not right before its locator, where every reader looks for it',
          location,
        );
      }
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
  const out = parseDirectory(cd, entries, shift, src.size, location);
  if (shift > 0) {
    // Python's zipfile adds the shift to every offset; miniz (torch.load)
    // takes the offsets as written. If a directory is there too, miniz
    // loads its entries: scan them as well.
    const unshifted = await readUnshifted(
      src,
      cdOffset,
      cdSize,
      entries,
      location,
    );
    for (const u of unshifted) {
      if (
        !out.some(
          o => o.name === u.name && o.localHeaderOffset === u.localHeaderOffset,
        )
      ) {
        out.push(u);
      }
    }
  }
  const seen = new Set<string>();
  for (const entry of out) {
    checkName(entry.storedName, report, loc(entry.name));
    if (seen.has(entry.name)) {
      report.add(
        'medium',
        'zip/duplicate-entry',
        `the name ${JSON.stringify(
          entry.name,
        )} occurs more than once; readers disagree on which one wins`,
        loc(entry.name),
      );
    }
    seen.add(entry.name);
  }
  return out;
}

/**
 * The entries miniz finds in an archive whose directory is shifted: the
 * directory at the offset as written, entries at their offsets as written.
 * None when miniz would find no directory there; an error when it would
 * but the directory is broken (the scanner cannot tell what miniz loads).
 */
async function readUnshifted(
  src: RandomSource,
  cdOffset: number,
  cdSize: number,
  entries: number,
  location: string,
): Promise<ZipEntry[]> {
  if (entries === 0 || cdOffset + cdSize > src.size) return [];
  const cd = await src.read(cdOffset, cdSize);
  if (cd.length < 4 || cd.readUInt32LE(0) !== CDH_SIG) return [];
  return parseDirectory(cd, entries, 0, src.size, location);
}

/** Parses `entries` central-directory records; `shift` is added to every local header offset. */
function parseDirectory(
  cd: Buffer,
  entries: number,
  shift: number,
  size: number,
  location: string,
): ZipEntry[] {
  const loc = (s: string) => (location ? `${location}!${s}` : s);
  const out: ZipEntry[] = [];
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
    const storedName = nameBytes.toString(flags & 0x800 ? 'utf8' : 'latin1');
    let pythonName = storedName;
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
              `short ZIP64 field in ${storedName}`,
              loc(storedName),
            );
          }
          const v = u64(cd, q, 'ZIP64 value', loc(storedName));
          q += 8;
          return v;
        };
        if (uncompressedSize === MAX_U32) uncompressedSize = take();
        if (compressedSize === MAX_U32) compressedSize = take();
        if (localHeaderOffset === MAX_U32) localHeaderOffset = take();
      } else if (
        id === 0x7075 &&
        len >= 5 &&
        x + 4 + len <= xEnd &&
        cd[x + 4] === 1 &&
        cd.readUInt32LE(x + 5) === crc32(nameBytes)
      ) {
        // Info-ZIP Unicode Path: Python's zipfile (3.12+) takes this name
        // when its CRC matches the stored one.
        const unicode = cd.toString('utf8', x + 9, x + 4 + len);
        if (unicode) pythonName = unicode;
      }
      x += 4 + len;
    }
    p = end;
    // zipfile cuts a name at its first NUL: "config.json\0.txt" is the
    // config.json Keras loads.
    const nul = pythonName.indexOf('\u0000');
    const name = nul >= 0 ? pythonName.slice(0, nul) : pythonName;
    localHeaderOffset += shift;
    if (
      localHeaderOffset + 30 > size ||
      localHeaderOffset + compressedSize > size
    ) {
      throw new MalformedError(
        'zip/truncated',
        `entry ${name} lies outside the archive`,
        loc(name),
      );
    }
    out.push({
      name,
      storedName,
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
