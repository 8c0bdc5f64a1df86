import {
  readSchedulerServiceTaskScheduleDefinitionFromConfig,
  SchedulerServiceTaskScheduleDefinition,
} from '@backstage/backend-plugin-api';
import { Config, ConfigReader, JsonObject } from '@backstage/config';
import { readStewardshipConfig, StewardshipConfig } from './rules';
import { DEFAULT_GROUP_OPENED_ABOVE } from './notifyOpened';

/** Settings of the stewardship engine: the rules plus scheduling and notifications. */
export interface StewardshipEngineConfig {
  /** Settings of the rules (governance group, periods, windows, required fields). */
  rules: StewardshipConfig;
  /** Whether the evaluation is scheduled at all (`modelHub.stewardship.enabled`). */
  enabled: boolean;
  /** When the evaluation runs (`modelHub.stewardship.schedule`). */
  schedule: SchedulerServiceTaskScheduleDefinition;
  /** What is sent to the assignees (`modelHub.stewardship.notifications`). */
  notifications: {
    /** Send a notification when a task opens. */
    enabled: boolean;
    /** An assignee with more tasks than this opened in one run gets one grouped notification. */
    groupAbove: number;
    digest: {
      /** Send each team a daily digest of its open tasks. */
      enabled: boolean;
      /** UTC hour (0-23) from which the day's digest may go out. */
      hourUtc: number;
      /** Skip teams without tasks opened since their previous digest. */
      onlyWithNewTasks: boolean;
      /** How many tasks a digest lists by title (the rest are counted). */
      maxListedTasks: number;
    };
  };
}

/** The default schedule: every 10 minutes, 5 minutes timeout, first run 30 s after start. */
export const DEFAULT_STEWARDSHIP_SCHEDULE: JsonObject = {
  frequency: { minutes: 10 },
  timeout: { minutes: 5 },
  initialDelay: { seconds: 30 },
};

function integer(
  value: number | undefined,
  key: string,
  fallback: number,
  min: number,
  max: number,
): number {
  const result = value ?? fallback;
  if (!Number.isInteger(result) || result < min || result > max) {
    throw new Error(
      `Invalid modelHub.stewardship.${key}: expected an integer from ${min} to ${max}, got ${result}`,
    );
  }
  return result;
}

/**
 * Reads `modelHub.stewardship` from app-config, with defaults for every
 * missing key. Throws an `Error` naming the bad key on invalid values.
 */
export function readStewardshipEngineConfig(
  config: Config,
): StewardshipEngineConfig {
  const section = config.getOptionalConfig('modelHub.stewardship');
  const scheduleSection = section?.getOptionalConfig('schedule');
  let schedule: SchedulerServiceTaskScheduleDefinition;
  try {
    schedule = readSchedulerServiceTaskScheduleDefinitionFromConfig(
      new ConfigReader({
        ...DEFAULT_STEWARDSHIP_SCHEDULE,
        ...(scheduleSection?.get<JsonObject>() ?? {}),
      }),
    );
  } catch (error) {
    throw new Error(
      `Invalid modelHub.stewardship.schedule: ${(error as Error).message}`,
    );
  }
  const notifications = section?.getOptionalConfig('notifications');
  const digest = notifications?.getOptionalConfig('digest');
  return {
    rules: readStewardshipConfig(config),
    enabled: section?.getOptionalBoolean('enabled') ?? true,
    schedule,
    notifications: {
      enabled: notifications?.getOptionalBoolean('enabled') ?? true,
      groupAbove: integer(
        notifications?.getOptionalNumber('groupAbove'),
        'notifications.groupAbove',
        DEFAULT_GROUP_OPENED_ABOVE,
        0,
        1_000_000,
      ),
      digest: {
        enabled: digest?.getOptionalBoolean('enabled') ?? true,
        hourUtc: integer(
          digest?.getOptionalNumber('hourUtc'),
          'notifications.digest.hourUtc',
          8,
          0,
          23,
        ),
        onlyWithNewTasks:
          digest?.getOptionalBoolean('onlyWithNewTasks') ?? false,
        maxListedTasks: integer(
          digest?.getOptionalNumber('maxListedTasks'),
          'notifications.digest.maxListedTasks',
          20,
          1,
          1000,
        ),
      },
    },
  };
}
