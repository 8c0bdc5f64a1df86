import { createHash } from 'node:crypto';
import {
  readSchedulerServiceTaskScheduleDefinitionFromConfig,
  SchedulerServiceTaskScheduleDefinition,
} from '@backstage/backend-plugin-api';
import { Config } from '@backstage/config';
import { InputError } from '@backstage/errors';
import {
  DEFAULT_TIER_GATES,
  readTierGates,
  TierGateRequirement,
  TierGates,
} from '@internal/plugin-model-hub-common';

// The tier gate is defined once, in -common, for the backend, CLI and UI.
export { DEFAULT_TIER_GATES };
export type { TierGateRequirement, TierGates };

/** Everything the gauntlet backend reads from `modelHub`. */
export interface GauntletConfig {
  gates: TierGates;
  /** Results older than this are re-run by the scheduler. */
  maxResultAgeDays: number;
  /** Group whose members approve promotions and grant waivers. */
  governanceGroup: string;
  /** Distinct eligible approvers a promotion or waiver needs (four-eyes). */
  requiredApprovals: number;
  /** Longest a waiver may last. */
  maxWaiverDays: number;
  /** The refresh task (re-run stale results). */
  schedule: SchedulerServiceTaskScheduleDefinition;
  /** How often each replica polls the queue. */
  workerPollSeconds: number;
  /** The longest one drain of the queue may take (the worker task's timeout). */
  leaseMinutes: number;
  /** How long a run's lease lasts without a heartbeat (renewed every third of it). */
  leaseSeconds: number;
  /** How often each replica looks for seals whose runs were never queued. */
  lostSealSweepSeconds: number;
  /** Claims of one run before it is given up: 2 = re-queued once after its runner died. */
  maxAttempts: number;
  /** SHA-256 of the canonical `modelHub.gauntlet` config: the policy version. */
  configSha256: string;
}

/** Orders strings by code unit, independent of the locale. */
function compareStrings(a: string, b: string): number {
  if (a === b) return 0;
  return a < b ? -1 : 1;
}

/** JSON with object keys sorted, so equal values hash equally. */
export function canonicalJson(value: unknown): string {
  if (Array.isArray(value)) return `[${value.map(canonicalJson).join(',')}]`;
  if (value && typeof value === 'object') {
    const entries = Object.entries(value as Record<string, unknown>)
      .filter(([, v]) => v !== undefined)
      .sort(([a], [b]) => compareStrings(a, b));
    return `{${entries
      .map(([k, v]) => `${JSON.stringify(k)}:${canonicalJson(v)}`)
      .join(',')}}`;
  }
  return JSON.stringify(value ?? null);
}

/** Hex SHA-256 of a string. */
export function sha256Hex(text: string): string {
  return createHash('sha256').update(text).digest('hex');
}

function readRequiredApprovals(config: Config): number {
  const n =
    config.getOptionalNumber('modelHub.governance.requiredApprovals') ?? 1;
  if (!Number.isInteger(n) || n < 1) {
    throw new InputError(
      `modelHub.governance.requiredApprovals must be a whole number of at least 1, got ${n}`,
    );
  }
  return n;
}

/** Reads and validates the gauntlet configuration. */
export function readGauntletConfig(config: Config): GauntletConfig {
  const g = config.getOptionalConfig('modelHub.gauntlet');
  const positive = (key: string, fallback: number) => {
    const v = g?.getOptionalNumber(key) ?? fallback;
    if (!(v > 0))
      throw new InputError(
        `modelHub.gauntlet.${key} must be positive, got ${v}`,
      );
    return v;
  };
  const scheduleConfig = g?.getOptionalConfig('schedule');
  return {
    gates: readTierGates(config),
    maxResultAgeDays: positive('maxResultAgeDays', 30),
    governanceGroup:
      config.getOptionalString('modelHub.governance.group') ??
      config.getOptionalString('modelHub.governanceGroup') ??
      'group:default/ai-governance',
    requiredApprovals: readRequiredApprovals(config),
    maxWaiverDays: positive('maxWaiverDays', 180),
    schedule: scheduleConfig
      ? readSchedulerServiceTaskScheduleDefinitionFromConfig(scheduleConfig)
      : {
          frequency: { minutes: 30 },
          timeout: { minutes: 15 },
          initialDelay: { minutes: 1 },
        },
    workerPollSeconds: positive('workerPollSeconds', 10),
    leaseMinutes: positive('leaseMinutes', 30),
    leaseSeconds: positive('leaseSeconds', 60),
    lostSealSweepSeconds: positive('lostSealSweepSeconds', 60),
    maxAttempts: positive('maxAttempts', 2),
    configSha256: sha256Hex(
      canonicalJson(config.getOptional('modelHub.gauntlet') ?? {}),
    ),
  };
}
