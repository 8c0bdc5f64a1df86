import { AuthService } from '@backstage/backend-plugin-api';
import {
  Entity,
  parseEntityRef,
  RELATION_CHILD_OF,
  RELATION_MEMBER_OF,
  stringifyEntityRef,
} from '@backstage/catalog-model';
import { CatalogService } from '@backstage/plugin-catalog-node';
import { foldCase } from '../service/foldCase';

/**
 * Who is in a team, one rule for the whole hub.
 *
 * - **Granting** (governance actions, registering a model for a team): the
 *   catalog is authoritative when it holds the user. Only a *direct*
 *   membership counts (the user's `memberOf`): a sub-group's `spec.parent`
 *   is written by whoever registers the sub-group, so counting sub-groups
 *   would let anyone able to register a Group join governance. A user the
 *   catalog does not hold (a sign-in resolver for users outside the catalog)
 *   falls back to the sign-in ownership claims.
 * - **Excluding** (four-eyes: the owning team may not approve its own
 *   model): the claims *and* the catalog both count, and a team includes its
 *   descendant groups, so a member of a sub-team of the owning group is in
 *   the owning team. Wrongly counting someone in only refuses an approval.
 *
 * Catalog reads use the plugin's own credentials: a catalog policy hiding
 * user entities from the caller must not turn "not in the team" into "not
 * known to the catalog".
 */

/** How far up a group's parent chain the owning-team check looks. */
export const MAX_GROUP_DEPTH = 16;

/**
 * A ref as a full lower-case ref (`User:Jane` and `user:default/jane` are
 * one), or undefined when it does not parse.
 */
export function normalizeRef(
  ref: string,
  defaultKind = 'user',
  defaultNamespace = 'default',
): string | undefined {
  try {
    return foldCase(
      stringifyEntityRef(
        parseEntityRef(ref, { defaultKind, defaultNamespace }),
      ),
    );
  } catch {
    return undefined;
  }
}

/** True when the two refs name one entity (case, default kind and namespace aside). */
export function sameRef(a: string, b: string, defaultKind = 'user'): boolean {
  const left = normalizeRef(a, defaultKind);
  return left !== undefined && left === normalizeRef(b, defaultKind);
}

/** The groups a user entity names directly: `memberOf` relations and `spec.memberOf`. */
export function directGroupsOf(user: Entity): Set<string> {
  const namespace = user.metadata.namespace ?? 'default';
  const groups = new Set<string>();
  const add = (ref: unknown) => {
    if (typeof ref !== 'string') return;
    const normalized = normalizeRef(ref, 'group', namespace);
    if (normalized?.startsWith('group:')) groups.add(normalized);
  };
  for (const r of user.relations ?? []) {
    if (r.type === RELATION_MEMBER_OF) add(r.targetRef);
  }
  const declared = user.spec?.memberOf;
  if (Array.isArray(declared)) declared.forEach(add);
  return groups;
}

/** The group refs among sign-in ownership claims, normalized. */
function claimedGroups(claims: string[]): Set<string> {
  const groups = new Set<string>();
  for (const claim of claims) {
    const normalized = normalizeRef(claim, 'group');
    if (normalized?.startsWith('group:')) groups.add(normalized);
  }
  return groups;
}

/** The parents a group entity names: `spec.parent` and `childOf` relations. */
function parentsOf(group: Entity): string[] {
  const namespace = group.metadata.namespace ?? 'default';
  const refs: unknown[] = [group.spec?.parent];
  for (const r of group.relations ?? []) {
    if (r.type === RELATION_CHILD_OF) refs.push(r.targetRef);
  }
  return refs
    .filter((r): r is string => typeof r === 'string' && r !== '')
    .map(r => normalizeRef(r, 'group', namespace))
    .filter((r): r is string => !!r?.startsWith('group:'));
}

/** The catalog as membership reads it: as the plugin itself. */
export interface TeamDirectory {
  /** The catalog's entity of a user; undefined when the catalog has none. */
  user(userRef: string): Promise<Entity | undefined>;
  /**
   * `groups` and all their ancestors, read one level at a time (one catalog
   * call per level, however many groups it holds), safe against cycles and
   * stopping after {@link MAX_GROUP_DEPTH} levels.
   */
  withAncestors(groups: Iterable<string>): Promise<Set<string>>;
}

/** A {@link TeamDirectory} over the catalog service with the plugin's own credentials. */
export function teamDirectory(
  catalog: CatalogService,
  auth: AuthService,
): TeamDirectory {
  return {
    async user(userRef) {
      const ref = normalizeRef(userRef);
      if (!ref?.startsWith('user:')) return undefined;
      return catalog.getEntityByRef(ref, {
        credentials: await auth.getOwnServiceCredentials(),
      });
    },
    async withAncestors(groups) {
      const credentials = await auth.getOwnServiceCredentials();
      const seen = new Set(groups);
      let level = [...seen];
      for (let depth = 0; depth < MAX_GROUP_DEPTH && level.length; depth++) {
        const { items } = await catalog.getEntitiesByRefs(
          { entityRefs: level },
          { credentials },
        );
        const next: string[] = [];
        for (const group of items) {
          for (const parent of group ? parentsOf(group) : []) {
            if (seen.has(parent)) continue;
            seen.add(parent);
            next.push(parent);
          }
        }
        level = next;
      }
      return seen;
    },
  };
}

/**
 * Membership that grants (see the module comment): a direct catalog
 * `memberOf` of `group` when the catalog holds the user (`user` given),
 * else the sign-in claims. A user ref as `group` (a model or task owned by
 * a person) holds only that person.
 */
export function grantsMembership(options: {
  actor: string;
  group: string;
  /** The catalog's entity of the user, or undefined when it has none. */
  user: Entity | undefined;
  claims: string[];
}): boolean {
  const group = normalizeRef(options.group, 'group');
  if (!group) return false;
  if (!group.startsWith('group:')) return sameRef(options.actor, group);
  const groups = options.user
    ? directGroupsOf(options.user)
    : claimedGroups(options.claims);
  return groups.has(group);
}

/**
 * Membership that excludes (see the module comment): true when `actor` is
 * `team` (a model owned by a user), or a member of `team` or of one of its
 * descendant groups by the sign-in claims or by the catalog.
 */
export async function isInOwningTeam(options: {
  actor: string;
  team: string;
  claims: string[];
  user: Entity | undefined;
  directory: TeamDirectory;
}): Promise<boolean> {
  return (
    (await owningTeamAmong({ ...options, teams: [options.team] })) !== undefined
  );
}

/**
 * The first of `teams` (in their order) that `actor` is in, as
 * {@link isInOwningTeam} decides it, or undefined; the catalog's parent
 * chains are read once for all of them.
 */
export async function owningTeamAmong(options: {
  actor: string;
  teams: string[];
  claims: string[];
  user: Entity | undefined;
  directory: TeamDirectory;
}): Promise<string | undefined> {
  const { actor, claims } = options;
  const direct = claimedGroups(claims);
  if (options.user) directGroupsOf(options.user).forEach(g => direct.add(g));
  let all: Set<string> | undefined;
  for (const given of options.teams) {
    const team = normalizeRef(given, 'group');
    if (!team) continue;
    if (!team.startsWith('group:')) {
      if (sameRef(actor, team) || claims.some(c => normalizeRef(c) === team)) {
        return given;
      }
      continue;
    }
    if (direct.has(team)) return given;
    if (!direct.size) continue;
    all ??= await options.directory.withAncestors(direct);
    if (all.has(team)) return given;
  }
  return undefined;
}
