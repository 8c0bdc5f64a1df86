import type { ModelFileFormat } from '@internal/plugin-model-hub-common';
import { MalformedError, ScanReport } from './report';
import { Cursor, RandomSource, SliceSource, readChunks } from './source';
import { scanPickleStream } from './pickle/scanPickle';
import { BOMB_GUARD } from './zip';
import { hasZipTrailer, readCentralDirectory } from './zipDirectory';
import { NPY_MAGIC, scanNpy } from './numpy';
import { looksLikeSafetensors, scanSafetensors } from './safetensors';
import { GGUF_MAGIC, scanGguf } from './gguf';
import { looksLikeOnnx, mayStartOnnx, scanOnnx } from './onnx';
import {
  BombError,
  Compression,
  compressionOf,
  decompressChunks,
  watchForBomb,
} from './decompress';
import { reportShippedCode, scanJsonConfig } from './code';
import { scanGzipPickleLeniently } from './gzipLenient';
import { isJsonName, shippedCodeOfName } from './names';
import { HDF5_MAGIC, hasHdf5UserBlock, scanHdf5 } from './hdf5';
import { withSpooledStream } from './spool';
import { scanLegacyTorchRecords } from './legacyTorch';
import { looksLikeMsgpackMap, scanMsgpack } from './msgpack';
import { isLegacyTorchTar, looksLikeTar, readTarMembers } from './tar';
import { scanZip } from './zipWalk';
import { isTfliteHead, scanTflite } from './tflite';
import { scanOtherReadings } from './polyglot';
import { isZipHead, nestsTooDeep, recordFailure } from './analyzeCommon';

export { isIoError, recordFailure } from './analyzeCommon';

/**
 * Detects the format of a byte source by content and scans it. Returns the
 * format and whether it is a supported model format.
 */
export async function analyzeSource(
  src: RandomSource,
  report: ScanReport,
  location: string,
  depth = 0,
): Promise<{ format: ModelFileFormat; supported: boolean }> {
  const detected = await detectAndScan(src, report, location, depth);
  await scanOtherReadings(src, detected.format, report, location || 'file');
  if (detected.format.includes('zip') || detected.format === 'keras') {
    return detected;
  }
  const zip = await scanTrailingZip(src, report, location, depth);
  // Bytes of no known format before a zip: zipfile (numpy, Keras) opens
  // the archive, so that is what the file is.
  if (zip && detected.format === 'unknown' && !detected.supported) {
    return { format: zip, supported: true };
  }
  return detected;
}

/**
 * A file that is, say, a pickle at the front and a zip at the back loads
 * differently in different tools (torch.load and zipfile disagree), a known
 * scanner-evasion trick: scan the zip too. Returns the archive's format
 * when there is one.
 */
async function scanTrailingZip(
  src: RandomSource,
  report: ScanReport,
  location: string,
  depth: number,
): Promise<ModelFileFormat | undefined> {
  if (!(await hasZipTrailer(src))) return undefined;
  const probe = new ScanReport();
  try {
    await readCentralDirectory(src, probe, location);
  } catch (e) {
    if (e instanceof MalformedError) return undefined; // a chance match inside data
    throw e;
  }
  report.add(
    'medium',
    'zip/polyglot',
    'the file also parses as a zip archive from its end; tools disagree on how to load it, so the archive was scanned too',
    location || 'file',
  );
  return scanZip(src, report, location, depth, analyzeSource);
}

async function detectAndScan(
  src: RandomSource,
  report: ScanReport,
  location: string,
  depth: number,
): Promise<{ format: ModelFileFormat; supported: boolean }> {
  const head = await src.read(0, 64);
  const loc = location || 'file';
  if (head.length === 0) return { format: 'unknown', supported: false };
  try {
    if (head.length >= 4 && isZipHead(head)) {
      return {
        format: await scanZip(src, report, location, depth, analyzeSource),
        supported: true,
      };
    }
    if (head.subarray(0, 6).equals(NPY_MAGIC)) {
      const cur = new Cursor(readChunks(src, 0, src.size));
      try {
        await scanNpy(cur, src.size, report, loc);
      } finally {
        await cur.close();
      }
      return { format: 'numpy', supported: true };
    }
    if (head.subarray(0, 4).equals(GGUF_MAGIC)) {
      await scanGguf(src, report, loc);
      return { format: 'gguf', supported: true };
    }
    if (looksLikeSafetensors(head, src.size)) {
      await scanSafetensors(src, report, loc);
      return { format: 'safetensors', supported: true };
    }
    if (head.subarray(0, 8).equals(HDF5_MAGIC)) {
      const keras = await scanHdf5(src, report, loc);
      return { format: keras ? 'keras' : 'hdf5', supported: true };
    }
    if (src.size >= 1024 && looksLikeTar(await src.read(0, 512))) {
      return {
        format: await scanTar(src, report, location, depth),
        supported: true,
      };
    }
    if (mayStartOnnx(head[0]) && (await looksLikeOnnx(src))) {
      await scanOnnx(src, report, loc);
      return { format: 'onnx', supported: true };
    }
    const wrapping = compressionOf(head);
    if (wrapping) {
      const r = await scanCompressedPickle(src, report, loc, wrapping, depth);
      if (r.supported) return r;
    }
    const cur = new Cursor(readChunks(src, 0, src.size));
    try {
      if (
        await scanPickleStream(cur, report, loc, { sniff: true, joblib: true })
      ) {
        return { format: 'pickle', supported: true };
      }
    } finally {
      await cur.close();
    }
    if (looksLikeMsgpackMap(head)) {
      // Flax checkpoints; anything that is not exact MessagePack is no model.
      const probe = new ScanReport();
      try {
        await scanMsgpack(src, probe, loc);
        return { format: 'msgpack', supported: true };
      } catch (e) {
        if (!(e instanceof MalformedError)) throw e;
      }
    }
    if (isTfliteHead(head)) {
      await scanTflite(src, report, loc);
      return { format: 'tflite', supported: true };
    }
    // The HDF5 library also finds a superblock after a user block (at
    // 512, 1024, 2048, ... bytes); checked last, since a pickle or zip may
    // carry those bytes anywhere.
    if (await hasHdf5UserBlock(src)) {
      const keras = await scanHdf5(src, report, loc);
      return { format: keras ? 'keras' : 'hdf5', supported: true };
    }
    return { format: 'unknown', supported: false };
  } catch (e) {
    if (!(e instanceof MalformedError)) throw e;
    recordFailure(report, e, loc);
    return { format: 'unknown', supported: true };
  }
}

