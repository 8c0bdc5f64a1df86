import {
  AuditorService,
  AuthService,
  BackstageCredentials,
  HttpAuthService,
  LoggerService,
  PermissionsService,
  UserInfoService,
} from '@backstage/backend-plugin-api';
import {
  ANNOTATION_LOCATION,
  ANNOTATION_ORIGIN_LOCATION,
  Entity,
  stringifyEntityRef,
} from '@backstage/catalog-model';
import {
  ConflictError,
  InputError,
  NotAllowedError,
  NotFoundError,
} from '@backstage/errors';
import { CatalogService } from '@backstage/plugin-catalog-node';
import { AuthorizeResult } from '@backstage/plugin-permission-common';
import {
  getModelSpecReferences,
  MODEL_HUB_ANNOTATIONS,
  MODEL_HUB_LOCATION_TYPE,
  ModelEntityV1alpha1,
  modelRegisterPermission,
  ModelReferenceField,
  modelUpdatePermission,
  RegisteredModel,
  RegisterModelResponse,
  validateModelEntity,
} from '@internal/plugin-model-hub-common';
import express from 'express';
import Router from 'express-promise-router';
import { z } from 'zod';
import { grantsMembership, teamDirectory } from '../gauntlet/membership';
import { modelOwnerRef, ownersOnlyMessage } from '../permissions/rules';
import { RegisteredModelStore } from './RegisteredModelStore';
import { stewardWarnings } from './stewardWarnings';
import { CatalogVisibility } from '../service/visibility';
import {
  actorRef,
  audited,
  modelRefParam,
  parseBody,
} from '../service/requests';

/** Dependencies of {@link createRegistryRouter}. */
export interface RegistryRouterOptions {
  store: RegisteredModelStore;
  httpAuth: HttpAuthService;
  auth: AuthService;
  permissions: PermissionsService;
  userInfo: UserInfoService;
  catalog: CatalogService;
  auditor: AuditorService;
  logger: LoggerService;
  /**
   * Deletes a card with the hub state granted to its name, refusing while
   * versions exist (see ModelCardDeletion). Default: only the registration.
   */
  deleteCard?: (entityRef: string) => Promise<void>;
  /** The clock (tests). */
  clock?: () => Date;
}

/**
 * Annotations the caller may not set on a registered model: those the hub
 * or the catalog write. They are dropped from the request.
 */
export const HUB_WRITTEN_ANNOTATIONS: readonly string[] = [
  MODEL_HUB_ANNOTATIONS.effectiveTier,
  MODEL_HUB_ANNOTATIONS.gauntletStatus,
  MODEL_HUB_ANNOTATIONS.deprecatedAt,
  MODEL_HUB_ANNOTATIONS.deprecatedBy,
  MODEL_HUB_ANNOTATIONS.deprecationReason,
  MODEL_HUB_ANNOTATIONS.registeredBy,
  ANNOTATION_LOCATION,
  ANNOTATION_ORIGIN_LOCATION,
];

const registerBody = z.object({
  entity: z
    .object({
      apiVersion: z.string(),
      kind: z.string(),
      metadata: z
        .object({
          name: z.string(),
          namespace: z.string().optional(),
          annotations: z.record(z.string()).optional(),
        })
        .passthrough(),
      spec: z.record(z.unknown()),
    })
    .passthrough(),
});

const FIELD_LABELS: Record<ModelReferenceField, string> = {
  owner: 'owner',
  steward: 'steward',
  system: 'system',
  baseModel: 'base model',
  trainingData: 'training dataset',
  metricDataset: 'metric dataset',
  evaluationDataset: 'evaluation dataset',
  successor: 'successor',
};

/**
 * Normalizes a registration request: namespace `default` when absent,
 * hub-written and location annotations removed, and the fields the catalog
 * adds to stored entities (uid, etag, generation, relations, status)
 * dropped.
 */
