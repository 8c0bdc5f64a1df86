import {
  AuditorService,
  AuthService,
  BackstageCredentials,
  HttpAuthService,
  PermissionsService,
  UserInfoService,
} from '@backstage/backend-plugin-api';
import { CatalogService } from '@backstage/plugin-catalog-node';
import {
  AuthorizeResult,
  Permission,
} from '@backstage/plugin-permission-common';
import express from 'express';
import { StewardshipActionsConfig } from './actionsConfig';
import { StewardshipActionStore } from './StewardshipActionStore';
import { StewardshipTaskStore } from './StewardshipTaskStore';
import { ModelLookup } from '../service/cachedEntityLookup';

/** Dependencies of {@link createStewardshipActionsRouter}. */
export interface StewardshipActionsRouterOptions {
  httpAuth: HttpAuthService;
  auth: AuthService;
  permissions: PermissionsService;
  userInfo: UserInfoService;
  catalog: CatalogService;
  auditor: AuditorService;
  tasks: StewardshipTaskStore;
  actions: StewardshipActionStore;
  config: StewardshipActionsConfig;
  /** Asks the engine to evaluate soon (after a steward or archive change). */
  trigger?: (reason: string) => Promise<void>;
  /** The clock (tests). */
  clock?: () => Date;
  /** The model lookup of the read routes (default: the catalog, live). */
  modelLookup?: ModelLookup;
}

/** What the task and model action routes share. */
export interface StewardshipActionRouteContext
  extends StewardshipActionsRouterOptions {
  clock: () => Date;
  /** Parses small JSON bodies. */
  json: express.RequestHandler;
}

/** Lower case, locale-independent (entity refs, task ids). */
export const lower = (s: string) => s.toLocaleLowerCase('en-US');

/** Whether the policy allows `permission` (on `resourceRef`, if given). */
export async function isAllowed(
  permissions: PermissionsService,
  credentials: BackstageCredentials,
  permission: Permission,
  resourceRef?: string,
): Promise<boolean> {
  const [decision] = await permissions.authorize(
    [
      (resourceRef
        ? { permission, resourceRef }
        : { permission }) as Parameters<
        PermissionsService['authorize']
      >[0][number],
    ],
    { credentials },
  );
  return decision.result === AuthorizeResult.ALLOW;
}
