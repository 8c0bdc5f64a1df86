import type { ModelFileFormat } from '@internal/plugin-model-hub-common';
import { MalformedError, ScanReport } from './report';
import { BufferSource, Cursor, RandomSource, SliceSource } from './source';
import { scanPickleStream } from './pickle/scanPickle';
import { checkBomb, entryChunks, entryDataOffset, isDirectory } from './zip';
import { ZipEntry, readCentralDirectory } from './zipDirectory';
import { NPY_MAGIC, scanNpy } from './numpy';
import { GGUF_MAGIC } from './gguf';
import { looksLikeKerasConfig, scanKerasConfig } from './keras';
import {
  BombError,
  compressionOf,
  endAtFailure,
  watchForBomb,
} from './decompress';
import { reportShippedCode, scanJsonConfig } from './code';
import { shippedCodeOfName } from './names';
import { HDF5_MAGIC } from './hdf5';
import { withSpooledStream } from './spool';
import { looksLikeTar } from './tar';
import { decodeJsonBytes, parsePythonJson } from './pythonJson';
import {
  AnalyzeFn,
  isZipHead,
  nestsTooDeep,
  recordFailure,
} from './analyzeCommon';

/*
 * Walking a zip archive entry by entry (PyTorch, Keras, NumPy and plain
 * zips): each entry is scanned by content, nested formats through the
 * format detection handed in as `analyze`.
 */

/** Largest entry inflated into memory (nested zips, Keras configs). */
const MAX_IN_MEMORY = 64 * 1024 * 1024;
/** Largest pickle entry inflated from a zip. */
const MAX_PICKLE_ENTRY = 1024 * 1024 * 1024;

const TORCH_STORAGE = /^[^/]+\/data\/\d+$/;
const TORCH_PICKLE = /^[^/]+\/data\.pkl$/;

