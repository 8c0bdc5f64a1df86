import { promises as fs } from 'node:fs';
import path from 'node:path';
import { AdvisoryDatabase, loadAdvisoryDatabase } from './advisories';

/** Most directory entries looked at for a fingerprint (the loader reads at most this many files too). */
const MAX_ENTRIES = 200_000;

/**
 * A cheap fingerprint of an advisory directory: the sorted listing of every
 * `.json` file below it with its size and modification time. Any added,
 * removed, renamed, grown or rewritten record changes it; no file is read.
 */
export async function fingerprintAdvisoryDirectory(
  directory: string,
): Promise<string> {
  const parts: string[] = [];
  async function walk(dir: string): Promise<void> {
    const entries = await fs.readdir(dir, { withFileTypes: true });
    entries.sort((a, b) => (a.name < b.name ? -1 : 1));
    for (const entry of entries) {
      if (parts.length >= MAX_ENTRIES) return;
      const full = path.join(dir, entry.name);
      if (entry.isDirectory()) await walk(full);
      else if (entry.isFile() && entry.name.endsWith('.json')) {
        const st = await fs.stat(full);
        parts.push(
          `${path.relative(directory, full)}\0${st.size}\0${st.mtimeMs}`,
        );
      }
    }
  }
  await walk(directory);
  return parts.join('\n');
}

interface Entry {
  fingerprint: string;
  db: AdvisoryDatabase;
}

/**
 * Keeps parsed advisory databases in memory, one per directory, and reloads
 * one only when its {@link fingerprintAdvisoryDirectory} changed. Concurrent
 * callers share one load.
 */
export class AdvisoryDatabaseCache {
  readonly #load: (directory: string) => Promise<AdvisoryDatabase>;
  readonly #entries = new Map<string, Entry>();
  readonly #inFlight = new Map<string, Promise<AdvisoryDatabase>>();

  /** `load` defaults to {@link loadAdvisoryDatabase}; tests pass a counting one. */
  constructor(
    load: (
      directory: string,
    ) => Promise<AdvisoryDatabase> = loadAdvisoryDatabase,
  ) {
    this.#load = load;
  }

  /** The database of `directory`, loaded once and reloaded when the directory changed. */
  async get(directory: string): Promise<AdvisoryDatabase> {
    const key = path.resolve(directory);
    const pending = this.#inFlight.get(key);
    if (pending) return pending;
    const work = this.#refresh(key, directory);
    this.#inFlight.set(key, work);
    try {
      return await work;
    } finally {
      this.#inFlight.delete(key);
    }
  }

  async #refresh(key: string, directory: string): Promise<AdvisoryDatabase> {
    const fingerprint = await fingerprintAdvisoryDirectory(directory);
    const cached = this.#entries.get(key);
    if (cached && cached.fingerprint === fingerprint) return cached.db;
    const db = await this.#load(directory);
    // A change while loading leaves the new fingerprint unseen: store the
    // one taken before the load, so the next call reloads again.
    this.#entries.set(key, { fingerprint, db });
    return db;
  }
}

/** The process-wide cache the security check uses. */
export const sharedAdvisoryCache = new AdvisoryDatabaseCache();
