import { BackstageCredentials } from '@backstage/backend-plugin-api';
import { CATALOG_FILTER_EXISTS } from '@backstage/catalog-client';
import {
  Entity,
  parseEntityRef,
  RELATION_DEPENDS_ON,
  RELATION_MEMBER_OF,
  RELATION_OWNED_BY,
  stringifyEntityRef,
} from '@backstage/catalog-model';
import { CatalogService } from '@backstage/plugin-catalog-node';
import { DeclaredConsumer } from '@internal/plugin-model-hub-common';
import { ownerRefOf } from '../gauntlet/fourEyesGuard';

const lower = (ref: string) => ref.toLocaleLowerCase('en-US');

/** The owning group (or user) of an entity, lower case: its `ownedBy` relation, else `spec.owner`. */
export function ownerOf(entity: Entity): string | undefined {
  const related = entity.relations?.find(r => r.type === RELATION_OWNED_BY);
  return related ? lower(related.targetRef) : ownerRefOf(entity);
}

/** The groups a user entity is a member of, lower case and sorted. */
export function groupsOf(user: Entity): string[] {
  const related = (user.relations ?? [])
    .filter(r => r.type === RELATION_MEMBER_OF)
    .map(r => lower(r.targetRef));
  const declared = Array.isArray(user.spec?.memberOf)
    ? (user.spec!.memberOf as unknown[])
        .filter((g): g is string => typeof g === 'string')
        .map(g =>
          lower(
            stringifyEntityRef(
              parseEntityRef(g, {
                defaultKind: 'group',
                defaultNamespace: user.metadata.namespace ?? 'default',
              }),
            ),
          ),
        )
    : [];
  return [...new Set([...related, ...declared])].sort();
}

/**
 * Components and Systems that declare `dependsOn` models, per model ref:
 * one batched catalog query (as `credentials`, so the caller only learns of
 * consumers they may see), for the given models or every model.
 */
export async function declaredConsumers(
  catalog: CatalogService,
  credentials: BackstageCredentials,
  models?: string[],
): Promise<Map<string, DeclaredConsumer[]>> {
  const out = new Map<string, DeclaredConsumer[]>();
  if (models && models.length === 0) return out;
  const { items } = await catalog.getEntities(
    {
      filter: {
        kind: ['Component', 'System'],
        'relations.dependsOn': models ?? CATALOG_FILTER_EXISTS,
      },
      fields: [
        'kind',
        'metadata.name',
        'metadata.namespace',
        'relations',
        'spec.owner',
      ],
    },
    { credentials },
  );
  const wanted = models ? new Set(models.map(lower)) : undefined;
  for (const entity of items) {
    const consumer: DeclaredConsumer = {
      entityRef: lower(stringifyEntityRef(entity)),
      owner: ownerOf(entity),
    };
    const targets = new Set(
      (entity.relations ?? [])
        .filter(r => r.type === RELATION_DEPENDS_ON)
        .map(r => lower(r.targetRef))
        .filter(t => t.startsWith('model:') && (!wanted || wanted.has(t))),
    );
    for (const target of targets) {
      const list = out.get(target) ?? [];
      list.push(consumer);
      out.set(target, list);
    }
  }
  for (const list of out.values()) {
    list.sort((a, b) => a.entityRef.localeCompare(b.entityRef));
  }
  return out;
}
