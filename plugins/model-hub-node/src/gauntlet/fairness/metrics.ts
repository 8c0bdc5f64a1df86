import { FairnessInputError, ValueDictionary } from './dictionary';

/**
 * Group fairness metrics over binary outcomes, with the definitions used by
 * Fairlearn (`demographic_parity_difference`, `demographic_parity_ratio`,
 * `equalized_odds_difference`) and AIF360 (disparate impact):
 *
 * - selection rate of a group: P(prediction = positive | group);
 * - TPR: P(prediction = positive | label = positive, group), undefined (null)
 *   when the group has no actual positives; FPR likewise over actual negatives;
 * - accuracy: P(prediction = label | group), comparing the raw values;
 * - demographic parity difference: max − min selection rate over groups;
 * - demographic parity ratio: min / max selection rate;
 * - equalized odds difference: max(TPR gap, FPR gap), each gap max − min over
 *   the groups where the rate is defined;
 * - disparate impact ratio: selection rate of the least selected group over
 *   that of the most selected group (min / max). AIF360 divides the
 *   unprivileged group's rate by the privileged group's; without a declared
 *   privileged group the min/max pairing is the most conservative choice, so
 *   it equals the demographic parity ratio. The four-fifths rule asks ≥ 0.8.
 *
 * Groups are the values of each sensitive attribute and of every
 * intersection of two or more attributes (a "grouping" per subset). A group
 * with fewer than `minGroupSize` rows is reported but excluded from the
 * summary metrics, with a warning ("insufficient data"). Each summary metric
 * of the report is the worst value over all groupings; since a coarser
 * group's rate is a weighted mean of its finer groups' rates, with every group
 * large enough this is the value over the full intersection, which is what
 * Fairlearn computes when given several sensitive features.
 */

/** Options of {@link computeFairness}. */
export interface FairnessOptions {
  /** Column with the ground truth. */
  label: string;
  /** Column with the model's prediction. */
  prediction: string;
  /** Columns with sensitive attributes (1 to {@link MAX_SENSITIVE_ATTRIBUTES}). */
  sensitive: string[];
  /**
   * The value counted as the positive outcome. When omitted it is inferred
   * from the values seen: `1` for 0/1 columns, `true` for true/false, `yes`
   * for yes/no; otherwise an error asks for it.
   */
  positive?: string;
  /** Groups with fewer rows give "insufficient data" (default {@link DEFAULT_MIN_GROUP_SIZE}). */
  minGroupSize?: number;
}

/** Default minimum number of rows for a group to count in the summary metrics. */
export const DEFAULT_MIN_GROUP_SIZE = 30;

/** Most sensitive attributes one computation accepts (intersections grow as 2^n). */
export const MAX_SENSITIVE_ATTRIBUTES = 5;

/** Metrics of one group. */
export interface FairnessGroupMetrics {
  /** The group's attribute values, e.g. `{ sex: 'F', age_group: 'young' }`. */
  attributes: Record<string, string>;
  count: number;
  /** Rows whose label is the positive value. */
  positives: number;
  /** Rows whose prediction is the positive value. */
  predictedPositives: number;
  selectionRate: number;
  /** True positive rate; null when the group has no actual positives. */
  tpr: number | null;
  /** False positive rate; null when the group has no actual negatives. */
  fpr: number | null;
  accuracy: number;
  /** Whether the group has at least `minGroupSize` rows and so counts in the summary. */
  sufficient: boolean;
}

/** Summary metrics over the groups of one grouping (one attribute or one intersection). */
export interface FairnessGroupingSummary {
  /** The attributes of this grouping, e.g. `['sex']` or `['sex', 'age_group']`. */
  attributes: string[];
  /** Keys of its groups (see {@link fairnessGroupKey}). */
  groups: string[];
  /** How many of its groups are large enough to count. */
  sufficientGroups: number;
  demographicParityDifference: number | null;
  demographicParityRatio: number | null;
  truePositiveRateDifference: number | null;
  falsePositiveRateDifference: number | null;
  equalizedOddsDifference: number | null;
  disparateImpactRatio: number | null;
}

