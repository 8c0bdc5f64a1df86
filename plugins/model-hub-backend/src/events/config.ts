import { Config } from '@backstage/config';
import { InputError } from '@backstage/errors';
import {
  ModelHubEventType,
  modelHubEventTypes,
} from '@internal/plugin-model-hub-common';

/** One webhook of `modelHub.events.webhooks`. */
export interface WebhookConfig {
  name: string;
  url: string;
  /** Shared secret of the HMAC-SHA256 signature. */
  secret: string;
  /** Event types to send; all when empty. */
  events: ModelHubEventType[];
  /** Attempts per event, the first included. */
  maxAttempts: number;
  /** Wait before the second attempt; doubled before each further one. */
  initialBackoffMs: number;
  /** A receiver that does not answer within this is a failed attempt. */
  timeoutMs: number;
}

/** Reads `modelHub.events.webhooks`. */
export function readWebhooks(config: Config): WebhookConfig[] {
  return (config.getOptionalConfigArray('modelHub.events.webhooks') ?? []).map(
    (c, i) => {
      const url = c.getString('url');
      if (!/^https?:\/\//.test(url)) {
        throw new InputError(
          `modelHub.events.webhooks[${i}].url must be an http(s) URL, got ${url}`,
        );
      }
      const secret = c.getString('secret');
      if (secret.length < 16) {
        throw new InputError(
          `modelHub.events.webhooks[${i}].secret must have at least 16 characters`,
        );
      }
      const events = (c.getOptionalStringArray('events') ?? []).map(e => {
        if (!(modelHubEventTypes as readonly string[]).includes(e)) {
          throw new InputError(
            `modelHub.events.webhooks[${i}].events: unknown event '${e}' (one of ${modelHubEventTypes.join(
              ', ',
            )})`,
          );
        }
        return e as ModelHubEventType;
      });
      return {
        name: c.getOptionalString('name') ?? new URL(url).host,
        url,
        secret,
        events,
        maxAttempts: c.getOptionalNumber('maxAttempts') ?? 5,
        initialBackoffMs: c.getOptionalNumber('initialBackoffMs') ?? 1000,
        timeoutMs: c.getOptionalNumber('timeoutMs') ?? 10_000,
      };
    },
  );
}

/**
 * Seconds between sweeps of the webhook outbox on each replica
 * (`modelHub.events.outboxPollSeconds`, default 10): the sweep sends
 * deliveries due after a restart or left by another replica.
 */
export function readOutboxPollSeconds(config: Config): number {
  const seconds =
    config.getOptionalNumber('modelHub.events.outboxPollSeconds') ?? 10;
  if (!(seconds >= 1)) {
    throw new InputError(
      `modelHub.events.outboxPollSeconds must be at least 1, got ${seconds}`,
    );
  }
  return seconds;
}

/**
 * Days a delivered row of the webhook outbox is kept after its delivery
 * (`modelHub.events.outboxRetentionDays`, default 30); pending rows and
 * rows given up are never pruned.
 */
export function readOutboxRetentionDays(config: Config): number {
  const days =
    config.getOptionalNumber('modelHub.events.outboxRetentionDays') ?? 30;
  if (!(days > 0)) {
    throw new InputError(
      `modelHub.events.outboxRetentionDays must be a positive number, got ${days}`,
    );
  }
  return days;
}
