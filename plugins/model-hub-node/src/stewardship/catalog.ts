import {
  Entity,
  RELATION_DEPENDENCY_OF,
  RELATION_DEPENDS_ON,
  RELATION_HAS_MEMBER,
  RELATION_MEMBER_OF,
} from '@backstage/catalog-model';
import { MODEL_HUB_ANNOTATIONS } from '@internal/plugin-model-hub-common';
import { kindOfRef, normalizeEntityRef, tryNormalizeEntityRef } from './refs';
import { StewardshipCatalog } from './types';

/**
 * True when a User entity is marked as having left the organisation
 * (annotation `modelhub.io/departed: "true"`, case-insensitive).
 */
export function isDepartedUser(user: Entity): boolean {
  const value = user.metadata.annotations?.[MODEL_HUB_ANNOTATIONS.departed];
  return typeof value === 'string' && value.trim().toLowerCase() === 'true';
}

function stringList(value: unknown): string[] {
  return Array.isArray(value)
    ? value.filter((v): v is string => typeof v === 'string')
    : [];
}

function relationTargets(entity: Entity, type: string): string[] {
  const targets: string[] = [];
  for (const relation of entity.relations ?? []) {
    if (relation.type === type) {
      const ref = tryNormalizeEntityRef(relation.targetRef);
      if (ref) {
        targets.push(ref);
      }
    }
  }
  return targets;
}

function addToIndex(index: Map<string, Set<string>>, key: string, v: string) {
  let set = index.get(key);
  if (!set) {
    set = new Set();
    index.set(key, set);
  }
  set.add(v);
}

/**
 * Builds an in-memory {@link StewardshipCatalog} from catalog entities (as
 * returned by the catalog API, with relations, or as raw YAML with only
 * `spec` fields: both are understood). Entities of other kinds are kept for
 * {@link StewardshipCatalog.getEntity}. Throws if a ref appears twice.
 */
export function createStewardshipCatalog(
  entities: Iterable<Entity>,
): StewardshipCatalog {
  const byRef = new Map<string, Entity>();
  for (const entity of entities) {
    const ref = normalizeEntityRef(entity);
    if (byRef.has(ref)) {
      throw new Error(`Duplicate entity in stewardship catalog: ${ref}`);
    }
    byRef.set(ref, entity);
  }

  // group ref -> user refs; target ref -> component refs
  const members = new Map<string, Set<string>>();
  const dependents = new Map<string, Set<string>>();

  for (const [ref, entity] of byRef) {
    const namespace = entity.metadata.namespace ?? 'default';
    const kind = kindOfRef(ref);
    if (kind === 'user') {
      const groups = [
        ...relationTargets(entity, RELATION_MEMBER_OF),
        ...stringList(entity.spec?.memberOf).map(g =>
          tryNormalizeEntityRef(g, {
            defaultKind: 'group',
            defaultNamespace: namespace,
          }),
        ),
      ];
      for (const group of groups) {
        if (group) addToIndex(members, group, ref);
      }
    } else if (kind === 'group') {
      const users = [
        ...relationTargets(entity, RELATION_HAS_MEMBER),
        ...stringList(entity.spec?.members).map(u =>
          tryNormalizeEntityRef(u, {
            defaultKind: 'user',
            defaultNamespace: namespace,
          }),
        ),
      ];
      for (const user of users) {
        if (user) addToIndex(members, ref, user);
      }
    }
    if (kind === 'component') {
      const targets = [
        ...relationTargets(entity, RELATION_DEPENDS_ON),
        ...stringList(entity.spec?.dependsOn).map(t =>
          tryNormalizeEntityRef(t, { defaultNamespace: namespace }),
        ),
      ];
      for (const target of targets) {
        if (target) addToIndex(dependents, target, ref);
      }
    }
    for (const consumer of relationTargets(entity, RELATION_DEPENDENCY_OF)) {
      if (kindOfRef(consumer) === 'component') {
        addToIndex(dependents, ref, consumer);
      }
    }
  }

  const resolveAll = (refs: Set<string> | undefined, kind: string) =>
    [...(refs ?? [])]
      .filter(r => kindOfRef(r) === kind)
      .sort()
      .map(r => byRef.get(r))
      .filter((e): e is Entity => e !== undefined);

  return {
    getEntity(ref) {
      const normalized = tryNormalizeEntityRef(ref);
      return normalized ? byRef.get(normalized) : undefined;
    },
    getGroupMembers(groupRef) {
      const normalized = tryNormalizeEntityRef(groupRef);
      return normalized ? resolveAll(members.get(normalized), 'user') : [];
    },
    getDependentComponents(ref) {
      const normalized = tryNormalizeEntityRef(ref);
      return normalized
        ? resolveAll(dependents.get(normalized), 'component')
        : [];
    },
  };
}