/** The result of {@link computeFairness}. */
export interface FairnessReport {
  rows: number;
  positiveLabel: string;
  minGroupSize: number;
  sensitiveAttributes: string[];
  /** Every group of every grouping, by key. */
  groups: Record<string, FairnessGroupMetrics>;
  groupings: FairnessGroupingSummary[];
  /** Worst (largest) demographic parity difference over the groupings; null when no comparison was possible. */
  demographicParityDifference: number | null;
  /** Worst (smallest) demographic parity ratio over the groupings. */
  demographicParityRatio: number | null;
  /** Worst (largest) equalized odds difference over the groupings. */
  equalizedOddsDifference: number | null;
  /** Worst (smallest) disparate impact ratio over the groupings. */
  disparateImpactRatio: number | null;
  /** True when some group was too small or some metric could not be computed. */
  insufficientData: boolean;
  /** Human-readable explanations of excluded groups and undefined metrics. */
  warnings: string[];
}

function escapeKeyPart(s: string): string {
  return s.replace(
    /[%&=]/g,
    c => `%${c.charCodeAt(0).toString(16).toUpperCase()}`,
  );
}

/**
 * The key of a group: `attribute=value` pairs joined by `&` in the order the
 * attributes were given, e.g. `sex=F` or `sex=F&age_group=young`. `%`, `&`
 * and `=` inside names or values are percent-encoded so keys stay unambiguous.
 */
export function fairnessGroupKey(pairs: Array<[string, string]>): string {
  return pairs
    .map(([k, v]) => `${escapeKeyPart(k)}=${escapeKeyPart(v)}`)
    .join('&');
}

/**
 * Counts rows by their (label, prediction, sensitive values…) combination.
 * Values are interned per column; one packed number per combination keys a
 * Map, so memory grows with the number of distinct combinations, not rows.
 */
export class FairnessAccumulator {
  /** Column names: label, prediction, then the sensitive attributes. */
  readonly columns: string[];
  /** One dictionary per column, same order as {@link FairnessAccumulator.columns}. */
  readonly dictionaries: ValueDictionary[];
  /** Rows added so far. */
  rows = 0;
  private readonly radix: number;
  private readonly counts = new Map<number, number>();

  constructor(options: FairnessOptions) {
    const { label, prediction, sensitive } = options;
    if (!label || !prediction) {
      throw new FairnessInputError(
        'both a label column and a prediction column are required',
      );
    }
    if (!Array.isArray(sensitive) || sensitive.length === 0) {
      throw new FairnessInputError(
        'at least one sensitive attribute column is required',
      );
    }
    if (sensitive.length > MAX_SENSITIVE_ATTRIBUTES) {
      throw new FairnessInputError(
        `at most ${MAX_SENSITIVE_ATTRIBUTES} sensitive attributes are supported, got ${sensitive.length}`,
      );
    }
    this.columns = [label, prediction, ...sensitive];
    const seen = new Set<string>();
    for (const c of this.columns) {
      if (!c) throw new FairnessInputError('column names must not be empty');
      if (seen.has(c)) {
        throw new FairnessInputError(
          `column "${c}" is used more than once (label, prediction and sensitive attributes must be distinct columns)`,
        );
      }
      seen.add(c);
    }
    // Packed code: id0 + id1*R + id2*R^2 … must stay below 2^53.
    const bits = Math.min(16, Math.floor(52 / this.columns.length));
    this.radix = 2 ** bits;
    this.dictionaries = this.columns.map(
      c => new ValueDictionary(c, this.radix),
    );
  }

