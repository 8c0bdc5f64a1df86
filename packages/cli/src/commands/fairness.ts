import { createReadStream } from 'node:fs';
import { stat } from 'node:fs/promises';
import type { Command } from 'commander';
// Type-only: the module itself is loaded lazily in the action.
// eslint-disable-next-line @backstage/no-forbidden-package-imports
import type { FairnessReport } from '@internal/plugin-model-hub-node/src/gauntlet/fairness';
import { UsageError } from '../lib/errors';

/** Options of `model-hub fairness`. */
export interface FairnessCommandOptions {
  eval: string;
  label: string;
  prediction: string;
  sensitive: string[];
  positive?: string;
  minGroupSize?: string;
  format?: string;
  json?: boolean;
}

function collectList(value: string, previous: string[] = []): string[] {
  return [
    ...previous,
    ...value
      .split(',')
      .map(s => s.trim())
      .filter(Boolean),
  ];
}

function fmt(v: number | null): string {
  return v === null ? 'n/a' : v.toFixed(4);
}

/** Human-readable report: a table of groups, then the summary metrics and warnings. */
export function formatFairnessReport(report: FairnessReport): string {
  const keys = Object.keys(report.groups);
  const width = Math.max(5, ...keys.map(k => k.length));
  const lines = [
    `${report.rows} rows, positive label ${JSON.stringify(
      report.positiveLabel,
    )}, minimum group size ${report.minGroupSize}`,
    '',
    `${'group'.padEnd(width)}  ${'count'.padStart(
      9,
    )}  selection     tpr     fpr  accuracy`,
  ];
  for (const key of keys) {
    const g = report.groups[key];
    lines.push(
      `${key.padEnd(width)}  ${String(g.count).padStart(9)}  ${fmt(
        g.selectionRate,
      ).padStart(9)}  ${fmt(g.tpr).padStart(6)}  ${fmt(g.fpr).padStart(
        6,
      )}  ${fmt(g.accuracy).padStart(8)}${
        g.sufficient ? '' : '  (insufficient data)'
      }`,
    );
  }
  lines.push(
    '',
    `demographic parity difference  ${fmt(report.demographicParityDifference)}`,
    `demographic parity ratio       ${fmt(report.demographicParityRatio)}`,
    `equalized odds difference      ${fmt(report.equalizedOddsDifference)}`,
    `disparate impact ratio         ${fmt(
      report.disparateImpactRatio,
    )}  (four-fifths rule: >= 0.8)`,
  );
  for (const w of report.warnings) lines.push(`warning: ${w}`);
  return lines.join('\n');
}

/**
 * Computes fairness metrics of an evaluation file and prints them; resolves
 * to the exit code (0). Bad flags, a missing file or columns, or malformed
 * rows throw a {@link UsageError} (exit 4).
 */
export async function fairness(opts: FairnessCommandOptions): Promise<number> {
  if (!opts.sensitive || opts.sensitive.length === 0) {
    throw new UsageError('--sensitive needs at least one column');
  }
  let minGroupSize: number | undefined;
  if (opts.minGroupSize !== undefined) {
    minGroupSize = Number(opts.minGroupSize);
    if (!Number.isInteger(minGroupSize) || minGroupSize < 1) {
      throw new UsageError(
        `--min-group-size must be a positive integer, got "${opts.minGroupSize}"`,
      );
    }
  }
  if (
    opts.format !== undefined &&
    opts.format !== 'csv' &&
    opts.format !== 'jsonl'
  ) {
    throw new UsageError(`--format must be csv or jsonl, got "${opts.format}"`);
  }
  const st = await stat(opts.eval).catch(() => undefined);
  if (!st?.isFile()) throw new UsageError(`${opts.eval}: no such file`);

  // Load only the fairness module: the package root pulls in much more.
  // eslint-disable-next-line @backstage/no-forbidden-package-imports
  const lib = await import(
    '@internal/plugin-model-hub-node/src/gauntlet/fairness'
  );
  let report: FairnessReport;
  try {
    report = await lib.computeFairness(
      createReadStream(opts.eval, { highWaterMark: 1024 * 1024 }),
      {
        label: opts.label,
        prediction: opts.prediction,
        sensitive: opts.sensitive,
        positive: opts.positive,
        minGroupSize,
        format:
          (opts.format as 'csv' | 'jsonl' | undefined) ??
          lib.evaluationFileFormat(opts.eval),
      },
    );
  } catch (e) {
    if (e instanceof lib.FairnessInputError) {
      throw new UsageError(`${opts.eval}: ${e.message}`);
    }
    throw e;
  }
  process.stdout.write(
    opts.json
      ? `${JSON.stringify(lib.fairnessReportToJson(report), null, 2)}\n`
      : `${formatFairnessReport(report)}\n`,
  );
  return 0;
}

/** Registers `model-hub fairness`. */
export function register(program: Command): void {
  program
    .command('fairness')
    .description(
      'Compute group fairness metrics (demographic parity, equalized odds, disparate impact) of an evaluation predictions file',
    )
    .requiredOption(
      '--eval <file>',
      'predictions file: CSV with a header row, or JSONL (.jsonl)',
    )
    .requiredOption('--label <column>', 'column with the ground truth')
    .requiredOption(
      '--prediction <column>',
      "column with the model's prediction",
    )
    .requiredOption(
      '--sensitive <columns>',
      'sensitive attribute column(s), comma-separated or repeated',
      collectList,
    )
    .option(
      '--positive <value>',
      'the positive outcome (inferred for 0/1, true/false, yes/no)',
    )
    .option(
      '--min-group-size <n>',
      'smaller groups give "insufficient data" (default 30)',
    )
    .option('--format <format>', 'csv or jsonl (default: by file extension)')
    .option('--json', 'print one JSON document instead of text')
    .addHelpText(
      'after',
      `
Groups are the values of each sensitive attribute and of every intersection,
keyed "sex=F" or "sex=F&age=young" (%, & and = inside names and values are
percent-encoded). Summary metrics are the worst over all groupings; groups
smaller than --min-group-size are left out of them, with a warning.
Exit codes: 0 success, 4 usage error (bad flags, missing file or columns, malformed rows)`,
    )
    .action(async (opts: FairnessCommandOptions) => {
      process.exitCode = await fairness(opts);
    });
}