export function normalizeRegisteredEntity(
  input: Record<string, unknown> & { metadata: Record<string, unknown> },
): Record<string, unknown> {
  const {
    uid: _uid,
    etag: _etag,
    generation: _generation,
    ...metadata
  } = input.metadata;
  const annotations = {
    ...((metadata.annotations as Record<string, string> | undefined) ?? {}),
  };
  for (const key of HUB_WRITTEN_ANNOTATIONS) delete annotations[key];
  const { relations: _relations, status: _status, ...entity } = input;
  const out: Record<string, unknown> = {
    ...entity,
    metadata: {
      ...metadata,
      namespace: (metadata.namespace as string | undefined) || 'default',
    },
  };
  if (Object.keys(annotations).length > 0) {
    (out.metadata as Record<string, unknown>).annotations = annotations;
  } else {
    delete (out.metadata as Record<string, unknown>).annotations;
  }
  return out;
}

/** True when `entity` is served to the catalog by the hub itself. */
export function isManagedByHub(entity: Entity): boolean {
  const location = entity.metadata.annotations?.[ANNOTATION_LOCATION] ?? '';
  return location.startsWith(`${MODEL_HUB_LOCATION_TYPE}:`);
}

function stableJson(value: unknown): string {
  if (Array.isArray(value)) return `[${value.map(stableJson).join(',')}]`;
  if (value && typeof value === 'object') {
    return `{${Object.keys(value)
      .sort()
      .filter(k => (value as Record<string, unknown>)[k] !== undefined)
      .map(
        k =>
          `${JSON.stringify(k)}:${stableJson(
            (value as Record<string, unknown>)[k],
          )}`,
      )
      .join(',')}}`;
  }
  return JSON.stringify(value);
}

/**
 * The hub's model registry (`/v1/registered-models`): models registered
 * through the hub instead of YAML in a repository. The catalog reads them
 * through the hub's entity provider. Registering needs a signed-in member
 * of the owning team; changing a registration needs the update permission
 * on the model (its owners by default).
 */
