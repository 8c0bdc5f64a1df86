import { Config } from '@backstage/config';
import { JsonObject } from '@backstage/types';
import {
  isLowerBetter,
  metricKey,
  ModelEntityV1alpha1,
} from '@internal/plugin-model-hub-common';
import { GauntletCheck, GauntletCheckContext } from '../../check';
import { FairnessInputError } from '../../fairness/dictionary';
import { GauntletCheckResult } from '../../types';
import {
  FileTooLargeError,
  headline,
  readCheckFile,
  statusOf,
} from '../readFile';
import {
  BenchmarkInputError,
  evaluateOnnxClassifier,
  OnnxEvaluationResult,
} from './onnxEvaluation';

/**
 * Annotations declaring a benchmark the hub re-runs (until the Model schema
 * has `spec.evaluation.benchmark`): the CSV path inside the version, its
 * label column (default `label`), its feature columns (comma separated,
 * default every other column) and the ONNX file (default the first ONNX
 * file of the version).
 */
export const BENCHMARK_ANNOTATIONS = {
  file: 'modelhub.io/benchmark-file',
  labelColumn: 'modelhub.io/benchmark-label-column',
  featureColumns: 'modelhub.io/benchmark-feature-columns',
  modelFile: 'modelhub.io/benchmark-model-file',
} as const;

/** Default largest allowed gap between claimed and measured metrics. */
export const DEFAULT_METRIC_TOLERANCE = 0.02;

/** Metrics the hub measures itself when re-running a benchmark. */
const MEASURED = ['accuracy', 'precision', 'recall', 'f1'] as const;

const MAX_MODEL_BYTES = 512 * 1024 * 1024;
const MAX_BENCHMARK_BYTES = 256 * 1024 * 1024;

/** A declared benchmark. */
export interface BenchmarkDeclaration {
  file: string;
  labelColumn: string;
  featureColumns?: string[];
  modelFile?: string;
  /** Columns that are neither features nor the label (e.g. sensitive attributes). */
  excludeColumns?: string[];
}

/** Threshold of one metric: a minimum, or a maximum for lower-is-better metrics. */
export interface MetricThreshold {
  metric: string;
  bound: 'min' | 'max';
  value: number;
}

// Which way a metric is better is shared with the views that compare versions.
export { isLowerBetter, metricKey };

/**
 * Reads the thresholds for a task and tier from
 * `modelHub.gauntlet.performance.thresholds.<task>.<tier>` (metric name →
 * number; lower-is-better metrics such as `latencyP95Ms` are maxima).
 */
export function readPerformanceThresholds(
  config: Config,
  task: string,
  tier: string,
): MetricThreshold[] {
  const c = config.getOptionalConfig(
    `modelHub.gauntlet.performance.thresholds.${task}.${tier}`,
  );
  if (!c) return [];
  return c.keys().map(metric => ({
    metric,
    bound: isLowerBetter(metric) ? 'max' : 'min',
    value: c.getNumber(metric),
  }));
}

/** Reads `modelHub.gauntlet.performance.tolerance` (default 0.02). */
export function readMetricTolerance(config: Config): number {
  const t =
    config.getOptionalNumber('modelHub.gauntlet.performance.tolerance') ??
    DEFAULT_METRIC_TOLERANCE;
  if (!(t >= 0 && t < 1)) {
    throw new Error(
      `modelHub.gauntlet.performance.tolerance must be in [0, 1), got ${t}`,
    );
  }
  return t;
}

/**
 * The benchmark a model declares: `spec.evaluation.benchmark`, the
 * {@link BENCHMARK_ANNOTATIONS}, or a `spec.evaluation` file with a label
 * column and no prediction column (its other columns are the features).
 */
export function readBenchmarkDeclaration(
  entity: ModelEntityV1alpha1,
): BenchmarkDeclaration | undefined {
  const fromSpec = (
    entity.spec.evaluation as
      | { benchmark?: Partial<BenchmarkDeclaration> }
      | undefined
  )?.benchmark;
  if (fromSpec?.file) {
    return {
      file: fromSpec.file,
      labelColumn: fromSpec.labelColumn ?? 'label',
      featureColumns: fromSpec.featureColumns,
      modelFile: fromSpec.modelFile,
    };
  }
  const a = entity.metadata.annotations ?? {};
  const file = a[BENCHMARK_ANNOTATIONS.file];
  const evaluation = entity.spec.evaluation;
  if (!file) {
    // An evaluation file with labels but no prediction column holds the
    // features: the hub makes the predictions itself.
    if (
      evaluation?.file &&
      evaluation.labelColumn &&
      !evaluation.predictionColumn
    ) {
      return {
        file: evaluation.file,
        labelColumn: evaluation.labelColumn,
        modelFile: a[BENCHMARK_ANNOTATIONS.modelFile],
        excludeColumns: evaluation.sensitiveAttributes,
      };
    }
    return undefined;
  }
  const features = a[BENCHMARK_ANNOTATIONS.featureColumns];
  return {
    file,
    labelColumn: a[BENCHMARK_ANNOTATIONS.labelColumn] ?? 'label',
    featureColumns: features
      ? features
          .split(',')
          .map(s => s.trim())
          .filter(Boolean)
      : undefined,
    modelFile: a[BENCHMARK_ANNOTATIONS.modelFile],
  };
}

