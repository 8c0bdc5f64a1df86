import type { ModelFileFormat } from '@internal/plugin-model-hub-common';
import { MalformedError, ScanReport } from './report';
import { Cursor, RandomSource, readChunks } from './source';
import { looksLikePickleStart, scanPickleStream } from './pickle/scanPickle';
import { isTfliteHead, scanTflite } from './tflite';
import { hasHdf5UserBlock, scanHdf5 } from './hdf5';
import { isZipHead } from './analyzeCommon';

/*
 * A file can be two formats at once, and each loader reads the one it
 * knows: pickle.load, joblib.load and torch.load (for anything that is no
 * zip) run the pickle a file starts with; tf.lite.Interpreter reads any
 * file with TFL3 at offset 4; h5py (Keras .h5) finds an HDF5 superblock
 * after a user block of 512, 1024, ... bytes. Format detection takes the first format that
 * matches, so these are checked again whatever it found.
 */

/**
 * Scans the file also as a pickle (when it parses as one), as a TFLite
 * model (when it has the identifier) and as HDF5 (when a superblock follows
 * a user block), unless that is what it was detected as.
 */
export async function scanOtherReadings(
  src: RandomSource,
  detected: ModelFileFormat,
  report: ScanReport,
  location: string,
): Promise<void> {
  const head = await src.read(0, 8);
  // A zip starts with PK (PERSID), which no unpickler without persistent_load takes.
  if (
    detected !== 'pickle' &&
    detected !== 'unknown' &&
    !detected.includes('zip') &&
    looksLikePickleStart(head)
  ) {
    await scanAlsoAsPickle(src, report, location);
  }
  if (detected !== 'tflite' && isTfliteHead(head)) {
    report.add(
      'medium',
      'tflite/polyglot',
      'the file is also a TensorFlow Lite model; tools disagree on how to load it, so it was scanned as one too',
      location,
    );
    await scanTflite(src, report, location);
  }
  const viaHdf5 =
    (detected === 'hdf5' || detected === 'keras') && !isZipHead(head);
  if (!viaHdf5 && (await hasHdf5UserBlock(src))) {
    await scanAlsoAsHdf5(src, report, location);
  }
}

async function scanAlsoAsHdf5(
  src: RandomSource,
  report: ScanReport,
  location: string,
): Promise<void> {
  const probe = new ScanReport();
  try {
    await scanHdf5(src, probe, location);
  } catch (e) {
    if (e instanceof MalformedError) return; // h5py would not open it either
    throw e;
  }
  report.add(
    'medium',
    'hdf5/polyglot',
    'the file is also an HDF5 file (after a user block), which h5py and Keras open whatever else it is, so it was scanned as one too',
    location,
  );
  report.findings.push(...probe.findings);
  if (!probe.parsedFully) report.parsedFully = false;
}

async function scanAlsoAsPickle(
  src: RandomSource,
  report: ScanReport,
  location: string,
): Promise<void> {
  const probe = new ScanReport();
  probe.trustedGlobals = report.trustedGlobals;
  const cur = new Cursor(readChunks(src, 0, src.size));
  let isPickle = false;
  try {
    isPickle = await scanPickleStream(cur, probe, location, { sniff: true });
  } catch (e) {
    if (!(e instanceof MalformedError)) throw e;
  } finally {
    await cur.close();
  }
  if (!isPickle) return;
  report.add(
    'medium',
    'pickle/polyglot',
    'the file is also a pickle, which pickle.load and torch.load run whatever else it is, so it was scanned as one too',
    location,
  );
  report.findings.push(...probe.findings);
  if (!probe.parsedFully) report.parsedFully = false;
}
