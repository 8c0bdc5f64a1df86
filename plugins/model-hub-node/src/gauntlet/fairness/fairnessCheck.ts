import { Config } from '@backstage/config';
import { JsonObject } from '@backstage/types';
import { GauntletCheck, GauntletCheckContext } from '../check';
import { GauntletCheckResult } from '../types';
import { computeFairness } from './computeFairness';
import { FairnessInputError } from './dictionary';
import { DEFAULT_MIN_GROUP_SIZE, fairnessReportToJson } from './metrics';
import { evaluationFileFormat } from './rows';

/** Thresholds the fairness check applies for one tier. */
export interface FairnessThresholds {
  /** Largest acceptable demographic parity difference. */
  maxDemographicParityDifference: number;
  /** Largest acceptable equalized odds difference. */
  maxEqualizedOddsDifference: number;
  /** Smallest acceptable disparate impact ratio (four-fifths rule: 0.8). */
  minDisparateImpactRatio: number;
  /** Groups with fewer rows give "insufficient data" instead of counting. */
  minGroupSize: number;
}

/** Defaults of {@link FairnessThresholds}, for every tier. */
export const DEFAULT_FAIRNESS_THRESHOLDS: FairnessThresholds = {
  maxDemographicParityDifference: 0.1,
  maxEqualizedOddsDifference: 0.1,
  minDisparateImpactRatio: 0.8,
  minGroupSize: DEFAULT_MIN_GROUP_SIZE,
};

/**
 * Reads the thresholds for a tier from `modelHub.gauntlet.fairness.<tier>`
 * (each key optional, defaults from {@link DEFAULT_FAIRNESS_THRESHOLDS}).
 */
export function readFairnessThresholds(
  config: Config,
  tier: string,
): FairnessThresholds {
  const c = config.getOptionalConfig(`modelHub.gauntlet.fairness.${tier}`);
  const d = DEFAULT_FAIRNESS_THRESHOLDS;
  const t: FairnessThresholds = {
    maxDemographicParityDifference:
      c?.getOptionalNumber('maxDemographicParityDifference') ??
      d.maxDemographicParityDifference,
    maxEqualizedOddsDifference:
      c?.getOptionalNumber('maxEqualizedOddsDifference') ??
      d.maxEqualizedOddsDifference,
    minDisparateImpactRatio:
      c?.getOptionalNumber('minDisparateImpactRatio') ??
      d.minDisparateImpactRatio,
    minGroupSize: c?.getOptionalNumber('minGroupSize') ?? d.minGroupSize,
  };
  if (!Number.isInteger(t.minGroupSize) || t.minGroupSize < 1) {
    throw new Error(
      `modelHub.gauntlet.fairness.${tier}.minGroupSize must be a positive integer, got ${t.minGroupSize}`,
    );
  }
  return t;
}

/** Most groups copied into the evidence of a result. */
const MAX_EVIDENCE_GROUPS = 200;

function round(v: number): number {
  return Math.round(v * 10000) / 10000;
}

/**
 * The `fairness` check: recomputes group fairness metrics from the evaluation
 * predictions file declared in `spec.evaluation` (CSV, or JSONL by extension)
 * and compares them with the tier's thresholds. Exceeding a threshold fails;
 * groups too small to judge or undefined rates warn ("insufficient data"),
 * never pass silently. Without a declared evaluation the check does not apply,
 * except for the `official` tier, which requires one (fail).
 */
