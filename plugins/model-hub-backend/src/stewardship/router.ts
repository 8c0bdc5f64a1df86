import {
  AuthService,
  BackstageCredentials,
  HttpAuthService,
} from '@backstage/backend-plugin-api';
import {
  Entity,
  parseEntityRef,
  RELATION_MEMBER_OF,
  stringifyEntityRef,
} from '@backstage/catalog-model';
import { InputError, NotFoundError } from '@backstage/errors';
import { CatalogService } from '@backstage/plugin-catalog-node';
import express from 'express';
import Router from 'express-promise-router';
import { z } from 'zod';
import {
  StewardshipTask,
  StewardshipTaskCounts,
} from '@internal/plugin-model-hub-common';
import { CatalogVisibility } from '../service/visibility';
import { STEWARDSHIP_SEVERITIES } from './rules';
import { StewardshipEngine } from './StewardshipEngine';
import {
  StewardshipTaskQuery,
  StewardshipTaskStore,
} from './StewardshipTaskStore';

/** Dependencies of {@link createStewardshipRouter}. */
export interface StewardshipRouterOptions {
  httpAuth: HttpAuthService;
  /** Looks up users' group memberships (`?user=`) as the caller. */
  catalog: CatalogService;
  store: StewardshipTaskStore;
  /** The hub's own credentials: tell hidden entities from absent ones. */
  auth: AuthService;
  /** Computes effective lifecycles for `/v1/stewardship/models`. */
  engine: Pick<StewardshipEngine, 'listLifecycles'>;
  /** Adds what people decided (pending waivers) to listed tasks. */
  decorate?: <T extends StewardshipTask>(tasks: T[]) => Promise<T[]>;
}

const refParam = z.string().trim().min(1).max(512);

const taskQuery = z
  .object({
    owner: refParam.optional(),
    entityRef: refParam.optional(),
    user: refParam.optional(),
    state: z.enum(['open', 'closed', 'all']).default('open'),
    limit: z.coerce.number().int().min(1).max(1000).default(500),
  })
  .strict()
  .refine(
    q =>
      [q.owner, q.entityRef, q.user].filter(v => v !== undefined).length === 1,
    { message: 'give exactly one of owner, entityRef or user' },
  );

const lifecycleQuery = z.object({ entityRef: refParam.optional() }).strict();

const TASK_ID =
  /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/;

function parseQuery<T>(
  schema: z.ZodType<T, z.ZodTypeDef, unknown>,
  query: unknown,
): T {
  const parsed = schema.safeParse(query);
  if (!parsed.success) {
    const issues = parsed.error.issues
      .map(i => `${i.path.join('.') || 'query'}: ${i.message}`)
      .join('; ');
    throw new InputError(`Invalid query: ${issues}`);
  }
  return parsed.data;
}

function normalizeRef(
  ref: string,
  param: string,
  defaultKind: string,
  allowedKinds: string[],
): string {
  let parsed;
  try {
    parsed = parseEntityRef(ref, { defaultKind, defaultNamespace: 'default' });
  } catch (error) {
    throw new InputError(
      `Invalid ${param} "${ref}": ${(error as Error).message}`,
    );
  }
  const normalized = stringifyEntityRef(parsed).toLocaleLowerCase('en-US');
  if (!allowedKinds.includes(parsed.kind.toLocaleLowerCase('en-US'))) {
    throw new InputError(
      `Invalid ${param} "${ref}": expected a ${allowedKinds.join(
        ' or ',
      )} ref, got ${normalized}`,
    );
  }
  return normalized;
}

/** The groups a user belongs to: `memberOf` relations and `spec.memberOf`. */
function groupsOf(user: Entity): string[] {
  const namespace = user.metadata.namespace ?? 'default';
  const refs = new Set<string>();
  const add = (ref: unknown) => {
    if (typeof ref !== 'string') return;
    try {
      refs.add(
        stringifyEntityRef(
          parseEntityRef(ref, {
            defaultKind: 'group',
            defaultNamespace: namespace,
          }),
        ).toLocaleLowerCase('en-US'),
      );
    } catch {
      // An unparsable membership names no group.
    }
  };
  for (const relation of user.relations ?? []) {
    if (relation.type === RELATION_MEMBER_OF) add(relation.targetRef);
  }
  const declared = user.spec?.memberOf;
  if (Array.isArray(declared)) declared.forEach(add);
  return [...refs].filter(r => r.startsWith('group:'));
}

