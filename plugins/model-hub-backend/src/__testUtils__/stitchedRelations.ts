import { Entity } from '@backstage/catalog-model';

/** The relation types whose reverse the catalog adds to the target. */
const REVERSE: Record<string, string> = {
  dependsOn: 'dependencyOf',
  dependencyOf: 'dependsOn',
};

/**
 * `entities` with the reverse of their `dependsOn` / `dependencyOf`
 * relations added to the targets, as the catalog stitches them (the
 * catalog mock returns entities as given).
 */
export function withReverseRelations(entities: Entity[]): Entity[] {
  const lower = (ref: string) => ref.toLocaleLowerCase('en-US');
  const refOf = (e: Entity) =>
    lower(`${e.kind}:${e.metadata.namespace ?? 'default'}/${e.metadata.name}`);
  const added = new Map<string, Array<{ type: string; targetRef: string }>>();
  for (const entity of entities) {
    for (const relation of entity.relations ?? []) {
      const reverse = REVERSE[relation.type];
      if (!reverse) continue;
      const list = added.get(lower(relation.targetRef)) ?? [];
      list.push({ type: reverse, targetRef: refOf(entity) });
      added.set(lower(relation.targetRef), list);
    }
  }
  return entities.map(entity => {
    const extra = (added.get(refOf(entity)) ?? []).filter(
      r =>
        !(entity.relations ?? []).some(
          e => e.type === r.type && lower(e.targetRef) === r.targetRef,
        ),
    );
    return extra.length === 0
      ? entity
      : { ...entity, relations: [...(entity.relations ?? []), ...extra] };
  });
}
