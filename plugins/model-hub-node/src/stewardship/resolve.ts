import { Entity, RELATION_OWNED_BY } from '@backstage/catalog-model';
import { isDepartedUser } from './catalog';
import { kindOfRef, normalizeEntityRef, tryNormalizeEntityRef } from './refs';
import { StewardshipCatalog } from './types';

/**
 * Why an owner ref does or does not lead to someone who can act:
 * `ok`: a group with at least one active (not departed) member;
 * `unset`: no owner declared; `invalid`: the ref cannot be parsed;
 * `not-found`: no such entity in the catalog; `not-a-group`: the ref names
 * another kind; `no-active-members`: the group exists but has no member, or
 * only departed ones.
 */
export type OwnerStatus =
  | 'ok'
  | 'unset'
  | 'invalid'
  | 'not-found'
  | 'not-a-group'
  | 'no-active-members';

/** The outcome of resolving an owner ref against the catalog. */
export interface OwnerResolution {
  /** The declared ref, as written. */
  declared?: string;
  /** The normalized ref, when the declared one parses. */
  ref?: string;
  status: OwnerStatus;
  /** Normalized refs of the group's active members (when it is a group). */
  activeMembers: string[];
}

/** Resolves a group owner ref (kind defaults to group) against the catalog. */
export function resolveOwnerGroup(
  declared: unknown,
  namespace: string,
  catalog: StewardshipCatalog,
): OwnerResolution {
  if (typeof declared !== 'string' || declared.trim() === '') {
    return { status: 'unset', activeMembers: [] };
  }
  const ref = tryNormalizeEntityRef(declared, {
    defaultKind: 'group',
    defaultNamespace: namespace,
  });
  if (!ref) {
    return { declared, status: 'invalid', activeMembers: [] };
  }
  if (kindOfRef(ref) !== 'group') {
    return {
      declared,
      ref,
      status: catalog.getEntity(ref) ? 'not-a-group' : 'not-found',
      activeMembers: [],
    };
  }
  if (!catalog.getEntity(ref)) {
    return { declared, ref, status: 'not-found', activeMembers: [] };
  }
  const activeMembers = catalog
    .getGroupMembers(ref)
    .filter(user => !isDepartedUser(user))
    .map(user => normalizeEntityRef(user));
  return {
    declared,
    ref,
    status: activeMembers.length > 0 ? 'ok' : 'no-active-members',
    activeMembers,
  };
}

/**
 * Why a steward ref does or does not lead to an active user:
 * `ok`, `unset`, `invalid`, `not-found` (gone from the catalog, e.g. left),
 * `not-a-user`, `departed` (annotation `modelhub.io/departed: "true"`).
 */
export type StewardStatus =
  | 'ok'
  | 'unset'
  | 'invalid'
  | 'not-found'
  | 'not-a-user'
  | 'departed';

/** The outcome of resolving a steward ref against the catalog. */
export interface StewardResolution {
  declared?: string;
  ref?: string;
  status: StewardStatus;
}

/** Resolves a steward user ref (kind defaults to user) against the catalog. */
export function resolveSteward(
  declared: unknown,
  namespace: string,
  catalog: StewardshipCatalog,
): StewardResolution {
  if (typeof declared !== 'string' || declared.trim() === '') {
    return { status: 'unset' };
  }
  const ref = tryNormalizeEntityRef(declared, {
    defaultKind: 'user',
    defaultNamespace: namespace,
  });
  if (!ref) {
    return { declared, status: 'invalid' };
  }
  const entity = catalog.getEntity(ref);
  if (!entity) {
    return { declared, ref, status: 'not-found' };
  }
  if (kindOfRef(ref) !== 'user') {
    return { declared, ref, status: 'not-a-user' };
  }
  return { declared, ref, status: isDepartedUser(entity) ? 'departed' : 'ok' };
}

/**
 * Who must act for a catalog entity (a consuming component): its owner (the
 * `ownedBy` relation, else `spec.owner`) when that is a group with active
 * members or an active user; otherwise `undefined`.
 */
export function resolveEntityOwnerAssignee(
  entity: Entity,
  catalog: StewardshipCatalog,
): { declared?: string; assignee?: string; status: OwnerStatus } {
  const namespace = entity.metadata.namespace ?? 'default';
  const fromRelation = entity.relations?.find(
    r => r.type === RELATION_OWNED_BY,
  )?.targetRef;
  const declared =
    fromRelation ??
    (typeof entity.spec?.owner === 'string' ? entity.spec.owner : undefined);
  const asGroup = resolveOwnerGroup(declared, namespace, catalog);
  if (asGroup.status === 'ok') {
    return { declared, assignee: asGroup.ref, status: 'ok' };
  }
  if (asGroup.status === 'not-a-group' && asGroup.ref) {
    const user = catalog.getEntity(asGroup.ref);
    if (user && kindOfRef(asGroup.ref) === 'user' && !isDepartedUser(user)) {
      return { declared, assignee: asGroup.ref, status: 'ok' };
    }
  }
  return { declared, status: asGroup.status };
}
