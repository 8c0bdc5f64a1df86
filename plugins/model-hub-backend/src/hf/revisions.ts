import { createHash } from 'node:crypto';
import { ModelVersion } from '@internal/plugin-model-hub-common';
import semver from 'semver';
import { HfNotFoundError } from './errors';

/** Revisions that mean "the current version", as Hugging Face clients send them. */
const MAIN_REVISIONS = new Set(['main', 'HEAD']);
/** The alias that `main` follows when a model has it. */
const LATEST_ALIAS = 'latest';
const COMMIT = /^[0-9a-f]{40}$/;

/**
 * The SHA-256 of a version's manifest: its files (path, SHA-256, size)
 * sorted by path, as canonical JSON.
 */
export function manifestDigest(version: ModelVersion): string {
  const files = [...version.files]
    .sort((a, b) => byPath(a.path, b.path))
    .map(f => ({ path: f.path, sha256: f.sha256, size: f.size }));
  return createHash('sha256').update(JSON.stringify(files)).digest('hex');
}

/**
 * The stable 40-hex "commit id" of a sealed version, as Hugging Face clients
 * expect in `sha` and `X-Repo-Commit`: SHA-1 over the model ref, the version
 * and the manifest digest. A sealed version never changes, so neither does
 * its commit id; two models (or versions) with equal files get different ids.
 */
export function commitShaOf(version: ModelVersion): string {
  return createHash('sha1')
    .update(
      `model-hub-commit\n${version.entityRef.toLocaleLowerCase('en-US')}\n${
        version.version
      }\n${manifestDigest(version)}`,
    )
    .digest('hex');
}

/** A sealed version with its commit id. */
export interface ResolvedRevision {
  version: ModelVersion;
  sha: string;
}

/**
 * The sealed version a revision names: `main`/`HEAD` (the `latest` alias,
 * else the highest sealed version), a version string, an alias, or a commit
 * id. Drafts are never served.
 * @throws HfNotFoundError (`RevisionNotFound`) when nothing matches
 */
export function resolveRevision(
  versions: readonly ModelVersion[],
  revision: string,
  repoId: string,
): ResolvedRevision {
  const sealed = versions.filter(v => v.state === 'sealed');
  const found = findRevision(sealed, revision);
  if (!found) {
    throw new HfNotFoundError(
      'RevisionNotFound',
      sealed.length === 0
        ? `${repoId} has no sealed version yet; publish and seal one first`
        : `${repoId} has no sealed version, alias or commit '${revision}'`,
    );
  }
  return { version: found, sha: commitShaOf(found) };
}

/** The version `main` stands for, or undefined when nothing is sealed. */
export function mainVersion(
  sealed: readonly ModelVersion[],
): ModelVersion | undefined {
  return (
    sealed.find(v => v.aliases.includes(LATEST_ALIAS)) ??
    [...sealed].sort(compareVersions)[0]
  );
}

function findRevision(
  sealed: readonly ModelVersion[],
  revision: string,
): ModelVersion | undefined {
  if (MAIN_REVISIONS.has(revision)) return mainVersion(sealed);
  const exact = sealed.find(v => v.version === revision);
  if (exact) return exact;
  const aliased = sealed.find(v => v.aliases.includes(revision));
  if (aliased) return aliased;
  if (COMMIT.test(revision)) {
    return sealed.find(v => commitShaOf(v) === revision);
  }
  return undefined;
}

/** Highest semantic version first; non-semver strings last, newest first. */
function compareVersions(a: ModelVersion, b: ModelVersion): number {
  const va = semver.valid(a.version);
  const vb = semver.valid(b.version);
  if (va && vb) return semver.rcompare(va, vb);
  if (va) return -1;
  if (vb) return 1;
  return (b.sealedAt ?? b.createdAt).localeCompare(a.sealedAt ?? a.createdAt);
}

function byPath(a: string, b: string): number {
  if (a === b) return 0;
  return a < b ? -1 : 1;
}
