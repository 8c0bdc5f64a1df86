import {
  BackstageCredentials,
  BackstageServicePrincipal,
  BackstageUserPrincipal,
  HttpAuthService,
  PermissionsService,
} from '@backstage/backend-plugin-api';
import { Entity, stringifyEntityRef } from '@backstage/catalog-model';
import { NotAllowedError, NotFoundError } from '@backstage/errors';
import { AuthorizeResult } from '@backstage/plugin-permission-common';
import {
  isModelEntity,
  ModelEntityV1alpha1,
  ModelHubModelPermission,
} from '@internal/plugin-model-hub-common';
import { Request } from 'express';
import { ownersOnlyMessage } from '../permissions/rules';
import { ModelLookup } from './cachedEntityLookup';
import { actorRef } from './requests';

/** The credentials of a user or service calling a model route. */
export type ModelCallerCredentials = BackstageCredentials<
  BackstageUserPrincipal | BackstageServicePrincipal
>;

/** What {@link accessModel} needs: authentication, the policy, the catalog lookup. */
export interface ModelAccessDeps {
  httpAuth: HttpAuthService;
  /** Needed by routes that check a permission. */
  permissions?: Pick<PermissionsService, 'authorize'>;
  lookupModel: ModelLookup;
}

/** How one route reaches its model (all optional). */
export interface ModelAccessOptions {
  /** Checked on the model after it was found; none: seeing the model is enough. */
  permission?: ModelHubModelPermission;
  /** The 403 message (default: only the model's owners may). */
  denial?: (
    permission: ModelHubModelPermission,
    entity: Entity,
    entityRef: string,
  ) => string;
  /** Principals the route accepts (default: users and services). */
  allow?: Array<'user' | 'service'>;
  /** The caller, when the route has already authenticated the request. */
  credentials?: ModelCallerCredentials;
  /** 404 also when the entity is not a valid Model (kind, schema). */
  modelsOnly?: boolean;
}

/** The caller of a model route and the model it names. */
export interface ModelAccess<E extends Entity = Entity> {
  credentials: ModelCallerCredentials;
  entity: E;
  /** The entity's ref, lower case. */
  entityRef: string;
  /** The user entity ref, or the service subject. */
  actor: string;
}

/**
 * The model a route's `:namespace/:name` names, looked up in the catalog as
 * the caller: a one-line 404 when the caller cannot see it, then a 403
 * unless the policy allows `permission` on it. The one implementation of
 * this rule for every model route.
 */
export async function accessModel(
  deps: ModelAccessDeps,
  req: Request,
  options: ModelAccessOptions & { modelsOnly: true },
): Promise<ModelAccess<ModelEntityV1alpha1>>;
export async function accessModel(
  deps: ModelAccessDeps,
  req: Request,
  options?: ModelAccessOptions,
): Promise<ModelAccess>;
export async function accessModel(
  deps: ModelAccessDeps,
  req: Request,
  options: ModelAccessOptions = {},
): Promise<ModelAccess> {
  const credentials =
    options.credentials ??
    (await deps.httpAuth.credentials(req, {
      allow: options.allow ?? ['user', 'service'],
    }));
  const requested = stringifyEntityRef({
    kind: 'model',
    namespace: req.params.namespace,
    name: req.params.name,
  });
  const entity = await deps.lookupModel(req, requested, credentials);
  if (!entity || (options.modelsOnly && !isModelEntity(entity))) {
    throw new NotFoundError(`Model ${requested} not found in the catalog`);
  }
  const entityRef = stringifyEntityRef(entity).toLocaleLowerCase('en-US');
  const { permission } = options;
  if (permission) {
    if (!deps.permissions) {
      throw new Error(
        `Checking ${permission.name} needs the permissions service; pass it to the router`,
      );
    }
    const [decision] = await deps.permissions.authorize(
      [{ permission, resourceRef: entityRef }],
      { credentials },
    );
    if (decision.result !== AuthorizeResult.ALLOW) {
      throw new NotAllowedError(
        options.denial
          ? options.denial(permission, entity, entityRef)
          : ownersOnlyMessage(permission.name, entityRef, entity),
      );
    }
  }
  return { credentials, entity, entityRef, actor: actorRef(credentials) };
}
