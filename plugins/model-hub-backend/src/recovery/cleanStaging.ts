import fs from 'node:fs/promises';
import path from 'node:path';
import { STAGING_FILE_PREFIX } from '../artifacts/UploadStaging';

/**
 * Removes upload staging files not written to for `maxAgeMs`: debris of
 * uploads whose client or backend died. Only files named like the hub's
 * staging files are touched, so a misconfigured directory loses nothing
 * else; a live upload keeps its file fresh by writing to it. Returns the
 * names removed.
 */
export async function removeStaleStagingFiles(options: {
  directory: string;
  maxAgeMs: number;
  now: Date;
}): Promise<string[]> {
  const { directory, maxAgeMs, now } = options;
  const entries = await fs
    .readdir(directory, { withFileTypes: true })
    .catch(error => {
      if ((error as NodeJS.ErrnoException).code === 'ENOENT') return [];
      throw error;
    });
  const removed: string[] = [];
  for (const entry of entries) {
    if (!entry.isFile() || !entry.name.startsWith(STAGING_FILE_PREFIX)) {
      continue;
    }
    const file = path.join(directory, entry.name);
    const stats = await fs.stat(file).catch(() => undefined);
    if (stats && now.getTime() - stats.mtimeMs > maxAgeMs) {
      await fs.rm(file, { force: true });
      removed.push(entry.name);
    }
  }
  return removed;
}