/** Scans a zip archive and every entry that is a pickle, .npy or zip by content. */
export async function scanZip(
  src: RandomSource,
  report: ScanReport,
  location: string,
  depth: number,
  analyze: AnalyzeFn,
): Promise<ModelFileFormat> {
  const at = (name: string) => (location ? `${location}!${name}` : name);
  let entries: ZipEntry[];
  try {
    entries = await readCentralDirectory(src, report, location);
  } catch (e) {
    if (!(e instanceof MalformedError)) throw e;
    recordFailure(report, e, location || 'zip');
    return 'zip';
  }
  const names = new Set(entries.map(e => e.name));
  // torch.load finds its entries with miniz, by the names as stored.
  const isTorch = entries.some(e => TORCH_PICKLE.test(e.storedName));
  // Keras needs only config.json to build (and run Lambdas of) a model;
  // metadata.json and the weights are optional, so config.json alone with
  // a Keras class_name makes the archive a Keras file too.
  let isKeras =
    names.has('config.json') &&
    (names.has('metadata.json') ||
      names.has('model.weights.h5') ||
      names.has('model.weights.npz'));
  let npyCount = 0;
  let fileCount = 0;

  for (const entry of entries) {
    if (isDirectory(entry)) continue;
    fileCount++;
    const eloc = at(entry.name);
    if (checkBomb(entry, report, eloc)) continue;
    try {
      const code =
        shippedCodeOfName(entry.name) ?? shippedCodeOfName(entry.storedName);
      if (code) reportShippedCode(report, code, eloc);
      const dataOffset = await entryDataOffset(src, entry, eloc);
      // PyTorch storages are raw tensor bytes that torch never unpickles,
      // but numpy.load(allow_pickle=True) unpickles an object array stored
      // under that name: only stored raw bytes are skipped.
      if (
        isTorch &&
        TORCH_STORAGE.test(entry.storedName) &&
        entry.method === 0 &&
        !(await src.read(dataOffset, 6)).equals(NPY_MAGIC)
      ) {
        continue;
      }
      if (
        entry.name === 'config.json' ||
        (isKeras && entry.name === 'metadata.json')
      ) {
        const text = await readWhole(src, entry, dataOffset, eloc);
        if (entry.name === 'config.json') {
          isKeras ||= looksLikeKerasConfig(text);
          if (isKeras) scanKerasConfig(decodeJsonBytes(text), report, eloc);
          await scanJsonConfig(new BufferSource(text), report, eloc);
        } else {
          try {
            parsePythonJson(text);
          } catch {
            report.fail(
              'keras/bad-config',
              'metadata.json is not valid JSON',
              eloc,
            );
          }
        }
        continue;
      }
      if (entry.uncompressedSize === 0) continue;
      // Stored nested archives are scanned in place.
      if (entry.method === 0 && !(entry.flags & 1)) {
        const head = await src.read(dataOffset, 4);
        if (isZipHead(head)) {
          if (nestsTooDeep(depth, report, eloc)) {
            continue;
          }
          await scanZip(
            new SliceSource(src, dataOffset, entry.compressedSize),
            report,
            eloc,
            depth + 1,
            analyze,
          );
          continue;
        }
      }
      const seen: { bomb?: BombError; failure?: MalformedError } = {};
      const cur = new Cursor(
        endAtFailure(
          watchForBomb(
            entryChunks(src, entry, dataOffset, MAX_PICKLE_ENTRY, eloc),
            seen,
          ),
          seen,
        ),
      );
      try {
        await cur.fill(8);
        const head = cur.buf.subarray(cur.pos, cur.pos + 8);
        if (head.subarray(0, 6).equals(NPY_MAGIC)) {
          npyCount++;
          await scanNpy(cur, entry.uncompressedSize, report, eloc);
        } else if (isZipHead(head)) {
          if (nestsTooDeep(depth, report, eloc)) {
            continue;
          }
          if (entry.uncompressedSize <= MAX_IN_MEMORY) {
            const chunks: Buffer[] = [Buffer.from(cur.buf.subarray(cur.pos))];
            cur.pos = cur.buf.length;
            while (await cur.fill(1)) {
              chunks.push(cur.buf.subarray(cur.pos));
              cur.pos = cur.buf.length;
            }
            await scanZip(
              new BufferSource(Buffer.concat(chunks)),
              report,
              eloc,
              depth + 1,
              analyze,
            );
          } else {
            await withSpooledStream(cur, file =>
              scanZip(file, report, eloc, depth + 1, analyze),
            );
          }
        } else {
          // torch.load unpickles data.pkl whatever it holds.
          const forced = isTorch && TORCH_PICKLE.test(entry.storedName);
          // Compressed pickles, tars, GGUF and HDF5 files inside the zip
          // are scanned as files of their own; peeking at the first block
          // does not consume the member, a pickle scan would.
          await cur.fill(512);
          const block = cur.buf.subarray(cur.pos, cur.pos + 512);
          if (forced || !isNestedModel(block)) {
            await scanPickleStream(cur, report, eloc, {
              sniff: !forced,
              joblib: !forced,
            });
            continue;
          }
          if (isKeras && entry.name === 'model.weights.h5') continue;
          if (nestsTooDeep(depth, report, eloc)) {
            continue;
          }
          if (entry.method === 0) {
            const member = new SliceSource(
              src,
              dataOffset,
              entry.compressedSize,
            );
            await analyze(member, report, eloc, depth + 1);
          } else {
            await withSpooledStream(cur, file =>
              analyze(file, report, eloc, depth + 1),
            );
          }
        }
      } finally {
        await cur.close();
        if (seen.bomb) recordFailure(report, seen.bomb, eloc);
        else if (seen.failure) recordFailure(report, seen.failure, eloc);
      }
    } catch (e) {
      if (!(e instanceof MalformedError)) throw e;
      recordFailure(report, e, eloc);
    }
  }
  if (isKeras) return 'keras';
  if (isTorch) return 'pytorch-zip';
  if (npyCount > 0 && npyCount === fileCount) return 'numpy-zip';
  return 'zip';
}

/**
 * Whether a zip member's first bytes are a format the zip walker does not
 * stream itself but `analyze` can open: a compressed stream,
 * a tar, GGUF or HDF5.
 */
function isNestedModel(block: Buffer): boolean {
  return (
    compressionOf(block) !== undefined ||
    looksLikeTar(block) ||
    block.subarray(0, 4).equals(GGUF_MAGIC) ||
    block.subarray(0, 8).equals(HDF5_MAGIC)
  );
}

async function readWhole(
  src: RandomSource,
  entry: ZipEntry,
  dataOffset: number,
  location: string,
): Promise<Buffer> {
  if (entry.uncompressedSize > MAX_IN_MEMORY) {
    throw new MalformedError(
      'zip/entry-limit',
      `entry of ${entry.uncompressedSize} bytes is too large to read`,
      location,
    );
  }
  const parts: Buffer[] = [];
  for await (const c of entryChunks(
    src,
    entry,
    dataOffset,
    MAX_IN_MEMORY,
    location,
  ))
    parts.push(c);
  return Buffer.concat(parts);
}
