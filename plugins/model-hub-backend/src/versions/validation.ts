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
 * Whether a `versionOrAlias` of a route names a version (a semantic version)
 * rather than an alias; aliases are never version strings
 * ({@link assertValidAlias}), so the two cannot be confused.
 */
export function namesVersion(versionOrAlias: string): boolean {
  return semver.valid(versionOrAlias) !== null;
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
  if (namesVersion(alias)) {
    throw new InputError(`Invalid alias '${alias}': it is a version string`);
  }
}

/** Longest path segment (file or directory name) in UTF-8 bytes, as most file systems allow. */
export const MAX_SEGMENT_BYTES = 255;

// C0 and C1 control characters and DEL.
// eslint-disable-next-line no-control-regex
const CONTROL = /[\u0000-\u001f\u007f-\u009f]/u;
// Bidirectional formatting: embeddings/overrides, isolates, marks.
const BIDI = /[\u202a-\u202e\u2066-\u2069\u200e\u200f\u061c]/u;
// A UTF-16 surrogate without its pair: not encodable as UTF-8.
const LONE_SURROGATE =
  /[\ud800-\udbff](?![\udc00-\udfff])|(?<![\ud800-\udbff])[\udc00-\udfff]/;
// Zero-width and invisible joiners, word joiner, byte order mark.
const ZERO_WIDTH = /[\u200b-\u200d\u2060\ufeff]/u;

/**
 * Checks a file path inside a version: relative, `/`-separated, no empty,
 * `.` or `..` segments, no backslashes, no control, bidirectional-formatting
 * or zero-width characters (they make a name display as another), no segment
 * over 255 UTF-8 bytes.
 * @throws InputError otherwise, with a one-line reason
 */
export function assertValidFilePath(path: string): void {
  const shown = JSON.stringify(path).slice(1, -1);
  const reject = (why: string) => {
    throw new InputError(`Invalid file path '${shown}': ${why}`);
  };
  if (path.length === 0) reject('it is empty');
  if (path.length > MAX_PATH_LENGTH) {
    reject(`it is longer than ${MAX_PATH_LENGTH} characters`);
  }
  if (LONE_SURROGATE.test(path)) reject('it contains unpaired surrogates');
  if (path.startsWith('/')) reject('absolute paths are not allowed');
  if (path.includes('\\')) reject('backslashes are not allowed, use /');
  if (CONTROL.test(path)) {
    reject(`control character ${codePoint(path, CONTROL)} is not allowed`);
  }
  if (BIDI.test(path)) {
    reject(
      `bidirectional formatting character ${codePoint(
        path,
        BIDI,
      )} is not allowed (it can make a name display as another)`,
    );
  }
  if (ZERO_WIDTH.test(path)) {
    reject(
      `invisible zero-width character ${codePoint(
        path,
        ZERO_WIDTH,
      )} is not allowed`,
    );
  }
  if (/^[a-zA-Z]:/.test(path)) reject('drive letters are not allowed');
  for (const segment of path.split('/')) {
    if (segment === '') reject('empty path segments are not allowed');
    if (segment === '..') reject("'..' segments are not allowed");
    if (segment === '.') reject("'.' segments are not allowed");
    const bytes = Buffer.byteLength(segment, 'utf8');
    if (bytes > MAX_SEGMENT_BYTES) {
      reject(
        `segment '${segment.slice(
          0,
          16,
        )}…' is ${bytes} bytes in UTF-8, over the limit of ${MAX_SEGMENT_BYTES}`,
      );
    }
  }
}

// The collision rule is shared with `model-hub pull`, which refuses a list
// from a hub that breaks it.
export {
  collisionMessage,
  findPathCollision,
  pathCollisionKey,
} from '@internal/plugin-model-hub-common';

function codePoint(path: string, pattern: RegExp): string {
  const char = pattern.exec(path)![0];
  return `U+${char
    .codePointAt(0)!
    .toString(16)
    .toUpperCase()
    .padStart(4, '0')}`;
}
