import {
  HttpAuthService,
  PermissionsService,
} from '@backstage/backend-plugin-api';
import { Entity } from '@backstage/catalog-model';
import { CatalogService } from '@backstage/plugin-catalog-node';
import {
  ModelEntityV1alpha1,
  ModelHubModelPermission,
} from '@internal/plugin-model-hub-common';
import { Request } from 'express';
import { liveModelLookup, ModelLookup } from './cachedEntityLookup';
import { accessModel, ModelAccess } from './modelAccess';

/** The caller of a model action and the model it acts on. */
export type OwnedModelAccess = ModelAccess<ModelEntityV1alpha1>;

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
  const live = liveModelLookup(deps.catalog);
  const { pendingModel } = options;
  const lookupModel: ModelLookup = pendingModel
    ? async (r, ref, credentials) =>
        (await live(r, ref, credentials)) ??
        pendingModel(ref.toLocaleLowerCase('en-US'))
    : live;
  return accessModel(
    { httpAuth: deps.httpAuth, permissions: deps.permissions, lookupModel },
    req,
    { permission, allow: options.allow, modelsOnly: true },
  );
}
