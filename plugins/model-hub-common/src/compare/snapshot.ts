import { JsonObject, JsonValue } from '@backstage/types';
import { ModelTier } from '../entity';
import { GauntletCheckStatus, GauntletRun } from '../api/gauntlet';
import { ModelVersion } from '../api/types';
import { isLowerBetter, metricKey } from './metricDirection';

/** One metric of a version, as the gauntlet saw it. */
export interface VersionMetric {
  name: string;
  value: number;
  /** `measured` by the hub (benchmark re-run), or `claimed` in the model card. */
  source: 'measured' | 'claimed';
  /** Which way is better: from the tier threshold's bound, else by the metric's name. */
  higherIsBetter: boolean;
  /** The tier threshold the gauntlet applied, when one is configured. */
  threshold?: number;
}

/** One check of a version's gauntlet run. */
export interface VersionCheck {
  checkId: string;
  status: GauntletCheckStatus;
  summary: string;
}

/** A dependency declared by a requirements file of the version. */
export interface VersionDependency {
  name: string;
  /** `==1.2.3`, `>=2`, or empty when unconstrained. */
  specifier: string;
}

/** Selection rate of one sensitive group, from the fairness check. */
export interface FairnessGroup {
  group: string;
  count: number;
  selectionRate: number;
}

/** The fairness evaluation of a version with the thresholds it was held to. */
export interface VersionFairness {
  groups: FairnessGroup[];
  demographicParityDifference?: number;
  /** Largest allowed demographic parity difference (the tier threshold). */
  maxDemographicParityDifference?: number;
  disparateImpactRatio?: number;
  minDisparateImpactRatio?: number;
}

/**
 * What one version is, for comparing and charting: its files, and what its
 * latest completed gauntlet run found (tier, license, metrics, checks,
 * dependencies, fairness). Built from wire types only, so the CLI can
 * build it too.
 */
export interface VersionSnapshot {
  version: string;
  createdAt: string;
  files: Array<{ path: string; size: number; sha256: string }>;
  /** Tier the run checked the version for; undefined without a completed run. */
  tier?: ModelTier;
  /** Id of the run the facts come from. */
  runId?: number;
  license?: string;
  metrics: VersionMetric[];
  checks: VersionCheck[];
  dependencies: VersionDependency[];
  fairness?: VersionFairness;
}

function isObject(v: JsonValue | undefined): v is JsonObject {
  return typeof v === 'object' && v !== null && !Array.isArray(v);
}

function num(v: JsonValue | undefined): number | undefined {
  return typeof v === 'number' && Number.isFinite(v) ? v : undefined;
}

function str(v: JsonValue | undefined): string | undefined {
  return typeof v === 'string' ? v : undefined;
}

function objects(v: JsonValue | undefined): JsonObject[] {
  return Array.isArray(v) ? v.filter(isObject) : [];
}

/**
 * The latest completed run of a version (runs in any order), for `tier`
 * when given and such a run exists: a version is checked once per tier, and
 * the tier the model asks for is the one its page is about.
 */
export function latestCompletedRun(
  runs: GauntletRun[],
  tier?: ModelTier,
): GauntletRun | undefined {
  const completed = runs
    .filter(r => r.status === 'completed')
    .sort((a, b) => b.id - a.id);
  return completed.find(r => r.tier === tier) ?? completed[0];
}

