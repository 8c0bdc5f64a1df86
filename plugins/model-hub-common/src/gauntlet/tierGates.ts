import { InputError } from '@backstage/errors';
import { GateCheckOutcome, GauntletCheckStatus } from '../api/gauntlet';
import { MODEL_TIERS, ModelTier } from '../entity';

/*
 * The tier gate: which gauntlet checks a tier requires and which statuses
 * each accepts. One implementation for the backend (the tier a model earns),
 * the CLI (`model-hub check`, the pre-flight) and the UI (what a gate needs).
 */

/** Every {@link GauntletCheckStatus}. */
export const GAUNTLET_CHECK_STATUSES: readonly GauntletCheckStatus[] = [
  'pass',
  'warn',
  'fail',
  'error',
  'not-applicable',
];

/** One required check of a tier gate and the statuses it accepts. */
export interface TierGateRequirement {
  check: string;
  allow: GauntletCheckStatus[];
}

/** The gates of every tier: which checks must come out how. */
export type TierGates = Record<ModelTier, TierGateRequirement[]>;

/**
 * Default gates. `official` accepts only `pass` (or `not-applicable`, when a
 * check itself decided it does not apply), so a warning (e.g. a license
 * needing legal review) must be resolved or waived; `community` needs
 * security and license not to fail or error; `external` also needs
 * provenance.
 */
export const DEFAULT_TIER_GATES: TierGates = {
  official: [
    'security',
    'license',
    'fairness',
    'performance',
    'provenance',
  ].map(check => ({
    check,
    allow: ['pass', 'not-applicable'],
  })),
  community: ['security', 'license'].map(check => ({
    check,
    allow: ['pass', 'warn', 'not-applicable'],
  })),
  external: ['security', 'license', 'provenance'].map(check => ({
    check,
    allow: ['pass', 'warn', 'not-applicable'],
  })),
};

/** The slice of Backstage's `Config` the gate reader needs. */
export interface TierGatesConfig {
  getOptionalConfig(key: string): TierGatesConfig | undefined;
  getOptionalConfigArray(key: string): TierGatesConfig[] | undefined;
  getString(key: string): string;
  getOptionalStringArray(key: string): string[] | undefined;
  keys(): string[];
}

/**
 * The gates configured under `modelHub.gauntlet.tiers.<tier>.required`
 * (`[{check, allow}]`, `allow` defaulting to `[pass]`), the defaults for
 * tiers not configured. Throws an `InputError` naming the key for an
 * unknown tier or status.
 */
export function readTierGates(config: TierGatesConfig): TierGates {
  const gates: TierGates = {
    official: [...DEFAULT_TIER_GATES.official],
    community: [...DEFAULT_TIER_GATES.community],
    external: [...DEFAULT_TIER_GATES.external],
  };
  const tiers = config.getOptionalConfig('modelHub.gauntlet.tiers');
  for (const tier of tiers?.keys() ?? []) {
    if (!(MODEL_TIERS as readonly string[]).includes(tier)) {
      throw new InputError(
        `modelHub.gauntlet.tiers.${tier}: unknown tier; use one of ${MODEL_TIERS.join(
          ', ',
        )}`,
      );
    }
    const required = tiers!.getOptionalConfigArray(`${tier}.required`);
    if (!required) continue;
    gates[tier as ModelTier] = required.map((r, i) => {
      const check = r.getString('check');
      const allow = r.getOptionalStringArray('allow') ?? ['pass'];
      for (const status of allow) {
        if (!GAUNTLET_CHECK_STATUSES.includes(status as GauntletCheckStatus)) {
          throw new InputError(
            `modelHub.gauntlet.tiers.${tier}.required[${i}].allow: unknown status "${status}"; use ${GAUNTLET_CHECK_STATUSES.join(
              ', ',
            )}`,
          );
        }
      }
      return { check, allow: allow as GauntletCheckStatus[] };
    });
  }
  return gates;
}

/** The latest result of one check, as the gate sees it. */
export interface TierGateResult {
  checkId: string;
  status: GauntletCheckStatus;
  summary: string;
}

/** Outcome of a gate's required checks (official's approval is the backend's). */
export interface TierGateChecks {
  passed: boolean;
  checks: GateCheckOutcome[];
  /** Human-readable reasons the gate does not pass. */
  failures: string[];
}

function describeOutcome(status: string): string {
  if (status === 'error') return 'errored';
  if (status === 'fail') return 'failed';
  return `is ${status}`;
}

/**
 * Evaluates the required checks of one tier's gate over the latest results:
 * a check that has not run fails the gate, a status outside `allow` fails
 * it unless `waiverFor` returns an active waiver accepting that result.
 */
export function evaluateTierGateChecks<R extends TierGateResult>(options: {
  tier: ModelTier;
  gates: TierGates;
  results: readonly R[];
  waiverFor?: (
    requirement: TierGateRequirement,
    result: R,
  ) => GateCheckOutcome['waived'] | undefined;
}): TierGateChecks {
  const { tier, gates, results, waiverFor } = options;
  const failures: string[] = [];
  const checks: GateCheckOutcome[] = gates[tier].map(req => {
    const result = results.find(r => r.checkId === req.check);
    if (!result) {
      failures.push(`${req.check} has not run`);
      return {
        checkId: req.check,
        allowed: req.allow,
        status: 'missing',
        passed: false,
      };
    }
    const outcome: GateCheckOutcome = {
      checkId: req.check,
      allowed: req.allow,
      status: result.status,
      passed: true,
      summary: result.summary,
    };
    if (req.allow.includes(result.status)) return outcome;
    const waived = waiverFor?.(req, result);
    if (waived) return { ...outcome, waived };
    failures.push(
      `${req.check} ${describeOutcome(result.status)}: ${result.summary}`,
    );
    return { ...outcome, passed: false };
  });
  return { passed: failures.length === 0, checks, failures };
}
