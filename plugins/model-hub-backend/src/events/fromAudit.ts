import { JsonObject } from '@backstage/types';
import { ModelHubEventType } from '@internal/plugin-model-hub-common';

/** What an audit event says, as {@link outboundEventOf} reads it. */
export interface AuditFacts {
  eventId: string;
  meta: JsonObject;
  /** Route parameters and JSON body of the request, when there was one. */
  params?: Record<string, string>;
  body?: unknown;
}

/** An outbound event before it gets an id, time and actor. */
export interface OutboundEventDraft {
  type: ModelHubEventType;
  entityRef: string;
  data: Record<string, unknown>;
}

const str = (v: unknown) => (typeof v === 'string' ? v : undefined);
const lower = (v: string) => v.toLocaleLowerCase('en-US');

/**
 * The outbound event a successful audit event stands for, if any: the audit
 * trail is the one place every state change of the hub already passes
 * through, so events cannot drift from what was audited.
 */
export function outboundEventOf(
  facts: AuditFacts,
): OutboundEventDraft | undefined {
  const { meta } = facts;
  const model = str(meta.model) ?? str(meta.entityRef);
  if (!model) return undefined;
  const entityRef = lower(model);
  switch (facts.eventId) {
    case 'version-seal':
      return {
        type: 'version.sealed',
        entityRef,
        data: { version: str(meta.version) },
      };
    case 'alias-set': {
      // The route names them in its path and body; work without a
      // request (the example seeder) in the meta.
      const body = (facts.body ?? {}) as { version?: unknown };
      return {
        type: 'alias.moved',
        entityRef,
        data: {
          alias: facts.params?.alias ?? str(meta.alias),
          version: str(body.version) ?? str(meta.version),
        },
      };
    }
    case 'alias-removed':
      // The hub's own act (a rescan found an unsafe file): a pipeline
      // deploying the alias must stop using that version.
      return {
        type: 'alias.removed',
        entityRef,
        data: {
          alias: str(meta.alias),
          version: str(meta.version),
          reason: str(meta.reason) ?? null,
          scannerVersion: str(meta.scannerVersion) ?? null,
          files: Array.isArray(meta.files) ? meta.files : [],
        },
      };
    case 'gauntlet-promotion-decision':
      return meta.action === 'approve' && meta.state === 'approved'
        ? {
            type: 'promotion.approved',
            entityRef,
            data: {
              requestId: meta.requestId,
              effectiveTier: meta.effectiveTier ?? null,
            },
          }
        : undefined;
    case 'model-deprecate':
      return {
        type: 'deprecation.set',
        entityRef,
        data: { successor: meta.successor ?? null },
      };
    case 'gauntlet-tier-change':
      return {
        type: 'tier.changed',
        entityRef,
        data: {
          version: meta.version ?? null,
          previousTier: meta.previousTier ?? null,
          effectiveTier: meta.effectiveTier ?? null,
          reason: meta.reason ?? null,
        },
      };
    case 'gauntlet-run-finished':
      return {
        type: 'gauntlet.finished',
        entityRef,
        data: {
          version: meta.version ?? null,
          runId: meta.runId ?? null,
          tier: meta.tier ?? null,
          verdict: meta.verdict ?? null,
          checks: meta.checks ?? {},
        },
      };
    default:
      return undefined;
  }
}