/** Largest output decompressed from a compressed pickle. */
const MAX_COMPRESSED_PICKLE = 4 * 1024 * 1024 * 1024;

/**
 * joblib.load (and pickle loaders wrapped in gzip/bz2/lzma.open, or lz4)
 * transparently decompress, so a compressed pickle is scanned inside its
 * compression. A compressed tar or zip (`model.tar.gz`, as SageMaker ships
 * models) is decompressed to a temp file and scanned as an archive. Any
 * other compressed stream is just not a model.
 */
async function scanCompressedPickle(
  src: RandomSource,
  report: ScanReport,
  loc: string,
  wrapping: Compression,
  depth: number,
): Promise<{ format: ModelFileFormat; supported: boolean }> {
  const seen: { bomb?: BombError } = {};
  const cur = new Cursor(
    watchForBomb(
      decompressChunks(
        wrapping,
        readChunks(src, 0, src.size),
        MAX_COMPRESSED_PICKLE,
        loc,
        'compressed',
        BOMB_GUARD,
      ),
      seen,
    ),
  );
  try {
    // A compressed tar or zip is an archive; peeking at its first block
    // does not consume the stream. Anything else is a pickle candidate.
    let head: Buffer;
    try {
      await cur.fill(512);
      head = cur.buf.subarray(cur.pos, cur.pos + 512);
    } catch (e) {
      if (e instanceof BombError) throw e;
      if (!(e instanceof MalformedError)) throw e;
      // Two bytes of zlib header occur by chance; gzip, bzip2 and xz magic
      // do not, and Python's readers hand out data the scanner's stricter
      // ones refuse (gzip skips the header CRC and checks the trailer only
      // after the data was read): not a model is not what this is.
      if (wrapping === 'zlib' || wrapping === 'lzma') {
        return { format: 'unknown', supported: false };
      }
      recordFailure(report, e, loc);
      if (
        wrapping === 'gzip' &&
        (await scanGzipPickleLeniently(src, report, loc))
      ) {
        return { format: 'pickle', supported: true };
      }
      return { format: 'unknown', supported: true };
    }
    const isZip = head.length >= 4 && head.readUInt32LE(0) === 0x04034b50;
    if (isZip || looksLikeTar(head)) {
      if (nestsTooDeep(depth, report, loc)) {
        return { format: 'unknown', supported: true };
      }
      const inner = await withSpooledStream(cur, file =>
        analyzeSource(file, report, `${loc}[${wrapping}]`, depth + 1),
      );
      if (seen.bomb) recordFailure(report, seen.bomb, loc);
      return inner;
    }
    const isPickle = await scanPickleStream(
      cur,
      report,
      `${loc}[${wrapping}]`,
      { sniff: true, joblib: true },
    );
    if (seen.bomb) recordFailure(report, seen.bomb, loc);
    if (!isPickle) return { format: 'unknown', supported: false };
    report.add(
      'low',
      'pickle/compressed',
      `the pickle is ${wrapping}-compressed (as joblib writes it); it was scanned decompressed`,
      loc,
    );
    return { format: 'pickle', supported: true };
  } finally {
    await cur.close();
  }
}

/**
 * Scans a tar archive member by member, each by content as a file of its
 * own (nested archives to the zip depth limit). Legacy (pre-1.6)
 * `torch.save` archives hold pickles in `sys_info`, `pickle`, `storages`
 * and `tensors`, and `torch.load` unpickles every one of them.
 */
async function scanTar(
  src: RandomSource,
  report: ScanReport,
  location: string,
  depth: number,
): Promise<ModelFileFormat> {
  const at = (name: string) => (location ? `${location}!${name}` : name);
  const members = await readTarMembers(src, report, location);
  const torch = isLegacyTorchTar(members);
  if (nestsTooDeep(depth, report, location || 'file')) {
    return 'tar';
  }
  for (const m of members) {
    if (m.size === 0) continue;
    const mloc = at(m.name);
    const code = shippedCodeOfName(m.name);
    if (code) reportShippedCode(report, code, mloc);
    const member = new SliceSource(src, m.dataOffset, m.size);
    if (torch && (m.name === 'storages' || m.name === 'tensors')) {
      await scanLegacyTorchRecords(member, m.name, report, mloc);
      continue;
    }
    const r = await analyzeSource(member, report, mloc, depth + 1);
    if (!r.supported && r.format === 'unknown' && isJsonName(m.name)) {
      // transformers reads auto_map from the extracted configs
      await scanJsonConfig(member, report, mloc, m.name);
    }
    if (torch && r.format === 'unknown' && r.supported === false) {
      report.fail(
        'tar/unrecognized-member',
        `torch.load unpickles the ${m.name} member, but it is not a pickle the scanner can read`,
        mloc,
      );
    }
  }
  return torch ? 'pickle' : 'tar';
}