export async function createRegistryRouter(
  options: RegistryRouterOptions,
): Promise<express.Router> {
  const { store, httpAuth, auth, permissions, userInfo, catalog, auditor } =
    options;
  const clock = options.clock ?? (() => new Date());
  const router = Router();
  const json = express.json({ limit: '1mb' });
  const visibility = new CatalogVisibility({ catalog, auth, userInfo });
  const directory = teamDirectory(catalog, auth);
  // A registration the catalog has not read yet: its team and registrant see it.
  const visibleModels = (credentials: BackstageCredentials) => ({
    credentials,
    refOf: (m: RegisteredModel) => m.entityRef,
    absentVisibleTo: (m: RegisteredModel) => [
      modelOwnerRef(m.entity),
      m.createdBy,
      m.updatedBy,
    ],
  });

  /** Every problem with the entities the model references, as the caller sees the catalog. */
  async function unknownReferences(
    entity: ModelEntityV1alpha1,
    credentials: BackstageCredentials,
  ): Promise<string[]> {
    const refs = getModelSpecReferences(entity);
    const problems: string[] = [];
    const owner = refs.find(r => r.field === 'owner');
    if (owner && owner.target.kind !== 'group') {
      problems.push(
        `spec.owner must name a Group, got ${stringifyEntityRef(owner.target)}`,
      );
    }
    const targets = refs.map(r => stringifyEntityRef(r.target));
    if (targets.length === 0) return problems;
    const { items } = await catalog.getEntitiesByRefs(
      { entityRefs: targets, fields: ['kind', 'metadata.name'] },
      { credentials },
    );
    refs.forEach((r, i) => {
      if (!items[i]) {
        problems.push(
          `unknown ${FIELD_LABELS[r.field]} ${targets[i]} (${r.path
            .slice(1)
            .replace(/\//g, '.')})`,
        );
      }
    });
    return problems;
  }

  router.post('/v1/registered-models', json, async (req, res) => {
    const credentials = await httpAuth.credentials(req, {
      allow: ['user', 'service'],
    });
    if (credentials.principal.type !== 'user') {
      throw new NotAllowedError(
        'Registering a model needs a signed-in member of its owning team; service credentials cannot register models (call on behalf of a user)',
      );
    }
    const body = parseBody(registerBody, req.body);
    const normalized = normalizeRegisteredEntity(body.entity);
    const validation = validateModelEntity(normalized);
    if (!validation.valid) {
      throw new InputError(
        `Invalid model entity: ${validation.errors.join('; ')}`,
      );
    }
    const entity = normalized as unknown as ModelEntityV1alpha1;
    const entityRef = stringifyEntityRef(entity).toLocaleLowerCase('en-US');
    const actor = actorRef(credentials);

    const result = await audited(
      auditor,
      req,
      'model-register',
      { model: entityRef },
      async () => {
        const existing = await catalog.getEntityByRef(entityRef, {
          credentials: await auth.getOwnServiceCredentials(),
        });
        if (existing && !isManagedByHub(existing)) {
          throw new ConflictError(
            `${entityRef} already exists in the catalog, managed by ${
              existing.metadata.annotations?.[ANNOTATION_LOCATION] ??
              'an unknown location'
            }`,
          );
        }

        const stored = await store.get(entityRef);
        const permission = stored
          ? modelUpdatePermission
          : modelRegisterPermission;
        const [decision] = await permissions.authorize(
          stored
            ? [{ permission: modelUpdatePermission, resourceRef: entityRef }]
            : [{ permission: modelRegisterPermission }],
          { credentials },
        );
        if (decision.result !== AuthorizeResult.ALLOW) {
          throw new NotAllowedError(
            stored
              ? ownersOnlyMessage(permission.name, entityRef, stored.entity)
              : `Not allowed to ${permission.name}`,
          );
        }

        const problems = await unknownReferences(entity, credentials);
        if (problems.length > 0) {
          throw new InputError(
            `Invalid model ${entityRef}: ${problems.join('; ')}`,
          );
        }

        const owner = modelOwnerRef(entity)!;
        if (!stored || modelOwnerRef(stored.entity) !== owner) {
          // The catalog decides when it holds the user: one removed from
          // the team does not register for it on a token's old claims.
          const info = await userInfo.getUserInfo(credentials);
          if (
            !grantsMembership({
              actor,
              group: owner,
              user: await directory.user(actor),
              claims: info.ownershipEntityRefs,
            })
          ) {
            throw new NotAllowedError(`you are not a member of ${owner}`);
          }
        }

        if (stored && stableJson(stored.entity) === stableJson(entity)) {
          return {
            value: { model: stored, created: false },
            meta: { created: false, changed: false },
          };
        }
        const value = await store.upsert({
          entityRef,
          entity,
          actor,
          now: clock(),
        });
        return {
          value,
          meta: { created: value.created, changed: true },
        };
      },
    );
    const response: RegisterModelResponse = {
      ...result.model,
      created: result.created,
      warnings: await stewardWarnings(entity, catalog, credentials),
    };
    res.status(result.created ? 201 : 200).json(response);
  });

  router.get('/v1/registered-models', async (req, res) => {
    const credentials = await httpAuth.credentials(req, {
      allow: ['user', 'service'],
    });
    const items: RegisteredModel[] = await visibility.filter(
      await store.list(),
      visibleModels(credentials),
    );
    res.json({ items });
  });

  const ONE = '/v1/registered-models/:namespace/:name';

  router.get(ONE, async (req, res) => {
    const credentials = await httpAuth.credentials(req, {
      allow: ['user', 'service'],
    });
    const model = await store.get(modelRefParam(req));
    if (
      !model ||
      !(await visibility.isVisible(model, visibleModels(credentials)))
    ) {
      throw new NotFoundError(
        `${modelRefParam(req)} is not registered with the hub`,
      );
    }
    res.json(model);
  });

  router.delete(ONE, async (req, res) => {
    const credentials = await httpAuth.credentials(req, {
      allow: ['user', 'service'],
    });
    const entityRef = modelRefParam(req);
    await audited(
      auditor,
      req,
      'model-unregister',
      { model: entityRef },
      async () => {
        const stored = await store.get(entityRef);
        if (!stored) {
          throw new NotFoundError(
            `${entityRef} is not registered with the hub`,
          );
        }
        const [decision] = await permissions.authorize(
          [{ permission: modelUpdatePermission, resourceRef: entityRef }],
          { credentials },
        );
        if (decision.result !== AuthorizeResult.ALLOW) {
          throw new NotAllowedError(
            ownersOnlyMessage(
              modelUpdatePermission.name,
              entityRef,
              stored.entity,
            ),
          );
        }
        await (options.deleteCard ?? store.delete.bind(store))(entityRef);
        return { value: undefined };
      },
    );
    res.status(204).end();
  });

  return router;
}
