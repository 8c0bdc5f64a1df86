import { constants, promises as fs } from 'node:fs';
import path from 'node:path';
import { PortalError } from './portal';

/**
 * The local path of version file `filePath` under `outDir` (absolute), with
 * its parent directories created. The file list comes from the hub, and the
 * directory may already hold entries the CLI did not make: a path leaving
 * `outDir`, or a parent that is a symlink (which would carry the write
 * elsewhere), is refused.
 * @throws PortalError
 */
export async function prepareOutputFile(
  outDir: string,
  filePath: string,
): Promise<string> {
  const target = path.resolve(outDir, ...filePath.split('/'));
  if (!target.startsWith(outDir + path.sep)) {
    throw new PortalError(`refusing to write ${filePath} outside ${outDir}`);
  }
  let dir = outDir;
  const parents = path.relative(outDir, path.dirname(target));
  for (const segment of parents.split(path.sep).filter(Boolean)) {
    dir = path.join(dir, segment);
    await fs.mkdir(dir).catch(error => {
      if ((error as NodeJS.ErrnoException).code !== 'EEXIST') throw error;
    });
    if (!(await fs.lstat(dir)).isDirectory()) {
      throw notOurs(filePath, dir, 'not a directory');
    }
  }
  return target;
}

/**
 * Opens the partial download `partial` without following a symlink:
 * `resume` continues the bytes there, else the file is created or emptied.
 * Call {@link partialSize} first: it refuses what is not a regular file.
 * @throws PortalError when `partial` is a symlink
 */
export async function openPartial(
  filePath: string,
  partial: string,
  resume: boolean,
): Promise<fs.FileHandle> {
  // O_NOFOLLOW is missing on Windows; the lstat of the caller covers it there.
  const noFollow = constants.O_NOFOLLOW ?? 0;
  const flags = resume
    ? constants.O_RDWR | noFollow
    : constants.O_WRONLY | constants.O_CREAT | constants.O_TRUNC | noFollow;
  return fs.open(partial, flags, 0o644).catch(error => {
    if ((error as NodeJS.ErrnoException).code === 'ELOOP') {
      throw notOurs(filePath, partial, 'a symlink');
    }
    throw error;
  });
}

/**
 * The size of a partial download left by an earlier run, 0 when there is
 * none.
 * @throws PortalError when `partial` is a symlink or not a regular file
 */
export async function partialSize(
  filePath: string,
  partial: string,
): Promise<number> {
  const stats = await fs.lstat(partial).catch(error => {
    if ((error as NodeJS.ErrnoException).code === 'ENOENT') return undefined;
    throw error;
  });
  if (stats && !stats.isFile()) {
    throw notOurs(
      filePath,
      partial,
      stats.isSymbolicLink() ? 'a symlink' : 'not a regular file',
    );
  }
  return stats?.size ?? 0;
}

function notOurs(filePath: string, local: string, what: string) {
  return new PortalError(
    `refusing to write ${filePath}: ${local} is ${what}, which pull does not create and will not write through; remove it and pull again`,
  );
}
