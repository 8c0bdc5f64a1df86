import { createHash } from 'node:crypto';
import { createReadStream, promises as fs } from 'node:fs';
import path from 'node:path';

/** A file found under a directory, with its path relative to that directory. */
export interface LocalFile {
  /** Path relative to the root, with `/` separators. */
  relPath: string;
  absPath: string;
  size: number;
}

/** Lists regular files under `root`, recursively, sorted by path; symlinks are refused. */
export async function listFiles(root: string): Promise<LocalFile[]> {
  const out: LocalFile[] = [];
  const walk = async (dir: string) => {
    const entries = await fs.readdir(dir, { withFileTypes: true });
    for (const e of entries) {
      const abs = path.join(dir, e.name);
      if (e.isSymbolicLink()) {
        throw new Error(`refusing to publish a symbolic link: ${abs}`);
      }
      if (e.isDirectory()) await walk(abs);
      else if (e.isFile()) {
        const { size } = await fs.stat(abs);
        out.push({
          relPath: path.relative(root, abs).split(path.sep).join('/'),
          absPath: abs,
          size,
        });
      }
    }
  };
  await walk(root);
  return out.sort((a, b) => a.relPath.localeCompare(b.relPath));
}

/** SHA-256 (hex) of a file, read in large chunks. */
export async function sha256File(
  file: string,
  onBytes?: (done: number) => void,
): Promise<string> {
  const hash = createHash('sha256');
  let done = 0;
  for await (const chunk of createReadStream(file, {
    highWaterMark: 4 * 1024 * 1024,
  })) {
    hash.update(chunk as Buffer);
    done += (chunk as Buffer).length;
    onBytes?.(done);
  }
  return hash.digest('hex');
}