  /** Adds one row given the value ids of every column (see {@link FairnessAccumulator.dictionaries}). */
  addIds(ids: ArrayLike<number>): void {
    const radix = this.radix;
    let code = 0;
    for (let i = ids.length - 1; i >= 0; i--) code = code * radix + ids[i];
    const counts = this.counts;
    counts.set(code, (counts.get(code) ?? 0) + 1);
    this.rows++;
  }

  /** Adds one row given as a record of column → value (strings, numbers or booleans). */
  addRecord(record: Record<string, unknown>, rowNumber: number): void {
    const ids = new Array<number>(this.columns.length);
    for (let i = 0; i < this.columns.length; i++) {
      const column = this.columns[i];
      const value = record[column];
      let text: string;
      if (typeof value === 'string') text = value;
      else if (typeof value === 'number' || typeof value === 'boolean')
        text = String(value);
      else if (value === undefined || value === null) {
        throw new FairnessInputError(
          `row ${rowNumber} has no value for column "${column}"`,
        );
      } else {
        throw new FairnessInputError(
          `row ${rowNumber}: column "${column}" must be a string, number or boolean`,
        );
      }
      ids[i] = this.dictionaries[i].internString(text);
    }
    this.addIds(ids);
  }

  /** The counted combinations: value ids per column and how many rows had them. */
  *combinations(): Generator<{ ids: number[]; count: number }> {
    const n = this.columns.length;
    for (const [code, count] of this.counts) {
      const ids = new Array<number>(n);
      let c = code;
      for (let i = 0; i < n; i++) {
        ids[i] = c % this.radix;
        c = Math.floor(c / this.radix);
      }
      yield { ids, count };
    }
  }
}

const INFERRED_POSITIVES: Array<[string[], string]> = [
  [['0', '1'], '1'],
  [['false', 'true'], 'true'],
  [['False', 'True'], 'True'],
  [['no', 'yes'], 'yes'],
];

function inferPositive(values: Set<string>): string {
  for (const [allowed, positive] of INFERRED_POSITIVES) {
    if ([...values].every(v => allowed.includes(v))) return positive;
  }
  const shown = [...values].slice(0, 10).map(v => JSON.stringify(v));
  throw new FairnessInputError(
    `cannot infer the positive label from the values ${shown.join(', ')}${
      values.size > 10 ? ', …' : ''
    }; name it explicitly (positive label)`,
  );
}

interface GroupCounts {
  ids: number[];
  count: number;
  positives: number;
  predictedPositives: number;
  truePositives: number;
  falsePositives: number;
  correct: number;
}

function spread(values: number[]): { min: number; max: number } | undefined {
  if (values.length < 2) return undefined;
  let min = Infinity;
  let max = -Infinity;
  for (const v of values) {
    if (v < min) min = v;
    if (v > max) max = v;
  }
  return { min, max };
}

function listGroups(keys: string[]): string {
  const shown = keys.slice(0, 5).join(', ');
  return keys.length > 5 ? `${shown}, … (${keys.length} in all)` : shown;
}

