import type {
  ScanFinding,
  ScanSeverity,
  ScanVerdict,
} from '@internal/plugin-model-hub-common';

/**
 * Thrown by a format parser when the content is malformed beyond recovery.
 * Caught by the scanner and turned into an `error` finding; never escapes
 * `scanFile`.
 */
export class MalformedError extends Error {
  constructor(
    readonly rule: string,
    message: string,
    readonly location?: string,
  ) {
    super(message);
    this.name = 'MalformedError';
  }
}

/** Collects findings for one file and whether it could be parsed fully. */
export class ScanReport {
  readonly findings: ScanFinding[] = [];
  parsedFully = true;
  /** Organisation-trusted pickle globals in force for this scan (`module.qualname` or `module.*`). */
  trustedGlobals: readonly string[] = [];

  /** Records one finding. */
  add(
    severity: ScanSeverity,
    rule: string,
    message: string,
    location?: string,
  ) {
    const finding: ScanFinding = { severity, rule, message };
    if (location !== undefined) finding.location = location;
    this.findings.push(finding);
  }

  /** Records that part of the file could not be parsed (verdict `error`). */
  fail(rule: string, message: string, location?: string) {
    this.parsedFully = false;
    this.add('medium', rule, message, location);
  }
}

const SEVERITY_RANK: Record<ScanSeverity, number> = {
  critical: 4,
  high: 3,
  medium: 2,
  low: 1,
};

/** Sorts findings most severe first (stable within a severity). */
export function sortFindings(findings: ScanFinding[]): ScanFinding[] {
  return findings
    .map((f, i) => ({ f, i }))
    .sort(
      (a, b) =>
        SEVERITY_RANK[b.f.severity] - SEVERITY_RANK[a.f.severity] || a.i - b.i,
    )
    .map(x => x.f);
}

/**
 * The verdict implied by a file's findings: `unsafe` if any finding is
 * critical or high, else `error` if the file was not parsed fully, else
 * `unsupported` when the content is no model format, else `safe`.
 */
export function verdictOf(
  findings: ScanFinding[],
  parsedFully: boolean,
  supported: boolean = true,
): ScanVerdict {
  if (findings.some(f => f.severity === 'critical' || f.severity === 'high')) {
    return 'unsafe';
  }
  if (!parsedFully) return 'error';
  if (!supported) return 'unsupported';
  return 'safe';
}

const VERDICT_RANK: Record<ScanVerdict, number> = {
  unsafe: 4,
  error: 3,
  unsupported: 2,
  safe: 1,
};

/**
 * The worst of several verdicts, ordered unsafe > error > unsupported > safe;
 * `safe` for an empty list.
 */
export function worstVerdict(verdicts: Iterable<ScanVerdict>): ScanVerdict {
  let worst: ScanVerdict = 'safe';
  for (const v of verdicts) {
    if (VERDICT_RANK[v] > VERDICT_RANK[worst]) worst = v;
  }
  return worst;
}
