import { Config } from '@backstage/config';

/** Limits of the stewardship task actions (`modelHub.stewardship.actions`). */
export interface StewardshipActionsConfig {
  /** Longest snooze, in days. */
  maxSnoozeDays: number;
  /** Longest waiver of a task, in days. */
  maxWaiverDays: number;
  /** The governance group (`modelHub.governance.group`). */
  governanceGroup: string;
}

/** Reads `modelHub.stewardship.actions` (defaults: snooze 90 days, waiver 180 days). */
export function readStewardshipActionsConfig(
  config: Config,
): StewardshipActionsConfig {
  const days = (key: string, fallback: number) => {
    const value =
      config.getOptionalNumber(`modelHub.stewardship.actions.${key}`) ??
      fallback;
    if (!Number.isInteger(value) || value < 1) {
      throw new Error(
        `modelHub.stewardship.actions.${key} must be a whole number of days of at least 1, got ${value}`,
      );
    }
    return value;
  };
  return {
    maxSnoozeDays: days('maxSnoozeDays', 90),
    maxWaiverDays: days('maxWaiverDays', 180),
    governanceGroup: (
      config.getOptionalString('modelHub.governance.group') ??
      config.getOptionalString('modelHub.governanceGroup') ??
      'group:default/ai-governance'
    ).toLocaleLowerCase('en-US'),
  };
}
