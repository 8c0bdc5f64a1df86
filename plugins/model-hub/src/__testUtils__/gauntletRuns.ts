import { GauntletResult, GauntletRun } from '@internal/plugin-model-hub-common';

let nextId = 1;

/** A stored check result with the evidence shape the real check writes. */
export function checkResult(
  checkId: string,
  status: GauntletResult['status'],
  evidence: GauntletResult['evidence'] = {},
  summary = `${checkId}: ${status}`,
): GauntletResult {
  return {
    id: nextId++,
    runId: 0,
    entityRef: 'model:default/m',
    version: '',
    tier: 'official',
    checkId,
    checkVersion: '1',
    status,
    summary,
    evidence,
    configSha256: 'c'.repeat(64),
    inputsSha256: 'i'.repeat(64),
    startedAt: '2026-12-01T10:00:00Z',
    finishedAt: '2026-12-01T10:00:01Z',
    durationMs: 1000,
  };
}

/** Evidence of the performance check: hub-measured metrics against the tier thresholds. */
export function performanceResult(
  measured: { accuracy: number; f1: number },
  thresholds: { accuracy: number; f1: number } = { accuracy: 0.85, f1: 0.8 },
  status: GauntletResult['status'] = 'pass',
): GauntletResult {
  return checkResult('performance', status, {
    claimed: [
      { name: 'accuracy', value: 0.88, dataset: 'resource:default/holdout' },
      { name: 'f1', value: 0.87, dataset: 'resource:default/holdout' },
    ],
    benchmark: { measured: { rows: 200, ...measured } },
    thresholds: (['accuracy', 'f1'] as const).map(metric => ({
      metric,
      bound: 'min',
      threshold: thresholds[metric],
      value: measured[metric],
      source: 'measured',
      ok: measured[metric] >= thresholds[metric],
    })),
  });
}

/** Evidence of the fairness check: selection rate per group and the thresholds. */
export function fairnessResult(
  rates: Record<string, number>,
  status: GauntletResult['status'] = 'pass',
): GauntletResult {
  const values = Object.values(rates);
  return checkResult('fairness', status, {
    thresholds: {
      maxDemographicParityDifference: 0.1,
      maxEqualizedOddsDifference: 0.1,
      minDisparateImpactRatio: 0.8,
      minGroupSize: 30,
    },
    groups: Object.fromEntries(
      Object.entries(rates).map(([g, r]) => [
        g,
        { count: 100, selection_rate: r, tpr: null, fpr: null, accuracy: null },
      ]),
    ),
    demographic_parity_difference: Math.max(...values) - Math.min(...values),
  });
}

/** A completed run of `version` for `tier` with these results. */
export function completedRun(
  version: string,
  results: GauntletResult[],
  tier: GauntletRun['tier'] = 'official',
  id = nextId++,
): GauntletRun {
  return {
    id,
    entityRef: 'model:default/m',
    version,
    tier,
    trigger: 'sealed',
    status: 'completed',
    attempts: 1,
    queuedAt: '2026-12-01T10:00:00Z',
    results: results.map(r => ({ ...r, runId: id, version })),
  };
}
