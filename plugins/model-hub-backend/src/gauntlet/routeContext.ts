import {
  AuditorService,
  AuthService,
  HttpAuthService,
  LoggerService,
  PermissionsService,
  UserInfoService,
} from '@backstage/backend-plugin-api';
import { Entity } from '@backstage/catalog-model';
import { NotAllowedError } from '@backstage/errors';
import { CatalogService } from '@backstage/plugin-catalog-node';
import {
  ModelHubModelPermission,
  modelPromotionApprovePermission,
  modelWaiverCreatePermission,
} from '@internal/plugin-model-hub-common';
import express, { Request } from 'express';
import { ownersOnlyMessage } from '../permissions/rules';
import { liveModelLookup, ModelLookup } from '../service/cachedEntityLookup';
import { accessModel } from '../service/modelAccess';
import { audited } from '../service/requests';
import { GauntletConfig } from './config';
import { EffectiveTierCache } from './EffectiveTierCache';
import { GauntletRunner, GauntletVersionSource } from './GauntletRunner';
import { assertDecidedInPerson } from './fourEyesGuard';
import { grantsMembership, teamDirectory } from './membership';

/** Dependencies of {@link createGauntletRouter}. */
export interface GauntletRouterOptions {
  runner: GauntletRunner;
  /** Batched, cached effective tiers (for the all-models route). */
  tiers: EffectiveTierCache;
  versions: GauntletVersionSource;
  httpAuth: HttpAuthService;
  /** The plugin's own credentials, for reading team membership from the catalog. */
  auth: AuthService;
  permissions: PermissionsService;
  userInfo: UserInfoService;
  catalog: CatalogService;
  auditor: AuditorService;
  gauntletConfig: GauntletConfig;
  logger: LoggerService;
  /** The model lookup of the routes (default: the catalog, live). */
  modelLookup?: ModelLookup;
}

/** The path of a model's gauntlet routes. */
export const MODEL = '/v1/models/:namespace/:name';

/**
 * What the gauntlet's read and mutation routes share: the options, JSON
 * parsing, the caller's access to the route's model (and governance
 * membership), and audit events about the model.
 */
export function createGauntletRouteContext(options: GauntletRouterOptions) {
  const { httpAuth, permissions, userInfo, catalog, auditor, gauntletConfig } =
    options;
  const directory = teamDirectory(catalog, options.auth);
  const lookupModel = options.modelLookup ?? liveModelLookup(catalog);
  // JSON parsing per route: the router is mounted at the plugin root.
  const json = express.json({ limit: '1mb' });

  /** Resolves the model as the caller (404 when invisible) and checks a permission. */
  const access = (req: Request, permission?: ModelHubModelPermission) =>
    accessModel({ httpAuth, permissions, lookupModel }, req, {
      permission,
      denial: (p, entity, entityRef) =>
        denial(p, entity, entityRef, gauntletConfig.governanceGroup),
      modelsOnly: true,
    });

  /**
   * Governance actions: the permission and membership of the governance
   * group, read from the catalog when it holds the user (one call), so one
   * removed from the group stops at once, not when their token expires; by
   * the sign-in claims otherwise (membership.ts).
   */
  async function governanceAccess(
    req: Request,
    permission: ModelHubModelPermission,
  ) {
    const result = await access(req, permission);
    if (result.credentials.principal.type !== 'user') {
      throw new NotAllowedError(
        `${permission.name} is for members of ${gauntletConfig.governanceGroup}`,
      );
    }
    assertDecidedInPerson(
      result.credentials,
      `${permission.name} on ${result.entityRef}`,
    );
    const info = await userInfo.getUserInfo(result.credentials);
    const user = await directory.user(result.actor);
    if (
      !grantsMembership({
        actor: result.actor,
        group: gauntletConfig.governanceGroup,
        user,
        claims: info.ownershipEntityRefs,
      })
    ) {
      throw new NotAllowedError(
        `Not allowed to ${permission.name} on ${result.entityRef}: only members of ${gauntletConfig.governanceGroup} may`,
      );
    }
    return {
      ...result,
      ownershipEntityRefs: info.ownershipEntityRefs,
      user,
      directory,
    };
  }

  /** Runs `fn` inside an audit event about the model of the route. */
  const auditedModel = <T>(
    req: Request,
    eventId: string,
    meta: Record<string, string>,
    fn: () => Promise<{ value: T; meta?: Record<string, unknown> }>,
  ): Promise<T> =>
    audited(
      auditor,
      req,
      eventId,
      { ...meta, model: `model:${req.params.namespace}/${req.params.name}` },
      fn,
    );

  return {
    ...options,
    directory,
    json,
    access,
    governanceAccess,
    auditedModel,
  };
}

/** See {@link createGauntletRouteContext}. */
export type GauntletRouteContext = ReturnType<
  typeof createGauntletRouteContext
>;

function denial(
  permission: ModelHubModelPermission,
  entity: Entity,
  entityRef: string,
  governanceGroup: string,
): string {
  if (
    permission.name === modelPromotionApprovePermission.name ||
    permission.name === modelWaiverCreatePermission.name
  ) {
    return `Not allowed to ${permission.name} on ${entityRef}: only members of ${governanceGroup} may`;
  }
  return ownersOnlyMessage(permission.name, entityRef, entity);
}
