import { createHash } from 'node:crypto';
import fs from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { FileScanResult } from '@internal/plugin-model-hub-common';
import { scanFile } from '@internal/plugin-model-hub-node';

/**
 * A pickle (protocol 2) that would call `os.system('echo')` when loaded, as
 * produced by `pickle.dumps` of an object whose `__reduce__` returns
 * `(os.system, ('echo',))`. Only ever parsed by the scanner, never loaded.
 */
export const MALICIOUS_PICKLE = Buffer.from(
  '800263706f7369780a73797374656d0a710058040000006563686f71018571025271032e',
  'hex',
);

/** A harmless pickle (protocol 2) of `{'a': [1, 2, 3]}`. */
export const BENIGN_PICKLE = Buffer.from(
  '80027d710058010000006171015d7102284b014b024b0365732e',
  'hex',
);

/**
 * Builds a valid safetensors file with one F32 tensor `weight` holding
 * `values`: an 8-byte little-endian header length, a JSON header padded to 8
 * bytes, then the raw little-endian data.
 */
export function safetensors(values: number[]): Buffer {
  const data = Buffer.alloc(values.length * 4);
  values.forEach((v, i) => data.writeFloatLE(v, i * 4));
  let header = JSON.stringify({
    weight: {
      dtype: 'F32',
      shape: [values.length],
      data_offsets: [0, data.length],
    },
  });
  header += ' '.repeat((8 - (header.length % 8)) % 8);
  const length = Buffer.alloc(8);
  length.writeBigUInt64LE(BigInt(Buffer.byteLength(header)));
  return Buffer.concat([length, Buffer.from(header, 'utf8'), data]);
}

/** Hex SHA-256 of `bytes`. */
export function sha256(bytes: Buffer): string {
  return createHash('sha256').update(bytes).digest('hex');
}

/** Scans `bytes` with the real scanner, as the file `displayPath`. */
export async function scanBytes(
  bytes: Buffer,
  displayPath: string,
): Promise<FileScanResult> {
  const dir = await fs.mkdtemp(path.join(os.tmpdir(), 'model-hub-scan-'));
  try {
    const file = path.join(dir, 'file');
    await fs.writeFile(file, bytes);
    return await scanFile(file, { displayPath });
  } finally {
    await fs.rm(dir, { recursive: true, force: true });
  }
}

/** Lists every file below `dir` (relative paths), or [] when it is absent. */
export async function listFiles(dir: string): Promise<string[]> {
  try {
    const entries = await fs.readdir(dir, {
      recursive: true,
      withFileTypes: true,
    });
    return entries
      .filter(e => e.isFile())
      .map(e => path.relative(dir, path.join(e.parentPath, e.name)))
      .sort();
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === 'ENOENT') return [];
    throw error;
  }
}
