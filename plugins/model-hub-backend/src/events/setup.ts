import { randomUUID } from 'node:crypto';
import {
  AuditorService,
  AuthService,
  DatabaseService,
  HttpAuthService,
  LifecycleService,
  LoggerService,
  PermissionsService,
  SchedulerService,
} from '@backstage/backend-plugin-api';
import { Config } from '@backstage/config';
import { CatalogService } from '@backstage/plugin-catalog-node';
import { EventsService } from '@backstage/plugin-events-node';
import {
  MODEL_HUB_EVENTS_TOPIC,
  ModelHubEvent,
} from '@internal/plugin-model-hub-common';
import { AuditTrailStore } from '../audit/AuditTrailStore';
import { withAuditTrail } from '../audit/recordingAuditor';
import { createAdminRouter } from '../audit/router';
import { ownerOf } from '../usage/catalogUsage';
import {
  readOutboxPollSeconds,
  readOutboxRetentionDays,
  readWebhooks,
} from './config';
import { DeliveryStore } from './DeliveryStore';
import { outboundEventOf } from './fromAudit';
import { OutboxStore } from './OutboxStore';
import { scheduleOutboxRetention } from './outboxRetention';
import { WebhookSender } from './WebhookSender';

/** The scheduled sweep of the webhook outbox (every replica). */
export const WEBHOOK_OUTBOX_TASK = 'model-hub-webhook-outbox';

/**
 * Wires the audit trail and outbound events (issue #21): the returned
 * auditor keeps every audit event in the trail and turns the ones that
 * matter to CI/CD (seal, alias, promotion approved, deprecation, tier
 * change, gauntlet finished) into typed events on the events service;
 * configured webhooks receive them signed. Also returns the admin router.
 */
export async function setupEventsAndAudit(options: {
  config: Config;
  database: DatabaseService;
  logger: LoggerService;
  auditor: AuditorService;
  httpAuth: HttpAuthService;
  auth: AuthService;
  catalog: CatalogService;
  permissions: PermissionsService;
  events: EventsService;
  scheduler: SchedulerService;
  lifecycle: LifecycleService;
}) {
  const { logger, auth, catalog, events } = options;
  const auditStore = await AuditTrailStore.create(options);
  const deliveries = await DeliveryStore.create(options);
  const webhooks = readWebhooks(options.config);
  const outbox = await OutboxStore.create(options);
  const sender = new WebhookSender({
    webhooks,
    outbox,
    store: deliveries,
    logger,
  });
  // Also without webhooks: rows delivered before they were removed expire.
  await scheduleOutboxRetention({
    scheduler: options.scheduler,
    outbox,
    logger,
    retentionDays: readOutboxRetentionDays(options.config),
  });
  if (webhooks.length > 0) {
    await events.subscribe({
      id: 'model-hub-webhooks',
      topics: [MODEL_HUB_EVENTS_TOPIC],
      onEvent: async e => sender.send(e.eventPayload as ModelHubEvent),
    });
    // Every replica sweeps the durable outbox; row claims keep two replicas
    // from sending the same attempt.
    await options.scheduler.scheduleTask({
      id: WEBHOOK_OUTBOX_TASK,
      scope: 'local',
      frequency: { seconds: readOutboxPollSeconds(options.config) },
      timeout: { minutes: 10 },
      fn: () => sender.sendDue(),
    });
    options.lifecycle.addShutdownHook(() => sender.stop());
  }

  const owners = new Map<string, { at: number; team?: string }>();
  const teamOf = async (entityRef: string) => {
    const cached = owners.get(entityRef);
    if (cached && Date.now() - cached.at < 60_000) return cached.team;
    const entity = await catalog.getEntityByRef(entityRef, {
      credentials: await auth.getOwnServiceCredentials(),
    });
    const team = entity ? ownerOf(entity) : undefined;
    owners.set(entityRef, { at: Date.now(), team });
    return team;
  };

  const auditor = withAuditTrail({
    auditor: options.auditor,
    store: auditStore,
    httpAuth: options.httpAuth,
    logger,
    teamOf,
    async onSuccess(facts, actor) {
      const draft = outboundEventOf(facts);
      if (!draft) return;
      const event: ModelHubEvent = {
        id: randomUUID(),
        occurredAt: new Date().toISOString(),
        ...(actor ? { actor } : {}),
        ...draft,
      };
      await events.publish({
        topic: MODEL_HUB_EVENTS_TOPIC,
        eventPayload: event,
        metadata: { type: event.type },
      });
    },
  });

  const router = await createAdminRouter({
    audit: auditStore,
    deliveries,
    httpAuth: options.httpAuth,
    auth,
    permissions: options.permissions,
  });
  return { auditor, router, sender, auditStore, deliveries };
}
