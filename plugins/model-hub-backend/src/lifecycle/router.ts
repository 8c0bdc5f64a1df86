import {
  AuditorService,
  AuthService,
  BackstageCredentials,
  HttpAuthService,
  LoggerService,
  PermissionsService,
} from '@backstage/backend-plugin-api';
import { Entity, stringifyEntityRef } from '@backstage/catalog-model';
import { InputError, NotFoundError } from '@backstage/errors';
import { CatalogService } from '@backstage/plugin-catalog-node';
import {
  isModelEntity,
  ModelDeprecation,
  modelDeprecatePermission,
  parseModelRef,
} from '@internal/plugin-model-hub-common';
import express, { Request } from 'express';
import Router from 'express-promise-router';
import { z } from 'zod';
import { audited, modelRefParam, parseBody } from '../service/requests';
import { DeprecationStore } from './DeprecationStore';
import { accessOwnedModel } from '../service/ownedModel';
import { CatalogVisibility } from '../service/visibility';
import {
  followCatalog,
  showsDeprecation,
  showsNoDeprecation,
} from './followCatalog';

/** Dependencies of {@link createLifecycleRouter}. */
export interface LifecycleRouterOptions {
  store: DeprecationStore;
  httpAuth: HttpAuthService;
  auth: AuthService;
  permissions: PermissionsService;
  catalog: CatalogService;
  auditor: AuditorService;
  logger: LoggerService;
  /**
   * Models the catalog may not show yet (registered with the hub moments
   * ago), by lower-case entity ref; consulted when the catalog has none.
   */
  pendingModel?: (entityRef: string) => Promise<Entity | undefined>;
  /**
   * Runs once the catalog shows a deprecation or its withdrawal (or after
   * `followTimeoutMs`), in the background; e.g. a stewardship evaluation.
   */
  onApplied?: (entityRef: string, reason: string) => Promise<void>;
  /** How long to wait for the catalog before `onApplied` anyway (default 60 s). */
  followTimeoutMs?: number;
  /** The clock (tests). */
  clock?: () => Date;
}

const MODEL = '/v1/models/:namespace/:name';

const deprecateBody = z.object({
  reason: z.string().trim().min(1).max(2000),
  successor: z.string().trim().min(1).max(255).optional(),
});

/**
 * The hub's lifecycle routes: deprecating any Model in the catalog (with a
 * reason and optionally a successor), withdrawing a deprecation, and
 * reading them. The catalog applies deprecations to the entities; after a
 * change the hub asks the catalog to reprocess the model right away.
 */
export async function createLifecycleRouter(
  options: LifecycleRouterOptions,
): Promise<express.Router> {
  const { store, httpAuth, auth, catalog, auditor, logger } = options;
  const clock = options.clock ?? (() => new Date());
  const router = Router();
  const json = express.json({ limit: '64kb' });
  const visibility = new CatalogVisibility({ catalog, auth });
  // A deprecation of a model the catalog does not hold: its author sees it.
  const visibleDeprecations = (credentials: BackstageCredentials) => ({
    credentials,
    refOf: (d: ModelDeprecation) => d.entityRef,
    absentVisibleTo: (d: ModelDeprecation) => [d.deprecatedBy],
  });

  /** The model as the caller sees it, with the deprecate permission. */
  const access = (req: Request) =>
    accessOwnedModel(options, req, modelDeprecatePermission, {
      allow: ['user', 'service'],
      pendingModel: options.pendingModel,
    });

  /** Asks the catalog to reprocess the model now; a failure only delays it. */
  async function refresh(entityRef: string) {
    try {
      await catalog.refreshEntity(entityRef, {
        credentials: await auth.getOwnServiceCredentials(),
      });
    } catch (error) {
      logger.warn(
        `Could not ask the catalog to refresh ${entityRef}; it picks up the lifecycle change on its next processing: ${error}`,
      );
    }
  }

  /** Runs `onApplied` in the background once the catalog shows the change. */
  function follow(
    entityRef: string,
    shows: (entity: Entity | undefined) => boolean,
    reason: string,
  ) {
    const { onApplied } = options;
    if (!onApplied) return;
    void followCatalog({
      catalog,
      auth,
      logger,
      entityRef,
      shows,
      timeoutMs: options.followTimeoutMs,
      nudge: () => refresh(entityRef),
      then: () => onApplied(entityRef, reason),
    });
  }

  router.get('/v1/deprecations', async (req, res) => {
    const credentials = await httpAuth.credentials(req, {
      allow: ['user', 'service'],
    });
    const items: ModelDeprecation[] = await visibility.filter(
      await store.list(),
      visibleDeprecations(credentials),
    );
    res.json({ items });
  });

  router.get(`${MODEL}/deprecation`, async (req, res) => {
    const credentials = await httpAuth.credentials(req, {
      allow: ['user', 'service'],
    });
    const deprecation = await store.get(modelRefParam(req));
    if (
      !deprecation ||
      !(await visibility.isVisible(
        deprecation,
        visibleDeprecations(credentials),
      ))
    ) {
      throw new NotFoundError(`${modelRefParam(req)} is not deprecated`);
    }
    res.json(deprecation);
  });

  router.put(`${MODEL}/deprecation`, json, async (req, res) => {
    const deprecation = await audited(
      auditor,
      req,
      'model-deprecate',
      { model: modelRefParam(req) },
      async () => {
        const { credentials, entity, entityRef, actor } = await access(req);
        const body = parseBody(deprecateBody, req.body);
        let successor: string | undefined;
        if (body.successor !== undefined) {
          try {
            successor = stringifyEntityRef(
              parseModelRef(body.successor, {
                defaultNamespace: entity.metadata.namespace ?? 'default',
              }),
            ).toLocaleLowerCase('en-US');
          } catch (error) {
            throw new InputError(
              `Invalid successor: ${(error as Error).message}`,
            );
          }
          if (successor === entityRef) {
            throw new InputError(
              `Invalid successor: ${entityRef} cannot succeed itself`,
            );
          }
          const next = await catalog.getEntityByRef(successor, {
            credentials,
          });
          if (!next || !isModelEntity(next)) {
            throw new InputError(
              `Invalid successor: unknown model ${successor}`,
            );
          }
          const lifecycle = next.spec.lifecycle;
          if (
            lifecycle === 'deprecated' ||
            lifecycle === 'archived' ||
            (await store.get(successor))
          ) {
            throw new InputError(
              `Invalid successor: ${successor} is itself ${
                lifecycle === 'archived' ? 'archived' : 'deprecated'
              }`,
            );
          }
        }
        const value = await store.put({
          entityRef,
          reason: body.reason,
          successor,
          actor,
          now: clock(),
        });
        return { value, meta: { successor: successor ?? null } };
      },
    );
    await refresh(deprecation.entityRef);
    follow(
      deprecation.entityRef,
      showsDeprecation(deprecation.deprecatedAt),
      `${deprecation.entityRef} was deprecated`,
    );
    res.json(deprecation);
  });

  router.delete(`${MODEL}/deprecation`, async (req, res) => {
    const entityRef = await audited(
      auditor,
      req,
      'model-deprecation-withdraw',
      { model: modelRefParam(req) },
      async () => {
        const access_ = await access(req);
        if (!(await store.delete(access_.entityRef))) {
          throw new NotFoundError(`${access_.entityRef} is not deprecated`);
        }
        return { value: access_.entityRef };
      },
    );
    await refresh(entityRef);
    follow(
      entityRef,
      showsNoDeprecation,
      `the deprecation of ${entityRef} was withdrawn`,
    );
    res.status(204).end();
  });

  return router;
}
