import { ModelVersion } from '@internal/plugin-model-hub-common';

function parseVersion(v: string): { nums: number[]; pre: string | undefined } {
  const [core, ...preParts] = v.replace(/^v/, '').split('-');
  const nums = core.split('.').map(n => {
    const parsed = Number.parseInt(n, 10);
    return Number.isFinite(parsed) ? parsed : 0;
  });
  return { nums, pre: preParts.length ? preParts.join('-') : undefined };
}

/** Compares two semantic versions; negative when `a` sorts before `b`. */
export function compareVersions(a: string, b: string): number {
  const pa = parseVersion(a);
  const pb = parseVersion(b);
  for (let i = 0; i < Math.max(pa.nums.length, pb.nums.length); i++) {
    const diff = (pa.nums[i] ?? 0) - (pb.nums[i] ?? 0);
    if (diff !== 0) {
      return diff;
    }
  }
  if (pa.pre === pb.pre) {
    return 0;
  }
  if (pa.pre === undefined) {
    return 1;
  }
  if (pb.pre === undefined) {
    return -1;
  }
  return pa.pre < pb.pre ? -1 : 1;
}

/** Versions sorted newest first (by semantic version). */
export function sortVersionsNewestFirst(
  versions: ModelVersion[],
): ModelVersion[] {
  return [...versions].sort((a, b) => compareVersions(b.version, a.version));
}

/** What `model-hub pull` should name: an alias or a concrete sealed version. */
export interface PullTarget {
  /** `latest` when that alias exists on a sealed version, else the version. */
  selector: string;
  /** The sealed version the selector resolves to. */
  version: ModelVersion;
}

/**
 * Picks what a consumer should pull: the sealed version behind the `latest`
 * alias when present, otherwise the newest sealed version; `undefined` when
 * nothing is sealed yet (drafts cannot be pulled reliably).
 */
export function pickPullTarget(
  versions: ModelVersion[],
): PullTarget | undefined {
  const sealed = sortVersionsNewestFirst(
    versions.filter(v => v.state === 'sealed'),
  );
  const latest = sealed.find(v => v.aliases.includes('latest'));
  if (latest) {
    return { selector: 'latest', version: latest };
  }
  return sealed[0]
    ? { selector: sealed[0].version, version: sealed[0] }
    : undefined;
}
