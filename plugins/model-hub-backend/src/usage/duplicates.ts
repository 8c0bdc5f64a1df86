import { Entity } from '@backstage/catalog-model';
import { findSimilarModels } from '@internal/plugin-model-hub-common';

/** Models of one task that overlap in purpose, as refs. */
export interface OverlapGroup {
  task: string;
  refs: string[];
}

/** A model of a candidate pair: its lower-case ref and its entity. */
export interface OverlapCandidate {
  entityRef: string;
  entity: Entity;
}

/**
 * Whether the registration-time similarity detector (`findSimilarModels`:
 * shared name and title words, tags) finds two models of one task alike,
 * asking from either side (the ranking is not symmetric).
 */
export function alikeModels(a: Entity, b: Entity): boolean {
  const task = a.spec?.task;
  if (typeof task !== 'string' || !task || b.spec?.task !== task) return false;
  const query = (m: Entity) => ({
    name: m.metadata.name,
    title: m.metadata.title,
    tags: m.metadata.tags,
    task,
  });
  return (
    findSimilarModels(query(a), [b], { limit: 1 }).length > 0 ||
    findSimilarModels(query(b), [a], { limit: 1 }).length > 0
  );
}

/**
 * Groups models of the same `spec.task` that {@link alikeModels} finds
 * alike, transitively (A like B and B like C is one group), from candidate
 * pairs (the term index gives every pair that can be alike). Models like
 * nothing are left out. Groups are ordered by task, then first ref.
 */
export function overlapGroups(
  pairs: ReadonlyArray<{ a: OverlapCandidate; b: OverlapCandidate }>,
): OverlapGroup[] {
  const parent = new Map<string, string>();
  const task = new Map<string, string>();
  const find = (ref: string): string => {
    const p = parent.get(ref) ?? ref;
    if (p === ref) return ref;
    const root = find(p);
    parent.set(ref, root);
    return root;
  };
  for (const { a, b } of pairs) {
    // Already one group (through others): nothing to learn from this pair.
    if (parent.has(a.entityRef) && find(a.entityRef) === find(b.entityRef)) {
      continue;
    }
    if (!alikeModels(a.entity, b.entity)) continue;
    task.set(a.entityRef, a.entity.spec!.task as string);
    task.set(b.entityRef, b.entity.spec!.task as string);
    const ra = find(a.entityRef);
    const rb = find(b.entityRef);
    if (ra !== rb) parent.set(ra, rb);
  }
  const clusters = new Map<string, string[]>();
  for (const ref of task.keys()) {
    const root = find(ref);
    clusters.set(root, [...(clusters.get(root) ?? []), ref]);
  }
  return [...clusters.values()]
    .map(refs => ({ task: task.get(refs[0])!, refs: refs.sort() }))
    .sort(
      (x, y) =>
        x.task.localeCompare(y.task) || x.refs[0].localeCompare(y.refs[0]),
    );
}
