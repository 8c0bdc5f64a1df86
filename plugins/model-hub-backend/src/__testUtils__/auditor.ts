import {
  AuditorService,
  coreServices,
  createServiceFactory,
} from '@backstage/backend-plugin-api';

/** An audit event as the capturing auditor records it. */
export interface CapturedAuditEvent {
  eventId: string;
  /** The user entity ref or service subject, resolved like the real auditor does. */
  actor?: string;
  outcome: 'success' | 'failure';
  meta?: unknown;
}

/**
 * An auditor that resolves the actor of each event from the request's
 * credentials through the plugin's http auth (as Backstage's own auditor
 * does) and records the events in `events`.
 */
export function capturingAuditorFactory(events: CapturedAuditEvent[]) {
  return createServiceFactory({
    service: coreServices.auditor,
    deps: { httpAuth: coreServices.httpAuth, auth: coreServices.auth },
    factory({ httpAuth, auth }): AuditorService {
      return {
        async createEvent(options) {
          let actor: string | undefined;
          if (options.request) {
            const credentials = await httpAuth.credentials(options.request);
            if (auth.isPrincipal(credentials, 'user')) {
              actor = credentials.principal.userEntityRef;
            } else if (auth.isPrincipal(credentials, 'service')) {
              actor = credentials.principal.subject;
            }
          }
          const record = (outcome: 'success' | 'failure', meta?: unknown) =>
            events.push({
              eventId: options.eventId,
              actor,
              outcome,
              meta: { ...options.meta, ...(meta as object) },
            });
          return {
            async success(o) {
              record('success', o?.meta);
            },
            async fail(o) {
              record('failure', o?.meta);
            },
          };
        },
      };
    },
  });
}
