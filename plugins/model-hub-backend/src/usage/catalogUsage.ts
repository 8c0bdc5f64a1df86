import { BackstageCredentials } from '@backstage/backend-plugin-api';
import { CATALOG_FILTER_EXISTS } from '@backstage/catalog-client';
import {
  Entity,
  parseEntityRef,
  RELATION_DEPENDENCY_OF,
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

/** The fields a declared consumer is read with. */
const CONSUMER_FIELDS = [
  'kind',
  'metadata.name',
  'metadata.namespace',
  'relations',
  'spec.owner',
];

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
  if (models && models.length === 0) return new Map();
  const { items } = await catalog.getEntities(
    {
      filter: {
        kind: ['Component', 'System'],
        'relations.dependsOn': models ?? CATALOG_FILTER_EXISTS,
      },
      fields: CONSUMER_FIELDS,
    },
    { credentials },
  );
  return consumersByModel(
    items,
    models ? new Set(models.map(lower)) : undefined,
  );
}

/**
 * The declared consumers of one model (the rule of
 * {@link declaredConsumers}), found through the model's `dependencyOf`
 * relations (the catalog's reverse of their `dependsOn`) and read by ref as
 * `credentials`: no catalog call for a model nobody declares (most models;
 * the model page asks on every load), one read by refs otherwise. A
 * consumer counts only while it still declares the model.
 */
export async function declaredConsumersOf(
  catalog: CatalogService,
  credentials: BackstageCredentials,
  model: Entity,
): Promise<DeclaredConsumer[]> {
  const modelRef = lower(stringifyEntityRef(model));
  const refs = [
    ...new Set(
      (model.relations ?? [])
        .filter(r => r.type === RELATION_DEPENDENCY_OF)
        .map(r => lower(r.targetRef))
        .filter(r => r.startsWith('component:') || r.startsWith('system:')),
    ),
  ];
  if (refs.length === 0) return [];
  const { items } = await catalog.getEntitiesByRefs(
    { entityRefs: refs, fields: CONSUMER_FIELDS },
    { credentials },
  );
  const consumers = items.filter(
    (e): e is Entity => !!e && ['component', 'system'].includes(lower(e.kind)),
  );
  return consumersByModel(consumers, new Set([modelRef])).get(modelRef) ?? [];
}

/** Consumers per model they declare `dependsOn` (only `wanted` models when given), sorted by ref. */
function consumersByModel(
  consumers: Entity[],
  wanted: Set<string> | undefined,
): Map<string, DeclaredConsumer[]> {
  const out = new Map<string, DeclaredConsumer[]>();
  for (const entity of consumers) {
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
