import { execFile } from 'node:child_process';
import { createWriteStream } from 'node:fs';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { finished } from 'node:stream/promises';
import { MalformedError, ScanReport } from './report';
import { FileSource, RandomSource, SliceSource, readChunks } from './source';
import { scanKerasConfig } from './keras';
import { packageAssetPath } from '../assets/packageAssets';

/** `\x89HDF\r\n\x1a\n`, the HDF5 superblock signature. */
export const HDF5_MAGIC = Buffer.from([
  0x89, 0x48, 0x44, 0x46, 0x0d, 0x0a, 0x1a, 0x0a,
]);

/** Limits of the HDF5 reader process. */
export const HDF5_LIMITS = {
  /** The reader reads root attributes only: seconds, not minutes. */
  timeoutMs: 15_000,
  maxOutput: 80 * 1024 * 1024,
  /** Largest HDF5 member of an archive copied out to be read. */
  maxNested: 1024 * 1024 * 1024,
};

/** The reader script ships in the package's `workers/` folder. */
function readerScript(): string {
  return packageAssetPath('workers/hdf5Reader.mjs');
}

interface Hdf5Root {
  attrs?: Record<string, unknown>;
  keys?: string[];
  error?: string;
}

function readRoot(path: string, location: string): Promise<Hdf5Root> {
  return new Promise((resolve, reject) => {
    execFile(
      process.execPath,
      ['--max-old-space-size=512', readerScript(), path],
      // no environment: the reader needs none and must see no secrets
      {
        env: {},
        timeout: HDF5_LIMITS.timeoutMs,
        maxBuffer: HDF5_LIMITS.maxOutput,
        windowsHide: true,
      },
      (err, stdout) => {
        if (err) {
          reject(
            new MalformedError(
              'hdf5/malformed',
              `the HDF5 reader failed on this file (${
                err.killed ? 'timed out' : `exit ${err.code ?? err.signal}`
              })`,
              location,
            ),
          );
          return;
        }
        try {
          resolve(JSON.parse(stdout) as Hdf5Root);
        } catch {
          reject(
            new MalformedError(
              'hdf5/malformed',
              'the HDF5 reader returned no result',
              location,
            ),
          );
        }
      },
    );
  });
}

/** Copies a slice of an archive to a private temp file for the reader. */
async function withFile<T>(
  src: RandomSource,
  location: string,
  fn: (path: string) => Promise<T>,
): Promise<T> {
  if (src instanceof FileSource && src.path) return fn(src.path);
  if (src.size > HDF5_LIMITS.maxNested) {
    throw new MalformedError(
      'hdf5/too-large',
      `an HDF5 member of ${src.size} bytes is too large to extract and read`,
      location,
    );
  }
  const dir = await mkdtemp(join(tmpdir(), 'model-hub-h5-'));
  try {
    const path = join(dir, 'member.h5');
    const out = createWriteStream(path, { mode: 0o600 });
    for await (const chunk of readChunks(src, 0, src.size)) {
      if (!out.write(chunk))
        await new Promise(resolve => out.once('drain', resolve));
    }
    out.end();
    await finished(out);
    return await fn(path);
  } finally {
    await rm(dir, { recursive: true, force: true });
  }
}

/**
 * Whether the HDF5 signature sits where the library looks for a superblock
 * after a user block: at 512 bytes and every power of two above.
 */
export async function hasHdf5UserBlock(
  src: RandomSource | SliceSource,
): Promise<boolean> {
  for (let at = 512; at + HDF5_MAGIC.length <= src.size; at *= 2) {
    if ((await src.read(at, HDF5_MAGIC.length)).equals(HDF5_MAGIC)) return true;
  }
  return false;
}

/**
 * Scans an HDF5 file (legacy Keras `.h5`): the `model_config` and
 * `training_config` root attributes are walked like a Keras v3 config for
 * Lambda layers and custom objects. Returns whether the file is a Keras model.
 */
export async function scanHdf5(
  src: RandomSource | SliceSource,
  report: ScanReport,
  location: string,
): Promise<boolean> {
  const root = await withFile(src, location, p => readRoot(p, location));
  if (root.error !== undefined) {
    throw new MalformedError(
      'hdf5/malformed',
      `not a readable HDF5 file: ${root.error.split('\n')[0]}`,
      location,
    );
  }
  const attrs = root.attrs ?? {};
  const config = attrs.model_config;
  // load_model builds the model from model_config and, when it compiles,
  // deserializes the loss, metrics and optimizer of training_config.
  for (const name of ['model_config', 'training_config']) {
    const value = attrs[name];
    if (typeof value === 'string') {
      scanKerasConfig(value, report, `${location}:${name}`);
    } else if (value !== undefined && value !== null) {
      report.fail(
        'keras/bad-config',
        `the ${name} attribute is not a string`,
        `${location}:${name}`,
      );
    }
  }
  return (
    config !== undefined ||
    'keras_version' in attrs ||
    (root.keys ?? []).includes('model_weights')
  );
}
