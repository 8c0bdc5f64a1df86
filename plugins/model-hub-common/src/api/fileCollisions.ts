/**
 * When two file paths of one version are the same file on disk: after
 * Unicode (NFC) normalisation and case folding, as macOS and Windows see
 * names, or when one needs the other as a directory (`a` and `a/b`). The hub
 * refuses such a version; `model-hub pull` refuses such a list from a hub.
 */

/**
 * The key under which two paths count as the same file: NFC-normalised and
 * case-folded (lower case after upper case, so `ß` and `SS` meet), as
 * case-insensitive or normalising file systems (macOS, Windows) would see it.
 */
export function pathCollisionKey(path: string): string {
  return path.normalize('NFC').toUpperCase().toLowerCase().normalize('NFC');
}

/**
 * The first path among `existing` (other than `path` itself) that collides
 * with `path` after case folding or Unicode normalisation, or that needs
 * `path` (or is needed by it) as a directory, if any.
 */
export function findPathCollision(
  path: string,
  existing: Iterable<string>,
): string | undefined {
  const key = pathCollisionKey(path);
  for (const other of existing) {
    if (other === path) continue;
    const otherKey = pathCollisionKey(other);
    // The same name, or a file where the other needs a directory (`a` and
    // `a/b`): either way one of them cannot be written when pulled.
    if (
      otherKey === key ||
      otherKey.startsWith(`${key}/`) ||
      key.startsWith(`${otherKey}/`)
    ) {
      return other;
    }
  }
  return undefined;
}

/**
 * The first pair of paths in `paths` that collide (see
 * {@link findPathCollision}; the same path listed twice counts too), in
 * one pass over the list and each path's directories.
 */
export function firstPathCollision(
  paths: Iterable<string>,
): [string, string] | undefined {
  /** A path by its key, and every directory some path needs, by key. */
  const files = new Map<string, string>();
  const dirs = new Map<string, string>();
  for (const path of paths) {
    const key = pathCollisionKey(path);
    const clash = files.get(key) ?? dirs.get(key);
    if (clash !== undefined) return [clash, path];
    const segments = key.split('/');
    for (let i = 1; i < segments.length; i++) {
      const dir = segments.slice(0, i).join('/');
      const file = files.get(dir);
      if (file !== undefined) return [file, path];
      if (!dirs.has(dir)) dirs.set(dir, path);
    }
    files.set(key, path);
  }
  return undefined;
}

/** The one-line reason a path collides with another file of a version. */
export function collisionMessage(path: string, other: string): string {
  const show = (p: string) => JSON.stringify(p).slice(1, -1);
  return `File path '${show(path)}' collides with '${show(
    other,
  )}' in the same version: they are the same name after case folding or Unicode (NFC) normalisation, or one needs the other as a directory; rename one`;
}