/**
 * The stewardship HTTP API (mounted under the plugin's `/api/model-hub`):
 * tasks by team, model or user, counts for badges, one task with history,
 * and models' effective lifecycles. Any signed-in user or service may read.
 */
export function createStewardshipRouter(
  options: StewardshipRouterOptions,
): express.Router {
  const { httpAuth, catalog, store, engine } = options;
  const router = Router();
  // Tasks about entities the caller may not read in the catalog are not
  // listed, counted or shown.
  const visibility = new CatalogVisibility({ catalog, auth: options.auth });
  const visibleTasks = (
    tasks: StewardshipTask[],
    credentials: BackstageCredentials,
  ) => visibility.filter(tasks, { credentials, refOf: t => t.entityRef });

  async function taskFilter(req: express.Request): Promise<{
    query: StewardshipTaskQuery;
    limit: number;
    credentials: BackstageCredentials;
  }> {
    const credentials = await httpAuth.credentials(req, {
      allow: ['user', 'service'],
    });
    const q = parseQuery(taskQuery, req.query);
    const query: StewardshipTaskQuery = { state: q.state };
    if (q.owner !== undefined) {
      query.assignees = [
        normalizeRef(q.owner, 'owner', 'group', ['group', 'user']),
      ];
    } else if (q.entityRef !== undefined) {
      query.entityRef = normalizeRef(q.entityRef, 'entityRef', 'model', [
        'model',
      ]);
    } else {
      const userRef = normalizeRef(q.user!, 'user', 'user', ['user']);
      const user = await catalog.getEntityByRef(userRef, { credentials });
      if (!user) {
        throw new NotFoundError(`User ${userRef} not found in the catalog`);
      }
      query.assignees = [userRef, ...groupsOf(user)];
    }
    return { query, limit: q.limit, credentials };
  }

  router.get('/v1/stewardship/tasks', async (req, res) => {
    const { query, limit, credentials } = await taskFilter(req);
    // Visibility is applied before the limit, so hidden tasks never crowd
    // out visible ones.
    const items = await visibleTasks(await store.listTasks(query), credentials);
    const page = items.slice(0, limit);
    res.json({ items: options.decorate ? await options.decorate(page) : page });
  });

  router.get('/v1/stewardship/tasks/counts', async (req, res) => {
    const { query, credentials } = await taskFilter(req);
    if (!options.auth.isPrincipal(credentials, 'user')) {
      res.json({ counts: await store.countTasks(query) });
      return;
    }
    // Counted from the visible tasks, so a badge never reveals hidden ones.
    const tasks = await visibleTasks(await store.listTasks(query), credentials);
    const counts: StewardshipTaskCounts = {
      critical: 0,
      high: 0,
      medium: 0,
      low: 0,
      total: tasks.length,
    };
    for (const task of tasks) {
      if (
        (STEWARDSHIP_SEVERITIES as readonly string[]).includes(task.severity)
      ) {
        counts[task.severity] += 1;
      }
    }
    res.json({ counts });
  });

  router.get('/v1/stewardship/tasks/:id', async (req, res) => {
    const credentials = await httpAuth.credentials(req, {
      allow: ['user', 'service'],
    });
    const id = req.params.id.toLowerCase();
    if (!TASK_ID.test(id)) {
      throw new InputError(`Invalid task id "${req.params.id}"`);
    }
    const task = await store.getTask(id);
    if (!task || (await visibleTasks([task], credentials)).length === 0) {
      throw new NotFoundError(`Stewardship task ${id} does not exist`);
    }
    res.json(options.decorate ? (await options.decorate([task]))[0] : task);
  });

  router.get('/v1/stewardship/models', async (req, res) => {
    const credentials = await httpAuth.credentials(req, {
      allow: ['user', 'service'],
    });
    const q = parseQuery(lifecycleQuery, req.query);
    const entityRef =
      q.entityRef === undefined
        ? undefined
        : normalizeRef(q.entityRef, 'entityRef', 'model', ['model']);
    const items = await engine.listLifecycles({ credentials, entityRef });
    if (entityRef && items.length === 0) {
      throw new NotFoundError(`Model ${entityRef} not found in the catalog`);
    }
    res.json({ items });
  });

  return router;
}
