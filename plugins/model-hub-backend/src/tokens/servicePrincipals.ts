import {
  AuthService,
  BackstageCredentials,
  BackstageServicePrincipal,
  PermissionsService,
} from '@backstage/backend-plugin-api';
import { Config } from '@backstage/config';
import {
  Entity,
  parseEntityRef,
  RELATION_OWNED_BY,
  stringifyEntityRef,
} from '@backstage/catalog-model';
import { CatalogService } from '@backstage/plugin-catalog-node';
import { AuthorizeResult } from '@backstage/plugin-permission-common';

/** The hub's own service principal: its in-process work is not limited here. */
export const OWN_SUBJECT = 'plugin:model-hub';

/** A service allowed to write: which actions (permission names) on models of which teams. */
export interface ServicePrincipalGrant {
  subject: string;
  /** Group entity refs (lower case, `group:default/x`). */
  teams: string[];
  /** Permission names, e.g. `model-hub.version.create`. */
  actions: string[];
}

/** Reads `modelHub.servicePrincipals`. */
export function readServicePrincipalGrants(
  config: Config,
): ServicePrincipalGrant[] {
  return (
    config.getOptionalConfigArray('modelHub.servicePrincipals') ?? []
  ).map(c => ({
    subject: c.getString('subject'),
    teams: c.getStringArray('teams').map(t =>
      stringifyEntityRef(
        parseEntityRef(t, {
          defaultKind: 'group',
          defaultNamespace: 'default',
        }),
      ).toLocaleLowerCase('en-US'),
    ),
    actions: c.getStringArray('actions'),
  }));
}

/** The service principal behind `credentials`, if it is one. */
export function servicePrincipalOf(
  auth: AuthService,
  credentials: BackstageCredentials,
): BackstageServicePrincipal | undefined {
  return auth.isPrincipal(credentials, 'service')
    ? credentials.principal
    : undefined;
}

/**
 * Wraps the permissions service so that service principals, which the
 * permission framework lets through without a policy, may only do what
 * their grant names: reads pass, other permissions need the action in the
 * grant and (for a model) an owning team in the grant's teams.
 */
export function withServicePrincipalGrants(options: {
  permissions: PermissionsService;
  auth: AuthService;
  catalog: CatalogService;
  grants: ServicePrincipalGrant[];
}): PermissionsService {
  const { permissions, auth, catalog, grants } = options;

  async function allowed(
    grant: ServicePrincipalGrant | undefined,
    permissionName: string,
    action: string | undefined,
    resourceRef: string | undefined,
  ): Promise<boolean> {
    if (action === 'read') return true;
    if (!grant || !grant.actions.includes(permissionName)) return false;
    if (!resourceRef) return true;
    const entity = await catalog.getEntityByRef(resourceRef, {
      credentials: await auth.getOwnServiceCredentials(),
    });
    return !!entity && ownersOf(entity).some(o => grant.teams.includes(o));
  }

  return {
    async authorize(requests, opts) {
      const service = servicePrincipalOf(auth, opts.credentials);
      if (!service || service.subject === OWN_SUBJECT) {
        return permissions.authorize(requests, opts);
      }
      const grant = grants.find(g => g.subject === service.subject);
      return Promise.all(
        requests.map(async r => {
          const resourceRef = (r as { resourceRef?: string }).resourceRef;
          const ok = await allowed(
            grant,
            r.permission.name,
            r.permission.attributes.action,
            resourceRef,
          );
          return { result: ok ? AuthorizeResult.ALLOW : AuthorizeResult.DENY };
        }),
      );
    },
    async authorizeConditional(requests, opts) {
      const service = servicePrincipalOf(auth, opts.credentials);
      if (!service || service.subject === OWN_SUBJECT) {
        return permissions.authorizeConditional(requests, opts);
      }
      // A conditional decision has no resource to check a grant's teams
      // against: services get unconditional reads, nothing else.
      return requests.map(r => ({
        result:
          r.permission.attributes.action === 'read'
            ? AuthorizeResult.ALLOW
            : AuthorizeResult.DENY,
      }));
    },
  } as PermissionsService;
}

function ownersOf(entity: Entity): string[] {
  const fromRelations = (entity.relations ?? [])
    .filter(r => r.type === RELATION_OWNED_BY)
    .map(r => r.targetRef.toLocaleLowerCase('en-US'));
  const owner = (entity.spec as { owner?: string } | undefined)?.owner;
  const fromSpec = owner
    ? [
        stringifyEntityRef(
          parseEntityRef(owner, {
            defaultKind: 'group',
            defaultNamespace: entity.metadata.namespace ?? 'default',
          }),
        ).toLocaleLowerCase('en-US'),
      ]
    : [];
  return [...new Set([...fromRelations, ...fromSpec])];
}
