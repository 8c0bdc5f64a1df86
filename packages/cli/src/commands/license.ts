import type { Command } from 'commander';
// Type-only: the module itself is loaded lazily in the action.
// eslint-disable-next-line @backstage/no-forbidden-package-imports
import type { LicenseEvaluation } from '@internal/plugin-model-hub-node/src/gauntlet/license';
import { UsageError } from '../lib/errors';

/** Exit codes of `model-hub license`, one per verdict. */
export const LICENSE_EXIT = {
  allowed: 0,
  denied: 1,
  review: 2,
  invalid: 3,
  usage: 4,
} as const;

/** Options of `model-hub license`. */
export interface LicenseCommandOptions {
  base: string[];
  dataset: string[];
  use: string;
  json?: boolean;
}

function collect(value: string, previous: string[] = []): string[] {
  return [...previous, value];
}

/** Human-readable evaluation. */
export function formatLicenseEvaluation(
  expression: string,
  use: string,
  result: LicenseEvaluation,
): string {
  const lines = [
    `${result.verdict.toUpperCase()}: ${expression} for ${use} use`,
  ];
  for (const r of result.reasons) lines.push(`  - ${r}`);
  if (result.obligations.length > 0) {
    lines.push('Obligations:');
    for (const o of result.obligations) lines.push(`  - ${o}`);
  }
  return lines.join('\n');
}

/**
 * Evaluates an SPDX expression (with inherited base-model and dataset
 * licenses) under the default policy and prints the verdict; resolves to the
 * exit code (see {@link LICENSE_EXIT}).
 */
export async function license(
  expression: string,
  opts: LicenseCommandOptions,
): Promise<number> {
  // eslint-disable-next-line @backstage/no-forbidden-package-imports
  const lib = await import(
    '@internal/plugin-model-hub-node/src/gauntlet/license'
  );
  if (!(lib.INTENDED_USES as readonly string[]).includes(opts.use)) {
    throw new UsageError(
      `--use must be one of ${lib.INTENDED_USES.join(', ')}, got "${opts.use}"`,
    );
  }
  const numbered = (kind: string, list: string[]) =>
    list.map((e, i) => ({
      from: list.length > 1 ? `${kind} #${i + 1}` : kind,
      expression: e,
    }));
  const result = lib.evaluateLicense({
    expression,
    inherited: [
      ...numbered('base model', opts.base),
      ...numbered('dataset', opts.dataset),
    ],
    use: opts.use as (typeof lib.INTENDED_USES)[number],
  });
  process.stdout.write(
    opts.json
      ? `${JSON.stringify(
          {
            verdict: result.verdict,
            reasons: result.reasons,
            obligations: result.obligations,
            use: opts.use,
            inherited: result.inherited,
          },
          null,
          2,
        )}\n`
      : `${formatLicenseEvaluation(expression, opts.use, result)}\n`,
  );
  return LICENSE_EXIT[result.verdict];
}

/** Registers `model-hub license`. */
export function register(program: Command): void {
  program
    .command('license')
    .description(
      'Check an SPDX license expression, and what it inherits from base models and datasets, against the default license policy',
    )
    .argument(
      '<expression>',
      'SPDX expression, e.g. "MIT OR Apache-2.0"; custom terms as LicenseRef-<id>',
    )
    .option(
      '--base <expression>',
      'license of a base model (repeatable)',
      collect,
      [],
    )
    .option(
      '--dataset <expression>',
      'license of a training dataset (repeatable)',
      collect,
      [],
    )
    .option(
      '--use <use>',
      'intended use: commercial, internal or research',
      'commercial',
    )
    .option('--json', 'print one JSON document instead of text')
    .addHelpText(
      'after',
      `
OR takes the best option, AND the worst term; a base model or dataset whose
license forbids the use makes the result "denied" whatever the expression says.
Exit codes: 0 allowed, 1 denied, 2 review, 3 invalid expression, 4 usage error`,
    )
    .action(async (expression: string, opts: LicenseCommandOptions) => {
      process.exitCode = await license(expression, opts);
    });
}
