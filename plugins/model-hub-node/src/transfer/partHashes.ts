import { stat } from 'node:fs/promises';
import { sha256OfRange } from './fileRanges';
import { HashWorker } from './hashWorker';

/** What identifies one state of a file without reading it. */
export interface FileStamp {
  size: number;
  mtimeMs: number;
  ino: number;
}

/** The SHA-256 of each part of a file, for the file as it was at `stamp`. */
export interface PartHashes {
  partSize: number;
  sha256s: string[];
  stamp: FileStamp;
}

/** The file's size, modification time and inode now. */
export async function fileStamp(file: string): Promise<FileStamp> {
  const s = await stat(file);
  return { size: s.size, mtimeMs: s.mtimeMs, ino: s.ino };
}

/** True when two stamps name the same state of a file. */
export function sameStamp(a: FileStamp, b: FileStamp): boolean {
  return a.size === b.size && a.mtimeMs === b.mtimeMs && a.ino === b.ino;
}

let sharedWorker: HashWorker | undefined;

/**
 * The whole-file SHA-256 and, when the file is larger than one part, every
 * part's SHA-256, in one go: this thread hashes the whole file while a
 * worker thread hashes the parts from the same (page-cached) bytes, so the
 * two hashes cost one hash's time on two cores, and sending the parts later
 * needs no hashing. The part hashes are keyed by the file's stamp; a file
 * changed while it was hashed fails here, and one changed later is caught
 * by the stamp (the parts are hashed again as they are sent) or, failing
 * that, by the hub's check of each part and of the whole file.
 */
export async function sha256WithParts(
  file: string,
  partSize: number,
  onBytes?: (n: number) => void,
  worker: HashWorker = (sharedWorker ??= new HashWorker()),
): Promise<{ sha256: string; size: number; parts?: PartHashes }> {
  const stamp = await fileStamp(file);
  const { size } = stamp;
  const ranges: Array<[number, number]> = [];
  if (size > partSize) {
    for (let start = 0; start < size; start += partSize) {
      ranges.push([start, Math.min(size, start + partSize) - 1]);
    }
  }
  const [sha256, sha256s] = await Promise.all([
    sha256OfRange(file, 0, size - 1, onBytes),
    ranges.length > 0 ? worker.sha256OfRanges(file, ranges) : undefined,
  ]);
  if (!sameStamp(stamp, await fileStamp(file))) {
    throw new Error(
      `${file} changed while it was being hashed; run the same command again once it is written`,
    );
  }
  return {
    sha256,
    size,
    parts: sha256s && { partSize, sha256s, stamp },
  };
}
