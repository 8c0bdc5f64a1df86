import { InputError } from '@backstage/errors';
import semver from 'semver';

const ALIAS = /^[a-z][a-z0-9-]{0,62}$/;
const MAX_PATH_LENGTH = 1024;

/**
 * Checks that `version` is a semantic version in canonical form (`1.2.0`,
 * `2.0.0-rc.1`), as used in URLs and sort order.
 * @throws InputError otherwise
 */
export function assertValidVersion(version: string): void {
  const canonical = semver.valid(version);
  if (canonical && canonical !== version) {
    throw new InputError(
      `Invalid version '${version}': use the canonical form '${canonical}' (no 'v' prefix or build metadata)`,
    );
  }
  if (!canonical) {
    throw new InputError(
      `Invalid version '${version}': expected a semantic version such as 1.2.0`,
    );
  }
}

/**
 * Checks an alias name: `[a-z][a-z0-9-]{0,62}` and not itself a version (so
 * `GET .../versions/:versionOrAlias` is never ambiguous).
 * @throws InputError otherwise
 */
export function assertValidAlias(alias: string): void {
  if (!ALIAS.test(alias)) {
    throw new InputError(
      `Invalid alias '${alias}': use 1-63 characters a-z, 0-9 and '-', starting with a letter`,
    );
  }
  if (semver.valid(alias)) {
    throw new InputError(`Invalid alias '${alias}': it is a version string`);
  }
}

/**
 * Checks a file path inside a version: relative, `/`-separated, no empty,
 * `.` or `..` segments, no backslashes or control characters.
 * @throws InputError otherwise
 */
export function assertValidFilePath(path: string): void {
  const reject = (why: string) => {
    throw new InputError(`Invalid file path '${path}': ${why}`);
  };
  if (path.length === 0) reject('it is empty');
  if (path.length > MAX_PATH_LENGTH) {
    reject(`it is longer than ${MAX_PATH_LENGTH} characters`);
  }
  if (path.startsWith('/')) reject('absolute paths are not allowed');
  if (path.includes('\\')) reject('backslashes are not allowed, use /');
  // eslint-disable-next-line no-control-regex
  if (/[\u0000-\u001f\u007f]/.test(path)) {
    reject('control characters are not allowed');
  }
  if (/^[a-zA-Z]:/.test(path)) reject('drive letters are not allowed');
  for (const segment of path.split('/')) {
    if (segment === '') reject('empty path segments are not allowed');
    if (segment === '..') reject("'..' segments are not allowed");
    if (segment === '.') reject("'.' segments are not allowed");
  }
}
