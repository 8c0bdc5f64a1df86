import { createHmac } from 'node:crypto';
import { LoggerService } from '@backstage/backend-plugin-api';
import {
  MODEL_HUB_SIGNATURE_HEADER,
  ModelHubEvent,
} from '@internal/plugin-model-hub-common';
import { WebhookConfig } from './config';
import { DeliveryStore } from './DeliveryStore';

/** The signature header value: `t=<unix seconds>,v1=<hex HMAC-SHA256(secret, "<t>.<body>")>`. */
export function signPayload(
  secret: string,
  timestamp: number,
  body: string,
): string {
  const mac = createHmac('sha256', secret)
    .update(`${timestamp}.${body}`)
    .digest('hex');
  return `t=${timestamp},v1=${mac}`;
}

/**
 * Sends outbound events to the configured webhooks: a JSON POST signed over
 * timestamp and body (a receiver recomputes the HMAC and rejects old
 * timestamps, so a captured request cannot be replayed later), retried
 * with exponential backoff on network errors, timeouts and non-2xx
 * answers, each attempt recorded. Retries live in this process: an event
 * whose retries are pending when the backend stops is not sent again.
 */
export class WebhookSender {
  readonly #webhooks: WebhookConfig[];
  readonly #store: DeliveryStore;
  readonly #logger: LoggerService;
  readonly #pending = new Set<Promise<void>>();

  constructor(options: {
    webhooks: WebhookConfig[];
    store: DeliveryStore;
    logger: LoggerService;
  }) {
    this.#webhooks = options.webhooks;
    this.#store = options.store;
    this.#logger = options.logger;
  }

  /** Starts delivering `event` to every webhook that wants it; returns at once. */
  send(event: ModelHubEvent): void {
    for (const webhook of this.#webhooks) {
      if (webhook.events.length > 0 && !webhook.events.includes(event.type)) {
        continue;
      }
      const p = this.#deliver(webhook, event).finally(() =>
        this.#pending.delete(p),
      );
      this.#pending.add(p);
    }
  }

  /** Resolves when every delivery started so far has finished (tests, shutdown). */
  async idle(): Promise<void> {
    while (this.#pending.size > 0) {
      await Promise.all([...this.#pending]);
    }
  }

  async #deliver(webhook: WebhookConfig, event: ModelHubEvent) {
    const body = JSON.stringify(event);
    for (let attempt = 1; attempt <= webhook.maxAttempts; attempt++) {
      const started = Date.now();
      const timestamp = Math.floor(started / 1000);
      let httpStatus: number | undefined;
      let error: string | undefined;
      try {
        const res = await fetch(webhook.url, {
          method: 'POST',
          headers: {
            'content-type': 'application/json',
            [MODEL_HUB_SIGNATURE_HEADER]: signPayload(
              webhook.secret,
              timestamp,
              body,
            ),
            'x-model-hub-event': event.type,
            'x-model-hub-delivery': `${event.id}/${attempt}`,
          },
          body,
          signal: AbortSignal.timeout(webhook.timeoutMs),
        });
        httpStatus = res.status;
        await res.arrayBuffer().catch(() => undefined);
        if (!res.ok) error = `answered ${res.status}`;
      } catch (e) {
        error = (e as Error).message;
      }
      const delivered = error === undefined;
      try {
        await this.#store.insert({
          webhook: webhook.name,
          eventId: event.id,
          eventType: event.type,
          entityRef: event.entityRef,
          attempt,
          outcome: delivered ? 'delivered' : 'failed',
          httpStatus,
          error,
          attemptedAt: new Date(started).toISOString(),
          durationMs: Date.now() - started,
        });
      } catch (e) {
        this.#logger.warn(`Could not record a webhook delivery: ${e}`);
      }
      if (delivered) return;
      if (attempt === webhook.maxAttempts) {
        this.#logger.warn(
          `Gave up delivering ${event.type} ${event.id} to webhook ${webhook.name} after ${attempt} attempts: ${error}`,
        );
        return;
      }
      await new Promise(r =>
        setTimeout(r, webhook.initialBackoffMs * 2 ** (attempt - 1)),
      );
    }
  }
}
