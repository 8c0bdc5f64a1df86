import {
  AuditorService,
  AuditorServiceCreateEventOptions,
  HttpAuthService,
  LoggerService,
} from '@backstage/backend-plugin-api';
import { JsonObject } from '@backstage/types';
import { actorRef } from '../service/requests';
import { AuditFacts } from '../events/fromAudit';
import { AuditTrailStore } from './AuditTrailStore';

/** What {@link withAuditTrail} needs. */
export interface AuditTrailOptions {
  auditor: AuditorService;
  store: AuditTrailStore;
  httpAuth: HttpAuthService;
  logger: LoggerService;
  /** The owning team of a model (for the team filter), or undefined. */
  teamOf: (entityRef: string) => Promise<string | undefined>;
  /** Told of every successful audit event (outbound events hang off this). */
  onSuccess?: (facts: AuditFacts, actor?: string) => Promise<void>;
  clock?: () => Date;
}

/**
 * Wraps the plugin's auditor so that every audit event is also kept in the
 * audit trail table (for the admin view and CSV export) and successful ones
 * reach `onSuccess`. The wrapped auditor still receives every event
 * unchanged; a failure to record is logged and never fails the request.
 */
export function withAuditTrail(options: AuditTrailOptions): AuditorService {
  const { auditor, store, httpAuth, logger, teamOf } = options;
  const now = options.clock ?? (() => new Date());
  return {
    async createEvent(o: AuditorServiceCreateEventOptions) {
      const inner = await auditor.createEvent(o);
      const record = async (
        outcome: 'succeeded' | 'failed',
        extra: JsonObject | undefined,
        error?: Error,
      ) => {
        try {
          const meta: JsonObject = {
            ...(o.meta ?? {}),
            ...(extra ?? {}),
            ...(error ? { error: error.message } : {}),
          };
          let actor: string | undefined;
          if (o.request) {
            const credentials = await httpAuth
              .credentials(o.request, { allow: ['user', 'service'] })
              .catch(() => undefined);
            actor = credentials ? actorRef(credentials) : undefined;
          } else if (typeof meta.actor === 'string') {
            // Work without a request names its actor (src/service/requests.ts).
            actor = meta.actor;
          }
          const model =
            typeof meta.model === 'string'
              ? meta.model
              : (meta.entityRef as string | undefined);
          const entityRef = model?.toLocaleLowerCase('en-US');
          await store.insert({
            eventId: o.eventId,
            outcome,
            actor: actor ?? 'plugin:model-hub',
            entityRef,
            team: entityRef ? await teamOf(entityRef) : undefined,
            meta,
            occurredAt: now(),
          });
          if (outcome === 'succeeded' && options.onSuccess) {
            await options.onSuccess(
              {
                eventId: o.eventId,
                meta,
                params: o.request?.params,
                body: o.request?.body,
              },
              actor,
            );
          }
        } catch (e) {
          logger.warn(`Could not record audit event ${o.eventId}: ${e}`);
        }
      };
      return {
        async success(s) {
          await inner.success(s);
          await record('succeeded', s?.meta);
        },
        async fail(f) {
          await inner.fail(f);
          await record('failed', f.meta, f.error);
        },
      };
    },
  };
}
