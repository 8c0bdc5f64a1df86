import { createHmac, randomUUID } from 'node:crypto';
import os from 'node:os';
import { LoggerService } from '@backstage/backend-plugin-api';
import {
  MODEL_HUB_SIGNATURE_HEADER,
  ModelHubEvent,
} from '@internal/plugin-model-hub-common';
import { WebhookConfig } from './config';
import { DeliveryStore } from './DeliveryStore';
import { ClaimedDelivery, OutboxStore } from './OutboxStore';

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
 * answers, each attempt recorded. Events go through the durable outbox
 * first: {@link WebhookSender.sendDue} (run right away, at each backoff and
 * by a scheduled task on every replica) claims due rows one attempt at a
 * time, so a retry pending when the backend stops is sent after it starts
 * again (or by another replica), and no attempt is sent twice.
 */
export class WebhookSender {
  readonly #webhooks: Map<string, WebhookConfig>;
  readonly #outbox: OutboxStore;
  readonly #store: DeliveryStore;
  readonly #logger: LoggerService;
  readonly #senderId = `${os.hostname()}:${process.pid}:${randomUUID().slice(
    0,
    8,
  )}`;
  readonly #timers = new Set<NodeJS.Timeout>();
  readonly #pending = new Set<Promise<void>>();
  #running = false;
  #again = false;
  #stopped = false;

  constructor(options: {
    webhooks: WebhookConfig[];
    outbox: OutboxStore;
    store: DeliveryStore;
    logger: LoggerService;
  }) {
    this.#webhooks = new Map(options.webhooks.map(w => [w.name, w]));
    this.#outbox = options.outbox;
    this.#store = options.store;
    this.#logger = options.logger;
  }

  /**
   * Queues `event` durably for every webhook that wants it, then starts
   * sending in the background. Resolves once the event is in the outbox.
   */
  async send(event: ModelHubEvent): Promise<void> {
    const payload = JSON.stringify(event);
    const entries = [...this.#webhooks.values()]
      .filter(w => w.events.length === 0 || w.events.includes(event.type))
      .map(w => ({
        webhook: w.name,
        eventId: event.id,
        eventType: event.type,
        entityRef: event.entityRef,
        payload,
        maxAttempts: w.maxAttempts,
      }));
    if (entries.length === 0) return;
    await this.#outbox.enqueue(entries, new Date());
    this.#kick();
  }

  /**
   * Sends every due delivery this replica can claim, one attempt each,
   * until none is due. Concurrent calls in one process coalesce.
   */
  async sendDue(): Promise<void> {
    if (this.#running) {
      this.#again = true;
      return;
    }
    this.#running = true;
    try {
      do {
        this.#again = false;
        for (;;) {
          if (this.#stopped) return;
          const now = new Date();
          const claim = await this.#outbox.claimDue(
            this.#senderId,
            now,
            this.#leaseMs(),
          );
          if (!claim) break;
          await this.#attempt(claim);
        }
      } while (this.#again);
    } finally {
      this.#running = false;
    }
  }

  /** Resolves when no send started by this process is still running (tests). */
  async idle(): Promise<void> {
    while (this.#pending.size > 0) {
      await Promise.all([...this.#pending]);
    }
  }

  /** Stops sending (shutdown): no new attempt starts; queued ones wait in the outbox. */
  async stop(): Promise<void> {
    this.#stopped = true;
    for (const t of this.#timers) clearTimeout(t);
    this.#timers.clear();
    await this.idle();
  }

  #kick(delayMs = 0) {
    if (this.#stopped) return;
    const timer = setTimeout(() => {
      this.#timers.delete(timer);
      const p = this.sendDue()
        .catch(e =>
          this.#logger.warn(`Sending webhook deliveries failed: ${e}`),
        )
        .finally(() => this.#pending.delete(p));
      this.#pending.add(p);
    }, delayMs);
    timer.unref?.();
    this.#timers.add(timer);
  }

  /** Long enough for the slowest webhook's timeout and the bookkeeping. */
  #leaseMs() {
    const timeouts = [...this.#webhooks.values()].map(w => w.timeoutMs);
    return Math.max(10_000, ...timeouts) + 30_000;
  }

  async #attempt(claim: ClaimedDelivery) {
    const webhook = this.#webhooks.get(claim.webhook);
    const started = Date.now();
    let httpStatus: number | undefined;
    let error: string | undefined;
    if (!webhook) {
      error = `webhook ${claim.webhook} is no longer configured`;
    } else {
      const timestamp = Math.floor(started / 1000);
      try {
        const res = await fetch(webhook.url, {
          method: 'POST',
          headers: {
            'content-type': 'application/json',
            [MODEL_HUB_SIGNATURE_HEADER]: signPayload(
              webhook.secret,
              timestamp,
              claim.payload,
            ),
            'x-model-hub-event': claim.eventType,
            'x-model-hub-delivery': `${claim.eventId}/${claim.attempt}`,
          },
          body: claim.payload,
          signal: AbortSignal.timeout(webhook.timeoutMs),
        });
        httpStatus = res.status;
        await res.arrayBuffer().catch(() => undefined);
        if (!res.ok) error = `answered ${res.status}`;
      } catch (e) {
        error = (e as Error).message;
      }
    }
    const delivered = error === undefined;
    const retryAt =
      !delivered && webhook && claim.attempt < claim.maxAttempts
        ? new Date(
            Date.now() + webhook.initialBackoffMs * 2 ** (claim.attempt - 1),
          )
        : undefined;
    try {
      await this.#store.insert({
        webhook: claim.webhook,
        eventId: claim.eventId,
        eventType: claim.eventType,
        entityRef: claim.entityRef,
        attempt: claim.attempt,
        outcome: delivered ? 'delivered' : 'failed',
        httpStatus,
        error,
        attemptedAt: new Date(started).toISOString(),
        durationMs: Date.now() - started,
      });
    } catch (e) {
      this.#logger.warn(`Could not record a webhook delivery: ${e}`);
    }
    const settled = await this.#outbox.settle(
      claim,
      { delivered, httpStatus, error, retryAt },
      new Date(),
    );
    if (!settled) {
      this.#logger.warn(
        `Lost the claim on ${claim.eventType} ${claim.eventId} for webhook ${claim.webhook} while sending attempt ${claim.attempt}`,
      );
    } else if (retryAt) {
      this.#kick(retryAt.getTime() - Date.now());
    } else if (!delivered) {
      this.#logger.warn(
        `Gave up delivering ${claim.eventType} ${claim.eventId} to webhook ${claim.webhook} after ${claim.attempt} attempts: ${error}`,
      );
    }
  }
}