function round(v: number): number {
  return Math.round(v * 10000) / 10000;
}

/**
 * The `performance` check. Compares the model's metrics with the thresholds
 * for its task and tier. For an ONNX model with a declared benchmark CSV the
 * hub re-runs the evaluation with onnxruntime and fails when a claimed metric
 * differs from the measured one by more than the tolerance; thresholds then
 * apply to the measured values. Metrics the hub cannot measure are
 * self-reported: the official tier fails on them (a waiver can accept them),
 * other tiers warn.
 */
export const performanceCheck: GauntletCheck = {
  id: 'performance',
  title: 'Performance benchmark',
  description:
    'Claimed metrics against the per-task, per-tier thresholds; ONNX models with a benchmark are re-evaluated by the hub and claimed metrics must match the measured ones.',
  version: '1',
  async run(ctx: GauntletCheckContext): Promise<GauntletCheckResult> {
    const failures: string[] = [];
    const warnings: string[] = [];
    const official = ctx.tier === 'official';
    const thresholds = readPerformanceThresholds(
      ctx.config,
      ctx.entity.spec.task,
      ctx.tier,
    );
    const tolerance = readMetricTolerance(ctx.config);

    const claimed = new Map<
      string,
      { name: string; value: number; dataset: string }
    >();
    for (const m of ctx.entity.spec.metrics ?? []) {
      if (m.slice) continue;
      if (!claimed.has(metricKey(m.name))) claimed.set(metricKey(m.name), m);
    }

    const declaration = readBenchmarkDeclaration(ctx.entity);
    let measured: OnnxEvaluationResult | undefined;
    let benchmarkEvidence: JsonObject | null = null;
    let selfReportedWhy: string | undefined;
    if (!declaration) {
      selfReportedWhy = 'no benchmark is declared for the hub to re-run';
    } else {
      const onnxFile = declaration.modelFile
        ? ctx.files.find(f => f.path === declaration.modelFile)
        : ctx.files.find(f => f.scan.format === 'onnx');
      const csv = ctx.files.find(f => f.path === declaration.file);
      benchmarkEvidence = {
        file: declaration.file,
        labelColumn: declaration.labelColumn,
        featureColumns: declaration.featureColumns ?? null,
        model: onnxFile?.path ?? null,
      };
      if (!csv) {
        failures.push(
          `benchmark file ${declaration.file} is not in version ${ctx.version.version}`,
        );
      } else if (!onnxFile || onnxFile.scan.format !== 'onnx') {
        selfReportedWhy = `the hub re-runs benchmarks of ONNX models only; version ${
          ctx.version.version
        } has ${
          declaration.modelFile
            ? `${declaration.modelFile} in format ${
                onnxFile?.scan.format ?? 'missing'
              }`
            : 'no ONNX file'
        }`;
      } else if (onnxFile.scan.verdict !== 'safe') {
        // Only files the scanner vouched for are ever run.
        failures.push(
          `${onnxFile.path} was not run: its scan verdict is ${onnxFile.scan.verdict}; the hub only runs models scanned safe`,
        );
        benchmarkEvidence.error = `scan verdict ${onnxFile.scan.verdict}`;
      } else {
        benchmarkEvidence.sha256 = csv.sha256;
        benchmarkEvidence.modelSha256 = onnxFile.sha256;
        try {
          const model = await readCheckFile(onnxFile, MAX_MODEL_BYTES);
          if (csv.size > MAX_BENCHMARK_BYTES)
            throw new FileTooLargeError(csv.path, MAX_BENCHMARK_BYTES);
          measured = await evaluateOnnxClassifier(model, await csv.open(), {
            labelColumn: declaration.labelColumn,
            featureColumns: declaration.featureColumns,
            excludeColumns: declaration.excludeColumns,
            positiveLabel:
              typeof ctx.entity.spec.evaluation?.positiveLabel === 'number'
                ? ctx.entity.spec.evaluation.positiveLabel
                : undefined,
          });
          benchmarkEvidence.measured = {
            rows: measured.rows,
            featureColumns: measured.featureColumns,
            accuracy: measured.accuracy,
            precision: measured.precision ?? null,
            recall: measured.recall ?? null,
            f1: measured.f1 ?? null,
            confusion: measured.confusion ?? null,
            inferenceMs: round(measured.inferenceMs),
          };
        } catch (e) {
          if (
            e instanceof BenchmarkInputError ||
            e instanceof FairnessInputError ||
            e instanceof FileTooLargeError
          ) {
            failures.push(`the benchmark could not be re-run: ${e.message}`);
            benchmarkEvidence.error = e.message;
          } else {
            throw e;
          }
        }
      }
    }

    // Claimed versus measured.
    const comparisons: JsonObject[] = [];
    if (measured) {
      for (const name of MEASURED) {
        const value = measured[name];
        const claim = claimed.get(name);
        if (value === undefined || !claim) continue;
        const gap = Math.abs(claim.value - value);
        const ok = gap <= tolerance + 1e-9;
        comparisons.push({
          metric: name,
          claimed: claim.value,
          measured: round(value),
          gap: round(gap),
          tolerance,
          ok,
        });
        if (!ok) {
          failures.push(
            `claimed ${name} ${claim.value} but the hub measured ${round(
              value,
            )} on ${declaration!.file} (gap ${round(
              gap,
            )} > tolerance ${tolerance})`,
          );
        }
      }
      if (comparisons.length === 0) {
        warnings.push(
          `the hub measured ${MEASURED.filter(
            n => measured![n] !== undefined,
          ).join(', ')} but spec.metrics claims none of them`,
        );
      }
    }

    // Thresholds.
    const thresholdResults: JsonObject[] = [];
    const selfReported: string[] = [];
    for (const t of thresholds) {
      const key = metricKey(t.metric);
      const m = measured
        ? (measured as unknown as Record<string, number | undefined>)[key]
        : undefined;
      let source: 'measured' | 'self-reported' | 'missing' = 'missing';
      if (m !== undefined) source = 'measured';
      else if (claimed.has(key)) source = 'self-reported';
      const value = m ?? claimed.get(key)?.value;
      if (value === undefined) {
        (official ? failures : warnings).push(
          `${t.metric} is required (${t.bound === 'min' ? '>=' : '<='} ${
            t.value
          }) but not reported`,
        );
        thresholdResults.push({
          ...t,
          value: null,
          source,
          ok: false,
          threshold: t.value,
        });
        continue;
      }
      if (source === 'self-reported') selfReported.push(t.metric);
      const ok = t.bound === 'min' ? value >= t.value : value <= t.value;
      thresholdResults.push({
        metric: t.metric,
        bound: t.bound,
        threshold: t.value,
        value: round(value),
        source,
        ok,
      });
      if (!ok) {
        failures.push(
          `${t.metric} ${round(value)} ${t.bound === 'min' ? '<' : '>'} ${
            t.value
          } (${source})`,
        );
      }
    }

    // Self-reported metrics: nothing measured by the hub.
    if (!measured && failures.length === 0) {
      if (claimed.size === 0 && thresholds.length === 0) {
        if (official) {
          failures.push(
            'the official tier requires reported metrics (spec.metrics) or a benchmark',
          );
        } else {
          return {
            status: 'not-applicable',
            summary:
              'No metrics reported and no thresholds for this task and tier',
            reason: `spec.metrics is empty and modelHub.gauntlet.performance.thresholds.${ctx.entity.spec.task}.${ctx.tier} is not configured`,
            evidence: {
              tier: ctx.tier,
              task: ctx.entity.spec.task,
              benchmark: benchmarkEvidence,
            },
          };
        }
      } else {
        const message = `metrics are self-reported (${
          selfReportedWhy ?? 'not measured by the hub'
        })`;
        (official ? failures : warnings).push(
          official
            ? `${message}; the official tier needs hub-measured metrics or a waiver`
            : message,
        );
      }
    }

    const status = statusOf(failures, warnings);
    const evidence: JsonObject = {
      tier: ctx.tier,
      task: ctx.entity.spec.task,
      tolerance,
      selfReported: !measured,
      claimed: [...claimed.values()].map(m => ({
        name: m.name,
        value: m.value,
        dataset: m.dataset,
      })),
      benchmark: benchmarkEvidence,
      comparisons,
      thresholds: thresholdResults,
      failures,
      warnings,
    };
    const metrics: Record<string, number> = {};
    if (measured) {
      for (const name of MEASURED) {
        const v = measured[name];
        if (v !== undefined) metrics[`measured_${name}`] = v;
      }
    }
    if (status === 'pass') {
      return {
        status,
        summary: measured
          ? `Measured on ${measured.rows} benchmark rows: accuracy ${round(
              measured.accuracy,
            )}${
              measured.f1 !== undefined ? `, f1 ${round(measured.f1)}` : ''
            }; claims match within ${tolerance}${
              thresholds.length ? ' and meet the thresholds' : ''
            }`
          : `Reported metrics meet the ${thresholds.length} threshold(s)`,
        evidence,
        metrics,
      };
    }
    return {
      status,
      summary: headline(status === 'fail' ? failures : warnings),
      reason: [...failures, ...warnings].join('\n'),
      evidence,
      metrics,
    };
  },
};
