import { InputError } from '@backstage/errors';
import { isSha256Hex } from '../artifacts/ArtifactStore';
import {
  assertValidFilePath,
  collisionMessage,
  findPathCollision,
} from './validation';

/** One declared file of a version: what the publisher promises to upload. */
export interface ManifestEntry {
  path: string;
  sha256: string;
  /** Size in bytes; when absent only the hash is compared. */
  size?: number;
}

/** A validated manifest, keyed by path. */
export type Manifest = Map<string, ManifestEntry>;

/**
 * Validates a declared manifest: valid, distinct and non-colliding paths,
 * lower-case hex SHA-256s, non-negative integer sizes.
 * @throws InputError naming the first bad entry
 */
export function normalizeManifest(
  files: ReadonlyArray<{ path: string; sha256: string; size?: number }>,
): Manifest {
  const manifest: Manifest = new Map();
  for (const { path, sha256, size } of files) {
    assertValidFilePath(path);
    const digest = sha256.toLowerCase();
    if (!isSha256Hex(digest)) {
      throw new InputError(
        `Manifest entry '${path}' has an invalid SHA-256 '${sha256}'`,
      );
    }
    if (size !== undefined && (!Number.isSafeInteger(size) || size < 0)) {
      throw new InputError(
        `Manifest entry '${path}' has an invalid size ${size}; expected a byte count`,
      );
    }
    if (manifest.has(path)) {
      throw new InputError(`Manifest lists '${path}' more than once`);
    }
    const other = findPathCollision(path, manifest.keys());
    if (other !== undefined) {
      throw new InputError(
        `Invalid manifest: ${collisionMessage(path, other)}`,
      );
    }
    manifest.set(path, { path, sha256: digest, size });
  }
  return manifest;
}

/** The manifest as stored in the database (sorted, stable). */
export function serializeManifest(manifest: Manifest): string {
  return JSON.stringify(
    [...manifest.values()]
      .sort((a, b) => byPath(a.path, b.path))
      .map(({ path, sha256, size }) =>
        size === undefined ? { path, sha256 } : { path, sha256, size },
      ),
  );
}

/** Reads a stored manifest back. */
export function parseManifest(json: string): Manifest {
  const entries = JSON.parse(json) as ManifestEntry[];
  return new Map(entries.map(e => [e.path, e]));
}

/** True when two manifests declare the same files (sizes compared when both declare one). */
export function sameManifest(a: Manifest, b: Manifest): boolean {
  if (a.size !== b.size) return false;
  for (const [path, entry] of a) {
    const other = b.get(path);
    if (!other || other.sha256 !== entry.sha256) return false;
    if (
      entry.size !== undefined &&
      other.size !== undefined &&
      entry.size !== other.size
    ) {
      return false;
    }
  }
  return true;
}

/**
 * Every difference between stored files and a manifest, in path order:
 * declared files missing or different (size, then hash) first, then files
 * that were not declared. Empty when they match exactly.
 */
export function manifestDifferences(
  files: ReadonlyArray<{ path: string; sha256: string; size: number }>,
  manifest: Manifest,
): string[] {
  const differences: string[] = [];
  const stored = new Map(files.map(f => [f.path, f]));
  for (const path of [...manifest.keys()].sort(byPath)) {
    const declared = manifest.get(path)!;
    const file = stored.get(path);
    if (!file) {
      differences.push(`'${path}' is declared but was not uploaded`);
    } else if (declared.size !== undefined && declared.size !== file.size) {
      differences.push(
        `'${path}' has ${file.size} bytes, the manifest declares ${declared.size}`,
      );
    } else if (declared.sha256 !== file.sha256) {
      differences.push(
        `'${path}' has SHA-256 ${file.sha256}, the manifest declares ${declared.sha256}`,
      );
    }
  }
  for (const path of [...stored.keys()].sort(byPath)) {
    if (!manifest.has(path)) {
      differences.push(`'${path}' was uploaded but is not in the manifest`);
    }
  }
  return differences;
}

/** Code-unit order of paths, the same on every machine and locale. */
function byPath(a: string, b: string): number {
  if (a === b) return 0;
  return a < b ? -1 : 1;
}