function readMetrics(evidence: JsonObject): VersionMetric[] {
  const byKey = new Map<string, VersionMetric>();
  const thresholds = new Map<string, { bound: string; value: number }>();
  for (const t of objects(evidence.thresholds)) {
    const metric = str(t.metric);
    const threshold = num(t.threshold);
    if (metric && threshold !== undefined) {
      thresholds.set(metricKey(metric), {
        bound: str(t.bound) ?? 'min',
        value: threshold,
      });
    }
  }
  const add = (
    name: string,
    value: number,
    source: VersionMetric['source'],
  ) => {
    const key = metricKey(name);
    const existing = byKey.get(key);
    if (existing && existing.source === 'measured') return;
    const t = thresholds.get(key);
    byKey.set(key, {
      name: existing?.name ?? name,
      value,
      source,
      higherIsBetter: t ? t.bound !== 'max' : !isLowerBetter(name),
      ...(t ? { threshold: t.value } : {}),
    });
  };
  for (const c of objects(evidence.claimed)) {
    const name = str(c.name);
    const value = num(c.value);
    if (name && value !== undefined) add(name, value, 'claimed');
  }
  const benchmark = isObject(evidence.benchmark) ? evidence.benchmark : {};
  const measured = isObject(benchmark.measured) ? benchmark.measured : {};
  for (const name of ['accuracy', 'precision', 'recall', 'f1']) {
    const value = num(measured[name]);
    if (value !== undefined) add(name, value, 'measured');
  }
  for (const t of objects(evidence.thresholds)) {
    const name = str(t.metric);
    const value = num(t.value);
    if (name && value !== undefined && !byKey.has(metricKey(name))) {
      add(name, value, str(t.source) === 'measured' ? 'measured' : 'claimed');
    }
  }
  return [...byKey.values()];
}

function readFairness(evidence: JsonObject): VersionFairness | undefined {
  if (!isObject(evidence.groups)) return undefined;
  const groups: FairnessGroup[] = [];
  for (const [group, g] of Object.entries(evidence.groups)) {
    if (!isObject(g)) continue;
    const rate = num(g.selection_rate);
    if (rate === undefined) continue;
    groups.push({ group, count: num(g.count) ?? 0, selectionRate: rate });
  }
  const t = isObject(evidence.thresholds) ? evidence.thresholds : {};
  return {
    groups: groups.sort((a, b) => a.group.localeCompare(b.group)),
    demographicParityDifference: num(evidence.demographic_parity_difference),
    maxDemographicParityDifference: num(t.maxDemographicParityDifference),
    disparateImpactRatio: num(evidence.disparate_impact_ratio),
    minDisparateImpactRatio: num(t.minDisparateImpactRatio),
  };
}

function readDependencies(evidence: JsonObject): VersionDependency[] {
  const out = new Map<string, VersionDependency>();
  for (const d of objects(evidence.dependencies)) {
    const name = str(d.name);
    if (!name) continue;
    out.set(name.toLowerCase(), {
      name,
      specifier: str(d.specifier) ?? '',
    });
  }
  return [...out.values()].sort((a, b) => a.name.localeCompare(b.name));
}

/**
 * Builds the {@link VersionSnapshot} of a version from its gauntlet runs
 * (`GET …/versions/:version/gauntlet/runs`): facts come from the latest
 * completed run for `options.tier` (the model's requested tier), else the
 * latest completed run; without one, only the files are known.
 */
export function versionSnapshot(
  version: ModelVersion,
  runs: GauntletRun[],
  options: { tier?: ModelTier } = {},
): VersionSnapshot {
  const snapshot: VersionSnapshot = {
    version: version.version,
    createdAt: version.createdAt,
    files: version.files.map(f => ({
      path: f.path,
      size: f.size,
      sha256: f.sha256,
    })),
    metrics: [],
    checks: [],
    dependencies: [],
  };
  const run = latestCompletedRun(runs, options.tier);
  if (!run) return snapshot;
  snapshot.tier = run.tier;
  snapshot.runId = run.id;
  for (const r of run.results ?? []) {
    snapshot.checks.push({
      checkId: r.checkId,
      status: r.status,
      summary: r.summary,
    });
    const evidence = r.evidence ?? {};
    if (r.checkId === 'performance') snapshot.metrics = readMetrics(evidence);
    if (r.checkId === 'license') snapshot.license = str(evidence.expression);
    if (r.checkId === 'security') {
      snapshot.dependencies = readDependencies(evidence);
    }
    if (r.checkId === 'fairness') snapshot.fairness = readFairness(evidence);
  }
  snapshot.checks.sort((a, b) => a.checkId.localeCompare(b.checkId));
  return snapshot;
}
