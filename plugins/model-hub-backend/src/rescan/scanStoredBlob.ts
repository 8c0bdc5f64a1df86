import { createWriteStream, promises as fs } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { pipeline } from 'node:stream/promises';
import { FileScanResult } from '@internal/plugin-model-hub-common';
import { ArtifactStore } from '../artifacts/ArtifactStore';
import { FileScanner } from '../artifacts/FileScanner';

/**
 * Scans a stored blob with the running scanner: copied from the artifact
 * store to a temporary file (the scanner reads files), checked to hash to
 * the SHA-256 it is stored under, removed after.
 * @throws Error when the bytes do not hash to `file.sha256`
 */
export async function scanStoredBlob(
  artifacts: ArtifactStore,
  scanner: FileScanner,
  file: { sha256: string; path: string; label: string },
): Promise<FileScanResult> {
  const dir = await fs.mkdtemp(path.join(os.tmpdir(), 'model-hub-rescan-'));
  try {
    const local = path.join(dir, 'blob');
    await pipeline(await artifacts.get(file.sha256), createWriteStream(local));
    const scan = await scanner.scan(local, file.path);
    if (scan.sha256 !== file.sha256) {
      throw new Error(
        `artifact ${file.sha256} of ${file.label} hashes to ${scan.sha256}`,
      );
    }
    return scan;
  } finally {
    await fs.rm(dir, { recursive: true, force: true });
  }
}
