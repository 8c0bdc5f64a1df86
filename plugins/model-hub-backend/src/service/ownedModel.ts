import {
  BackstageCredentials,
  HttpAuthService,
  PermissionsService,
} from '@backstage/backend-plugin-api';
import { Entity } from '@backstage/catalog-model';
import { NotAllowedError, NotFoundError } from '@backstage/errors';
import { CatalogService } from '@backstage/plugin-catalog-node';
import { AuthorizeResult } from '@backstage/plugin-permission-common';
import {
  isModelEntity,
  ModelEntityV1alpha1,
  ModelHubModelPermission,
} from '@internal/plugin-model-hub-common';
import { Request } from 'express';
import { ownersOnlyMessage } from '../permissions/rules';
import { actorRef, modelRefParam } from './requests';

/** The caller of a model action and the model it acts on. */
export interface OwnedModelAccess {
  credentials: BackstageCredentials;
  entity: ModelEntityV1alpha1;
  /** Lower case. */
  entityRef: string;
  /** The user entity ref, or the service subject. */
  actor: string;
}

/**
 * The Model a route's `:namespace/:name` names, as the caller sees it in the
 * catalog (or as `pendingModel` has it while the catalog does not yet), once
 * the policy allows `permission` on it; otherwise a one-line 404, or a 403
 * that names the model's owners.
 */
export async function accessOwnedModel(
  deps: {
    httpAuth: HttpAuthService;
    catalog: CatalogService;
    permissions: PermissionsService;
  },
  req: Request,
  permission: ModelHubModelPermission,
  options: {
    allow: Array<'user' | 'service'>;
    pendingModel?: (entityRef: string) => Promise<Entity | undefined>;
  },
): Promise<OwnedModelAccess> {
  const credentials = await deps.httpAuth.credentials(req, {
    allow: options.allow,
  });
  const entityRef = modelRefParam(req);
  let entity = await deps.catalog.getEntityByRef(entityRef, { credentials });
  if (!entity && options.pendingModel) {
    entity = await options.pendingModel(entityRef);
  }
  if (!entity || !isModelEntity(entity)) {
    throw new NotFoundError(`Model ${entityRef} not found in the catalog`);
  }
  const [decision] = await deps.permissions.authorize(
    [{ permission, resourceRef: entityRef }],
    { credentials },
  );
  if (decision.result !== AuthorizeResult.ALLOW) {
    throw new NotAllowedError(
      ownersOnlyMessage(permission.name, entityRef, entity),
    );
  }
  return { credentials, entity, entityRef, actor: actorRef(credentials) };
}
