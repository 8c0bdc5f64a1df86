import { createHash } from 'node:crypto';
import { createReadStream, promises as fs } from 'node:fs';
import path from 'node:path';
import { UsageError } from './errors';

/** A file found under a directory, with its path relative to that directory. */
export interface LocalFile {
  /** Path relative to the root, with `/` separators. */
  relPath: string;
  /** Where the bytes are read from (a symlink's resolved target). */
  absPath: string;
  size: number;
}

/**
 * Lists regular files under `root`, recursively, sorted by path. Symbolic
 * links are followed when they resolve to a regular file inside `root` or
 * inside its Hugging Face cache root (the nearest ancestor holding both
 * `blobs/` and `snapshots/`, as in `snapshots/<rev>/x -> ../../blobs/<hash>`);
 * any other link is refused with a one-line reason.
 */
export async function listFiles(root: string): Promise<LocalFile[]> {
  const realRoot = await fs.realpath(root);
  const cacheRoot = await findCacheRoot(realRoot);
  const out: LocalFile[] = [];
  const walk = async (dir: string) => {
    const entries = await fs.readdir(dir, { withFileTypes: true });
    for (const e of entries) {
      const abs = path.join(dir, e.name);
      const relPath = path.relative(root, abs).split(path.sep).join('/');
      if (e.isSymbolicLink()) {
        const target = await fs.realpath(abs).catch(() => undefined);
        if (!target) {
          throw new UsageError(
            `refusing ${relPath}: it is a broken symbolic link`,
          );
        }
        if (
          !within(target, realRoot) &&
          !(cacheRoot && within(target, cacheRoot))
        ) {
          throw new UsageError(
            `refusing ${relPath}: its symbolic link leads outside ${root}${
              cacheRoot ? ` and its cache root ${cacheRoot}` : ''
            } (to ${target})`,
          );
        }
        const stat = await fs.stat(target);
        if (!stat.isFile()) {
          throw new UsageError(
            `refusing ${relPath}: its symbolic link points at a ${
              stat.isDirectory() ? 'directory' : 'non-file'
            }, not a regular file`,
          );
        }
        out.push({ relPath, absPath: target, size: stat.size });
      } else if (e.isDirectory()) {
        await walk(abs);
      } else if (e.isFile()) {
        const { size } = await fs.stat(abs);
        out.push({ relPath, absPath: abs, size });
      }
    }
  };
  await walk(root);
  return out.sort((a, b) => a.relPath.localeCompare(b.relPath));
}

function within(target: string, dir: string): boolean {
  return target === dir || target.startsWith(dir + path.sep);
}

/** The nearest ancestor of `dir` that holds both `blobs/` and `snapshots/`. */
async function findCacheRoot(dir: string): Promise<string | undefined> {
  const isDir = (p: string) =>
    fs.stat(p).then(
      s => s.isDirectory(),
      () => false,
    );
  let current = path.dirname(dir);
  for (;;) {
    if (
      (await isDir(path.join(current, 'blobs'))) &&
      (await isDir(path.join(current, 'snapshots')))
    ) {
      return current;
    }
    const parent = path.dirname(current);
    if (parent === current) return undefined;
    current = parent;
  }
}

/** SHA-256 (hex) of a file, read in large chunks. */
export async function sha256File(
  file: string,
  onBytes?: (done: number) => void,
): Promise<string> {
  return (await hashFileAndParts(file, 0, onBytes)).sha256;
}

/**
 * SHA-256 of a whole file and, in the same single read, of each `partSize`
 * slice (none when `partSize` is 0), so multipart uploads cost no extra pass.
 */
export async function hashFileAndParts(
  file: string,
  partSize: number,
  onBytes?: (done: number) => void,
): Promise<{ sha256: string; parts: string[] }> {
  const whole = createHash('sha256');
  const parts: string[] = [];
  let part = partSize > 0 ? createHash('sha256') : undefined;
  let inPart = 0;
  let done = 0;
  for await (const data of createReadStream(file, {
    highWaterMark: 4 * 1024 * 1024,
  })) {
    let chunk = data as Buffer;
    whole.update(chunk);
    done += chunk.length;
    while (part && chunk.length > 0) {
      const take = Math.min(chunk.length, partSize - inPart);
      part.update(chunk.subarray(0, take));
      inPart += take;
      chunk = chunk.subarray(take);
      if (inPart === partSize) {
        parts.push(part.digest('hex'));
        part = createHash('sha256');
        inPart = 0;
      }
    }
    onBytes?.(done);
  }
  if (part && (inPart > 0 || parts.length === 0))
    parts.push(part.digest('hex'));
  return { sha256: whole.digest('hex'), parts };
}
