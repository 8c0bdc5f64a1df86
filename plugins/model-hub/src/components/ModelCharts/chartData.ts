import {
  metricKey,
  VersionFairness,
  VersionSnapshot,
} from '@internal/plugin-model-hub-common';

/** One metric across versions, oldest first, with the tier threshold. */
export interface MetricSeries {
  name: string;
  higherIsBetter: boolean;
  /** The threshold of the newest version that has one. */
  threshold?: number;
  points: Array<{ version: string; value?: number; source?: string }>;
}

/** Every metric of the snapshots (oldest first) as a series, by name. */
export function metricSeries(snapshots: VersionSnapshot[]): MetricSeries[] {
  const byKey = new Map<string, MetricSeries>();
  for (const s of snapshots) {
    for (const m of s.metrics) {
      const key = metricKey(m.name);
      if (!byKey.has(key)) {
        byKey.set(key, {
          name: m.name,
          higherIsBetter: m.higherIsBetter,
          points: [],
        });
      }
      const series = byKey.get(key)!;
      if (m.threshold !== undefined) series.threshold = m.threshold;
    }
  }
  for (const [key, series] of byKey) {
    series.points = snapshots.map(s => {
      const m = s.metrics.find(x => metricKey(x.name) === key);
      return { version: s.version, value: m?.value, source: m?.source };
    });
  }
  return [...byKey.values()].sort((a, b) => a.name.localeCompare(b.name));
}

/** The fairness bars of one version and the lowest selection rate the tier allows. */
export function fairnessBars(fairness: VersionFairness): {
  groups: Array<{
    group: string;
    count: number;
    selectionRate: number;
    withinLimit?: boolean;
  }>;
  /** Highest group rate minus the allowed demographic parity difference. */
  lowestAllowed?: number;
} {
  const rates = fairness.groups.map(g => g.selectionRate);
  const highest = rates.length ? Math.max(...rates) : undefined;
  const max = fairness.maxDemographicParityDifference;
  const lowestAllowed =
    highest !== undefined && max !== undefined
      ? Math.max(0, highest - max)
      : undefined;
  return {
    groups: fairness.groups.map(g => ({
      ...g,
      withinLimit:
        lowestAllowed === undefined
          ? undefined
          : g.selectionRate >= lowestAllowed - 1e-9,
    })),
    lowestAllowed,
  };
}
