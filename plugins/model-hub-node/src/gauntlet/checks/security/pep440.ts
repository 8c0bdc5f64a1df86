/**
 * PEP 440 version parsing and ordering, enough for advisory ranges:
 * `[N!]N(.N)*[{a|b|rc}N][.postN][.devN][+local]` with the usual spellings
 * (`alpha`, `c`, `pre`, `-1` post releases, `_`/`-` separators).
 */

/** A parsed PEP 440 version. */
export interface Pep440Version {
  epoch: number;
  release: number[];
  /** Pre-release: phase 0 = a, 1 = b, 2 = rc. */
  pre?: [number, number];
  post?: number;
  dev?: number;
  /** The local label (`+cu121`); ignored by ordering, as advisories do. */
  local?: string;
}

const VERSION_RE =
  /^v?(?:(\d+)!)?(\d+(?:\.\d+)*)(?:[-_.]?(a|alpha|b|beta|c|rc|pre|preview)[-_.]?(\d*))?(?:(?:-(\d+))|(?:[-_.]?(post|rev|r)[-_.]?(\d*)))?(?:[-_.]?(dev)[-_.]?(\d*))?(?:\+([a-z0-9]+(?:[-_.][a-z0-9]+)*))?$/i;

const PRE_PHASE: Record<string, number> = {
  a: 0,
  alpha: 0,
  b: 1,
  beta: 1,
  c: 2,
  rc: 2,
  pre: 2,
  preview: 2,
};

/** Parses a PEP 440 version, or returns undefined when it is not one. */
export function parsePep440(text: string): Pep440Version | undefined {
  const m = VERSION_RE.exec(text.trim());
  if (!m) return undefined;
  const version: Pep440Version = {
    epoch: m[1] ? Number(m[1]) : 0,
    release: m[2].split('.').map(Number),
  };
  if (m[3]) version.pre = [PRE_PHASE[m[3].toLowerCase()], Number(m[4] || 0)];
  if (m[5] !== undefined) version.post = Number(m[5]);
  else if (m[6]) version.post = Number(m[7] || 0);
  if (m[8]) version.dev = Number(m[9] || 0);
  if (m[10]) version.local = m[10];
  return version;
}

function compareRelease(a: number[], b: number[]): number {
  const n = Math.max(a.length, b.length);
  for (let i = 0; i < n; i++) {
    const d = (a[i] ?? 0) - (b[i] ?? 0);
    if (d !== 0) return Math.sign(d);
  }
  return 0;
}

/**
 * Sort key of the suffixes: dev-only releases sort before pre-releases,
 * which sort before the final release, which sorts before post releases.
 */
function suffixKey(v: Pep440Version): number[] {
  let pre = [3, 0];
  if (v.pre !== undefined) pre = [v.pre[0], v.pre[1]];
  else if (v.post === undefined && v.dev !== undefined) pre = [-1, 0];
  const post = v.post === undefined ? -1 : v.post;
  const dev = v.dev === undefined ? Infinity : v.dev;
  return [...pre, post, dev];
}

/** Compares two parsed versions: negative, zero or positive. */
export function comparePep440(a: Pep440Version, b: Pep440Version): number {
  if (a.epoch !== b.epoch) return Math.sign(a.epoch - b.epoch);
  const r = compareRelease(a.release, b.release);
  if (r !== 0) return r;
  const ka = suffixKey(a);
  const kb = suffixKey(b);
  for (let i = 0; i < ka.length; i++) {
    if (ka[i] !== kb[i]) return ka[i] < kb[i] ? -1 : 1;
  }
  return 0;
}

/**
 * Compares two version strings.
 * @throws TypeError when either is not a PEP 440 version
 */
export function comparePep440Strings(a: string, b: string): number {
  const pa = parsePep440(a);
  const pb = parsePep440(b);
  if (!pa) throw new TypeError(`"${a}" is not a PEP 440 version`);
  if (!pb) throw new TypeError(`"${b}" is not a PEP 440 version`);
  return comparePep440(pa, pb);
}

/** Normalizes a Python distribution name (PEP 503): lower case, runs of `-_.` become `-`. */
export function normalizePythonName(name: string): string {
  return name
    .trim()
    .toLowerCase()
    .replace(/[-_.]+/g, '-');
}
