/*
 * Outbound events of the hub (issue #21): what the hub publishes on the
 * Backstage events service (topic `model-hub`) and sends to webhooks, and
 * the admin views of webhook deliveries and the audit trail.
 */

/** The events service topic the hub publishes on. */
export const MODEL_HUB_EVENTS_TOPIC = 'model-hub';

/** Every outbound event type. */
export const modelHubEventTypes = [
  'version.sealed',
  'gauntlet.finished',
  'tier.changed',
  'promotion.approved',
  'deprecation.set',
  'alias.moved',
  'alias.removed',
] as const;

/** The type of an outbound event. */
export type ModelHubEventType = (typeof modelHubEventTypes)[number];

/** One outbound event: the payload on the events service and the webhook body. */
export interface ModelHubEvent {
  /** Random UUID; webhook receivers use it to drop duplicates. */
  id: string;
  type: ModelHubEventType;
  /** ISO 8601. */
  occurredAt: string;
  /** Lower-case ref of the model. */
  entityRef: string;
  /** The user or service that caused it (absent for the hub's own work). */
  actor?: string;
  /** Type-specific fields, e.g. `version`, `alias`, `verdict`, `previousTier`, `effectiveTier`. */
  data: Record<string, unknown>;
}

/** Header with `t=<unix seconds>,v1=<hex HMAC-SHA256 of "<t>.<body>">`. */
export const MODEL_HUB_SIGNATURE_HEADER = 'x-model-hub-signature';

/** One attempt to deliver an event to a webhook. */
export interface WebhookDelivery {
  id: number;
  webhook: string;
  eventId: string;
  eventType: ModelHubEventType;
  entityRef: string;
  /** 1 for the first try. */
  attempt: number;
  outcome: 'delivered' | 'failed';
  httpStatus?: number;
  error?: string;
  attemptedAt: string;
  durationMs: number;
}

/** One entry of the audit trail: who did what to which model, and when. */
export interface AuditRecord {
  id: number;
  /** What happened, e.g. `alias-set`, `version-seal`, `gauntlet-promotion-decision`. */
  eventId: string;
  outcome: 'succeeded' | 'failed';
  /** The user or service that acted. */
  actor?: string;
  entityRef?: string;
  /** The model's owning team when it was recorded. */
  team?: string;
  occurredAt: string;
  /** The audit event's details. */
  meta: Record<string, unknown>;
}

/** Filters of the audit trail routes. */
export interface AuditQuery {
  model?: string;
  team?: string;
  actor?: string;
  limit?: number;
}

/** Paths of the admin routes for events and the audit trail. */
export const modelHubAdminPaths = {
  deliveries: '/v1/events/deliveries',
  audit(query: AuditQuery = {}, format: 'json' | 'csv' = 'json'): string {
    const q = new URLSearchParams();
    for (const [k, v] of Object.entries(query)) {
      if (v !== undefined && v !== '') q.set(k, String(v));
    }
    const s = q.toString();
    return `/v1/audit${format === 'csv' ? '.csv' : ''}${s ? `?${s}` : ''}`;
  },
};
