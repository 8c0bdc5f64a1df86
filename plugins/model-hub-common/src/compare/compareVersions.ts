import { GauntletCheckStatus } from '../api/gauntlet';
import { metricKey } from './metricDirection';
import { VersionSnapshot } from './snapshot';

/** How a value moved from version A to version B. */
export type ChangeDirection =
  | 'better'
  | 'worse'
  | 'same'
  | 'changed'
  | 'added'
  | 'removed';

/** One metric of two versions. */
export interface MetricComparison {
  name: string;
  a?: number;
  b?: number;
  /** `b - a` when both exist. */
  delta?: number;
  higherIsBetter: boolean;
  threshold?: number;
  direction: ChangeDirection;
}

/** One gauntlet check of two versions. */
export interface CheckComparison {
  checkId: string;
  a?: GauntletCheckStatus;
  b?: GauntletCheckStatus;
  summaryA?: string;
  summaryB?: string;
  direction: ChangeDirection;
}

/** An added, removed or changed entry (file or dependency). */
export interface EntryChange<T> {
  key: string;
  a?: T;
  b?: T;
}

/** Added, removed and changed entries; the rest are unchanged. */
export interface SetComparison<T> {
  added: EntryChange<T>[];
  removed: EntryChange<T>[];
  changed: EntryChange<T>[];
  unchanged: number;
}

/** Two versions side by side: what {@link compareVersions} returns. */
export interface VersionComparison {
  a: string;
  b: string;
  tier: { a?: string; b?: string; changed: boolean };
  license: { a?: string; b?: string; changed: boolean };
  metrics: MetricComparison[];
  /** Regressions (passed → failed) first, then fixes, other changes, unchanged. */
  checks: CheckComparison[];
  dependencies: SetComparison<{ name: string; specifier: string }>;
  files: SetComparison<{ path: string; size: number; sha256: string }>;
}

/** Badness of a check status: passing 0, a warning 1, failing 2. */
function rank(status: GauntletCheckStatus): number {
  switch (status) {
    case 'pass':
    case 'not-applicable':
      return 0;
    case 'warn':
      return 1;
    default:
      return 2;
  }
}

const CHECK_ORDER: Record<ChangeDirection, number> = {
  worse: 0,
  better: 1,
  changed: 2,
  added: 3,
  removed: 4,
  same: 5,
};

function compareChecks(
  a: VersionSnapshot,
  b: VersionSnapshot,
): CheckComparison[] {
  const ids = [
    ...new Set([...a.checks, ...b.checks].map(c => c.checkId)),
  ].sort();
  const out = ids.map(checkId => {
    const ca = a.checks.find(c => c.checkId === checkId);
    const cb = b.checks.find(c => c.checkId === checkId);
    let direction: ChangeDirection;
    if (!ca) direction = 'added';
    else if (!cb) direction = 'removed';
    else if (ca.status === cb.status) direction = 'same';
    else if (rank(cb.status) > rank(ca.status)) direction = 'worse';
    else if (rank(cb.status) < rank(ca.status)) direction = 'better';
    else direction = 'changed';
    return {
      checkId,
      a: ca?.status,
      b: cb?.status,
      summaryA: ca?.summary,
      summaryB: cb?.summary,
      direction,
    };
  });
  return out.sort(
    (x, y) =>
      CHECK_ORDER[x.direction] - CHECK_ORDER[y.direction] ||
      x.checkId.localeCompare(y.checkId),
  );
}

/** Differences smaller than this are rounding, not change. */
const EPSILON = 1e-9;

function compareMetrics(
  a: VersionSnapshot,
  b: VersionSnapshot,
): MetricComparison[] {
  const keys = [
    ...new Set([...a.metrics, ...b.metrics].map(m => metricKey(m.name))),
  ];
  return keys
    .map(key => {
      const ma = a.metrics.find(m => metricKey(m.name) === key);
      const mb = b.metrics.find(m => metricKey(m.name) === key);
      const ref = (mb ?? ma)!;
      let direction: ChangeDirection;
      let delta: number | undefined;
      if (!ma) direction = 'added';
      else if (!mb) direction = 'removed';
      else {
        delta = mb.value - ma.value;
        if (Math.abs(delta) < EPSILON) direction = 'same';
        else direction = delta > 0 === ref.higherIsBetter ? 'better' : 'worse';
      }
      return {
        name: ref.name,
        a: ma?.value,
        b: mb?.value,
        delta,
        higherIsBetter: ref.higherIsBetter,
        threshold: mb?.threshold ?? ma?.threshold,
        direction,
      };
    })
    .sort((x, y) => x.name.localeCompare(y.name));
}

function compareSets<T>(
  a: T[],
  b: T[],
  keyOf: (t: T) => string,
  same: (x: T, y: T) => boolean,
): SetComparison<T> {
  const mapA = new Map(a.map(t => [keyOf(t), t]));
  const mapB = new Map(b.map(t => [keyOf(t), t]));
  const result: SetComparison<T> = {
    added: [],
    removed: [],
    changed: [],
    unchanged: 0,
  };
  for (const [key, ta] of mapA) {
    const tb = mapB.get(key);
    if (!tb) result.removed.push({ key, a: ta });
    else if (same(ta, tb)) result.unchanged++;
    else result.changed.push({ key, a: ta, b: tb });
  }
  for (const [key, tb] of mapB) {
    if (!mapA.has(key)) result.added.push({ key, b: tb });
  }
  const byKey = (x: EntryChange<T>, y: EntryChange<T>) =>
    x.key < y.key ? -1 : Number(x.key > y.key);
  result.added.sort(byKey);
  result.removed.sort(byKey);
  result.changed.sort(byKey);
  return result;
}

/**
 * Compares two versions of a model: metric deltas judged by each metric's
 * direction, gauntlet checks with regressions first, tier, license, and the
 * dependencies and files added, removed or changed from A to B.
 */
export function compareVersions(
  a: VersionSnapshot,
  b: VersionSnapshot,
): VersionComparison {
  return {
    a: a.version,
    b: b.version,
    tier: { a: a.tier, b: b.tier, changed: a.tier !== b.tier },
    license: { a: a.license, b: b.license, changed: a.license !== b.license },
    metrics: compareMetrics(a, b),
    checks: compareChecks(a, b),
    dependencies: compareSets(
      a.dependencies,
      b.dependencies,
      d => d.name.toLowerCase(),
      (x, y) => x.specifier === y.specifier,
    ),
    files: compareSets(
      a.files,
      b.files,
      f => f.path,
      (x, y) => x.sha256 === y.sha256 && x.size === y.size,
    ),
  };
}
