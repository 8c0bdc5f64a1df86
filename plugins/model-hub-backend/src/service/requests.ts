import {
  AuditorService,
  BackstageCredentials,
} from '@backstage/backend-plugin-api';
import { stringifyEntityRef } from '@backstage/catalog-model';
import { InputError } from '@backstage/errors';
import { Request } from 'express';
import { z } from 'zod';

/** Parses a JSON body with `schema`; an InputError names every bad field. */
export function parseBody<T>(
  schema: z.ZodType<T, z.ZodTypeDef, unknown>,
  body: unknown,
): T {
  const parsed = schema.safeParse(body ?? {});
  if (!parsed.success) {
    throw new InputError(
      `Invalid request body: ${parsed.error.issues
        .map(i => `${i.path.join('.') || 'body'}: ${i.message}`)
        .join('; ')}`,
    );
  }
  return parsed.data;
}

/** Parses a query string with `schema`; the InputError names every bad parameter and the hint. */
export function parseQuery<T>(
  schema: z.ZodType<T, z.ZodTypeDef, unknown>,
  query: unknown,
  hint = '',
): T {
  const parsed = schema.safeParse(query ?? {});
  if (!parsed.success) {
    throw new InputError(
      `Invalid query: ${parsed.error.issues
        .map(i => `${i.path.join('.') || 'query'}: ${i.message}`)
        .join('; ')}${hint ? ` (${hint})` : ''}`,
    );
  }
  return parsed.data;
}

/** The lower-case ref of the model named by a route's `:namespace/:name`. */
export function modelRefParam(req: Request): string {
  return stringifyEntityRef({
    kind: 'model',
    namespace: req.params.namespace,
    name: req.params.name,
  }).toLocaleLowerCase('en-US');
}

/** The user entity ref, or the service subject, behind `credentials`. */
export function actorRef(credentials: BackstageCredentials): string {
  const p = credentials.principal as
    | { type: 'user'; userEntityRef: string }
    | { type: 'service'; subject: string };
  return p.type === 'user' ? p.userEntityRef : p.subject;
}

/**
 * Who a step acts for outside any HTTP request (the example seeder at
 * start-up): recorded as the audit event's `actor` meta.
 */
export interface StartupActor {
  startupActor: string;
}

/**
 * Runs `fn` inside an audit event that records its success or failure:
 * for an HTTP request (the caller is its credentials), or for a
 * {@link StartupActor} (work the plugin does on its own, such as seeding).
 */
export async function audited<T>(
  auditor: AuditorService,
  by: Request | StartupActor,
  eventId: string,
  meta: Record<string, string>,
  fn: () => Promise<{ value: T; meta?: Record<string, unknown> }>,
): Promise<T> {
  const startup = 'startupActor' in by ? by.startupActor : undefined;
  const event = await auditor.createEvent({
    eventId,
    ...(startup ? {} : { request: by as Request }),
    severityLevel: 'medium',
    meta: startup ? { ...meta, actor: startup } : meta,
  });
  try {
    const { value, meta: extra } = await fn();
    await event.success({ meta: extra as any });
    return value;
  } catch (error) {
    await event.fail({ error: error as Error });
    throw error;
  }
}
