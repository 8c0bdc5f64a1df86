import { promises as fs } from 'node:fs';
import path from 'node:path';
// Only the transfer module: the package index would load the scanner and
// gauntlet too, slowing every CLI start.
// eslint-disable-next-line @backstage/no-forbidden-package-imports
import { sha256OfRange } from '@internal/plugin-model-hub-node/src/transfer';
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

/** SHA-256 (hex) of a file, read in large chunks (near OpenSSL speed). */
export async function sha256File(
  file: string,
  onBytes?: (done: number) => void,
): Promise<string> {
  const size = (await fs.stat(file)).size;
  let done = 0;
  return sha256OfRange(file, 0, size - 1, n => {
    done += n;
    onBytes?.(done);
  });
}
