import { Config } from '@backstage/config';
import { InputError } from '@backstage/errors';

/** Usage recording settings (`modelHub.usage`). */
export interface UsageConfig {
  /** Downloads of the same version by the same principal within this many minutes are one pull. */
  pullWindowMinutes: number;
  /** Raw pull events older than this are deleted; daily rollups are kept. */
  retentionDays: number;
  /** Whether owning teams are notified when another team first consumes a model. */
  notifyFirstConsumers: boolean;
  /** How often declared consumers (`dependsOn`) are read from the catalog for notifications. */
  consumerSyncMinutes: number;
}

/** The defaults of {@link UsageConfig}, in one place. */
export const USAGE_DEFAULTS: UsageConfig = {
  pullWindowMinutes: 30,
  retentionDays: 400,
  notifyFirstConsumers: true,
  consumerSyncMinutes: 15,
};

/** Reads `modelHub.usage`. */
export function readUsageConfig(config: Config): UsageConfig {
  const c = config.getOptionalConfig('modelHub.usage');
  const positive = (key: keyof UsageConfig) => {
    const value = c?.getOptionalNumber(key);
    if (value === undefined) return USAGE_DEFAULTS[key] as number;
    if (!(value > 0)) {
      throw new InputError(
        `modelHub.usage.${key} must be a positive number, got ${value}`,
      );
    }
    return value;
  };
  return {
    pullWindowMinutes: positive('pullWindowMinutes'),
    retentionDays: positive('retentionDays'),
    consumerSyncMinutes: positive('consumerSyncMinutes'),
    notifyFirstConsumers:
      c?.getOptionalBoolean('notifyFirstConsumers') ??
      USAGE_DEFAULTS.notifyFirstConsumers,
  };
}