/** Turns the counts of an accumulator into a {@link FairnessReport}. */
export function finalizeFairness(
  acc: FairnessAccumulator,
  options: FairnessOptions,
): FairnessReport {
  const minGroupSize = options.minGroupSize ?? DEFAULT_MIN_GROUP_SIZE;
  if (!Number.isInteger(minGroupSize) || minGroupSize < 1) {
    throw new FairnessInputError(
      `minimum group size must be a positive integer, got ${minGroupSize}`,
    );
  }
  if (acc.rows === 0) {
    throw new FairnessInputError('the evaluation data has no rows');
  }
  const [labelDict, predictionDict, ...sensitiveDicts] = acc.dictionaries;
  const sensitive = acc.columns.slice(2);

  let positive = options.positive;
  if (positive === undefined) {
    positive = inferPositive(
      new Set([...labelDict.values, ...predictionDict.values]),
    );
  } else if (
    !labelDict.values.includes(positive) &&
    !predictionDict.values.includes(positive)
  ) {
    throw new FairnessInputError(
      `the positive label ${JSON.stringify(
        positive,
      )} occurs neither in column "${
        labelDict.column
      }" (values: ${labelDict.values
        .slice(0, 10)
        .map(v => JSON.stringify(v))
        .join(', ')}) nor in column "${predictionDict.column}"`,
    );
  }
  const labelPositive = labelDict.values.map(v => v === positive);
  const predictionPositive = predictionDict.values.map(v => v === positive);

  const combos = [...acc.combinations()];
  const groups: Record<string, FairnessGroupMetrics> = {};
  const groupings: FairnessGroupingSummary[] = [];
  const warnings: string[] = [];

  // Groupings: every non-empty subset of the attributes, smaller subsets first.
  const subsets: number[][] = [];
  for (let mask = 1; mask < 1 << sensitive.length; mask++) {
    const subset: number[] = [];
    for (let i = 0; i < sensitive.length; i++)
      if (mask & (1 << i)) subset.push(i);
    subsets.push(subset);
  }
  subsets.sort(
    (a, b) => a.length - b.length || a.join().localeCompare(b.join()),
  );

  for (const subset of subsets) {
    const byKey = new Map<string, GroupCounts>();
    for (const { ids, count } of combos) {
      const groupIds = subset.map(i => ids[2 + i]);
      const mapKey = groupIds.join(',');
      let g = byKey.get(mapKey);
      if (!g) {
        g = {
          ids: groupIds,
          count: 0,
          positives: 0,
          predictedPositives: 0,
          truePositives: 0,
          falsePositives: 0,
          correct: 0,
        };
        byKey.set(mapKey, g);
      }
      const y = labelPositive[ids[0]];
      const p = predictionPositive[ids[1]];
      g.count += count;
      if (y) g.positives += count;
      if (p) g.predictedPositives += count;
      if (y && p) g.truePositives += count;
      if (!y && p) g.falsePositives += count;
      if (labelDict.values[ids[0]] === predictionDict.values[ids[1]])
        g.correct += count;
    }

    const attributes = subset.map(i => sensitive[i]);
    const entries = [...byKey.values()].map(g => {
      const pairs = subset.map((attr, j): [string, string] => [
        sensitive[attr],
        sensitiveDicts[attr].values[g.ids[j]],
      ]);
      const negatives = g.count - g.positives;
      const metrics: FairnessGroupMetrics = {
        attributes: Object.fromEntries(pairs),
        count: g.count,
        positives: g.positives,
        predictedPositives: g.predictedPositives,
        selectionRate: g.predictedPositives / g.count,
        tpr: g.positives > 0 ? g.truePositives / g.positives : null,
        fpr: negatives > 0 ? g.falsePositives / negatives : null,
        accuracy: g.correct / g.count,
        sufficient: g.count >= minGroupSize,
      };
      return { key: fairnessGroupKey(pairs), metrics };
    });
    entries.sort((a, b) => {
      if (a.key === b.key) return 0;
      return a.key < b.key ? -1 : 1;
    });
    for (const e of entries) groups[e.key] = e.metrics;

    const name = attributes.join('&');
    const sufficient = entries.filter(e => e.metrics.sufficient);
    const small = entries.filter(e => !e.metrics.sufficient);
    if (small.length > 0) {
      warnings.push(
        `insufficient data: ${small.length} of ${
          entries.length
        } groups of ${name} have fewer than ${minGroupSize} rows and are left out of the summary metrics (${listGroups(
          small.map(e => `${e.key}: ${e.metrics.count}`),
        )})`,
      );
    }
    const selection = spread(sufficient.map(e => e.metrics.selectionRate));
    if (!selection) {
      warnings.push(
        `insufficient data: ${name} has ${sufficient.length} group(s) with at least ${minGroupSize} rows; at least two are needed to compare groups`,
      );
    }
    const withTpr = sufficient.filter(e => e.metrics.tpr !== null);
    const withFpr = sufficient.filter(e => e.metrics.fpr !== null);
    const noTpr = sufficient
      .filter(e => e.metrics.tpr === null)
      .map(e => e.key);
    const noFpr = sufficient
      .filter(e => e.metrics.fpr === null)
      .map(e => e.key);
    if (noTpr.length > 0) {
      warnings.push(
        `true positive rate undefined (no actual positives) for ${listGroups(
          noTpr,
        )}; left out of the equalized odds difference`,
      );
    }
    if (noFpr.length > 0) {
      warnings.push(
        `false positive rate undefined (no actual negatives) for ${listGroups(
          noFpr,
        )}; left out of the equalized odds difference`,
      );
    }
    const tpr = spread(withTpr.map(e => e.metrics.tpr as number));
    const fpr = spread(withFpr.map(e => e.metrics.fpr as number));
    const tprDiff = tpr ? tpr.max - tpr.min : null;
    const fprDiff = fpr ? fpr.max - fpr.min : null;
    let ratio: number | null = null;
    if (selection) {
      if (selection.max > 0) ratio = selection.min / selection.max;
      else {
        warnings.push(
          `demographic parity ratio of ${name} is undefined: no group has any positive prediction`,
        );
      }
    }
    if (selection && tprDiff === null && fprDiff === null) {
      warnings.push(
        `equalized odds difference of ${name} is undefined: fewer than two groups have a defined true or false positive rate`,
      );
    }
    groupings.push({
      attributes,
      groups: entries.map(e => e.key),
      sufficientGroups: sufficient.length,
      demographicParityDifference: selection
        ? selection.max - selection.min
        : null,
      demographicParityRatio: ratio,
      truePositiveRateDifference: tprDiff,
      falsePositiveRateDifference: fprDiff,
      equalizedOddsDifference:
        tprDiff === null && fprDiff === null
          ? null
          : Math.max(tprDiff ?? 0, fprDiff ?? 0),
      disparateImpactRatio: ratio,
    });
  }

  const worst = (
    pick: (g: FairnessGroupingSummary) => number | null,
    better: 'low' | 'high',
  ): number | null => {
    const values = groupings.map(pick).filter((v): v is number => v !== null);
    if (values.length === 0) return null;
    return better === 'low' ? Math.max(...values) : Math.min(...values);
  };

  return {
    rows: acc.rows,
    positiveLabel: positive,
    minGroupSize,
    sensitiveAttributes: sensitive,
    groups,
    groupings,
    demographicParityDifference: worst(
      g => g.demographicParityDifference,
      'low',
    ),
    demographicParityRatio: worst(g => g.demographicParityRatio, 'high'),
    equalizedOddsDifference: worst(g => g.equalizedOddsDifference, 'low'),
    disparateImpactRatio: worst(g => g.disparateImpactRatio, 'high'),
    insufficientData: warnings.length > 0,
    warnings,
  };
}

/**
 * The JSON form printed by `model-hub fairness --json` and stored as check
 * evidence: snake_case keys, `groups` keyed by {@link fairnessGroupKey}.
 */
export function fairnessReportToJson(report: FairnessReport) {
  return {
    rows: report.rows,
    positive_label: report.positiveLabel,
    min_group_size: report.minGroupSize,
    sensitive_attributes: report.sensitiveAttributes,
    groups: Object.fromEntries(
      Object.entries(report.groups).map(([key, g]) => [
        key,
        {
          count: g.count,
          selection_rate: g.selectionRate,
          tpr: g.tpr,
          fpr: g.fpr,
          accuracy: g.accuracy,
        },
      ]),
    ),
    demographic_parity_difference: report.demographicParityDifference,
    demographic_parity_ratio: report.demographicParityRatio,
    equalized_odds_difference: report.equalizedOddsDifference,
    disparate_impact_ratio: report.disparateImpactRatio,
    warnings: report.warnings,
  };
}