export const fairnessCheck: GauntletCheck = {
  id: 'fairness',
  title: 'Fairness',
  description:
    'Recomputes demographic parity, equalized odds and disparate impact over the sensitive attributes of the declared evaluation file and compares them with the tier thresholds.',
  version: '1',
  async run(ctx: GauntletCheckContext): Promise<GauntletCheckResult> {
    const evaluation = ctx.entity.spec.evaluation;
    const thresholds = readFairnessThresholds(ctx.config, ctx.tier);
    const evidenceThresholds = { ...thresholds } as unknown as JsonObject;
    if (
      !evaluation?.file ||
      !evaluation.labelColumn ||
      !evaluation.predictionColumn ||
      !evaluation.sensitiveAttributes?.length
    ) {
      const missing =
        'spec.evaluation declares no fairness evaluation (file, labelColumn, predictionColumn and sensitiveAttributes)';
      if (ctx.tier === 'official') {
        return {
          status: 'fail',
          summary: 'The official tier requires a fairness evaluation',
          reason: `${missing}; official models must show their predictions are fair across sensitive groups`,
          evidence: { evaluation: (evaluation ?? null) as JsonObject | null },
        };
      }
      return {
        status: 'not-applicable',
        summary: 'No fairness evaluation declared',
        reason: `${missing}; the ${ctx.tier} tier does not require one`,
        evidence: {},
      };
    }

    const file = ctx.files.find(f => f.path === evaluation.file);
    if (!file) {
      return {
        status: 'fail',
        summary: `Evaluation file ${evaluation.file} is not in version ${ctx.version.version}`,
        evidence: {
          file: evaluation.file,
          versionFiles: ctx.files.map(f => f.path).slice(0, 100),
        },
      };
    }

    const options = {
      label: evaluation.labelColumn,
      prediction: evaluation.predictionColumn,
      sensitive: evaluation.sensitiveAttributes,
      positive:
        evaluation.positiveLabel === undefined
          ? undefined
          : String(evaluation.positiveLabel),
      minGroupSize: thresholds.minGroupSize,
      format: evaluationFileFormat(file.path),
    };
    let report;
    try {
      report = await computeFairness(await file.open(), options);
    } catch (e) {
      if (e instanceof FairnessInputError) {
        return {
          status: 'fail',
          summary: `Evaluation file ${file.path} cannot be evaluated: ${e.message}`,
          evidence: { file: file.path, sha256: file.sha256, error: e.message },
        };
      }
      throw e;
    }

    const violations: string[] = [];
    const {
      demographicParityDifference: dpd,
      equalizedOddsDifference: eod,
      disparateImpactRatio: dir,
    } = report;
    if (dpd !== null && dpd > thresholds.maxDemographicParityDifference) {
      violations.push(
        `demographic parity difference ${round(dpd)} > ${
          thresholds.maxDemographicParityDifference
        }`,
      );
    }
    if (eod !== null && eod > thresholds.maxEqualizedOddsDifference) {
      violations.push(
        `equalized odds difference ${round(eod)} > ${
          thresholds.maxEqualizedOddsDifference
        }`,
      );
    }
    if (dir !== null && dir < thresholds.minDisparateImpactRatio) {
      violations.push(
        `disparate impact ratio ${round(dir)} < ${
          thresholds.minDisparateImpactRatio
        }`,
      );
    }

    const json = fairnessReportToJson(report);
    const groupKeys = Object.keys(json.groups);
    const evidence: JsonObject = {
      file: file.path,
      sha256: file.sha256,
      thresholds: evidenceThresholds,
      violations,
      ...json,
      groups: Object.fromEntries(
        groupKeys.slice(0, MAX_EVIDENCE_GROUPS).map(k => [k, json.groups[k]]),
      ),
      groupsOmitted: Math.max(0, groupKeys.length - MAX_EVIDENCE_GROUPS),
    };
    const metrics: Record<string, number> = { rows: report.rows };
    for (const [key, value] of [
      ['demographic_parity_difference', dpd],
      ['demographic_parity_ratio', report.demographicParityRatio],
      ['equalized_odds_difference', eod],
      ['disparate_impact_ratio', dir],
    ] as const) {
      if (value !== null) metrics[key] = value;
    }
    const attributes = report.sensitiveAttributes.join(', ');

    if (violations.length > 0) {
      return {
        status: 'fail',
        summary: `Unfair across ${attributes}: ${violations.join('; ')}`,
        reason:
          report.warnings.length > 0 ? report.warnings.join('\n') : undefined,
        evidence,
        metrics,
      };
    }
    if (dpd === null) {
      return {
        status: 'warn',
        summary: `Insufficient data: no two groups of ${attributes} have at least ${thresholds.minGroupSize} rows`,
        reason: report.warnings.join('\n'),
        evidence,
        metrics,
      };
    }
    if (report.insufficientData) {
      return {
        status: 'warn',
        summary: `Within thresholds over ${attributes}, with insufficient data for part of the groups`,
        reason: report.warnings.join('\n'),
        evidence,
        metrics,
      };
    }
    return {
      status: 'pass',
      summary: `Fair across ${attributes}: demographic parity difference ${round(
        dpd,
      )}, equalized odds difference ${
        eod === null ? 'n/a' : round(eod)
      }, disparate impact ratio ${dir === null ? 'n/a' : round(dir)}`,
      evidence,
      metrics,
    };
  },
};
