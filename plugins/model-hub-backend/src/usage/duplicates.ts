import { Entity, stringifyEntityRef } from '@backstage/catalog-model';
import { findSimilarModels } from '@internal/plugin-model-hub-common';

/** Models of one task that overlap in purpose, as refs. */
export interface OverlapGroup {
  task: string;
  refs: string[];
}

/**
 * Groups models of the same `spec.task` that the registration-time
 * similarity detector (`findSimilarModels`: shared name and title words,
 * tags) finds alike, transitively: A like B and B like C is one group.
 * Models alone in their task, or like nothing, are left out.
 */
export function overlappingModels(models: Entity[]): OverlapGroup[] {
  const byTask = new Map<string, Entity[]>();
  for (const m of models) {
    const task = m.spec?.task;
    if (typeof task !== 'string' || !task) continue;
    byTask.set(task, [...(byTask.get(task) ?? []), m]);
  }
  const groups: OverlapGroup[] = [];
  for (const [task, members] of byTask) {
    if (members.length < 2) continue;
    const refs = members.map(m =>
      stringifyEntityRef(m).toLocaleLowerCase('en-US'),
    );
    const parent = refs.map((_, i) => i);
    const find = (i: number): number =>
      parent[i] === i ? i : (parent[i] = find(parent[i]));
    members.forEach((m, i) => {
      const others = members.filter((_, j) => j !== i);
      for (const match of findSimilarModels(
        {
          name: m.metadata.name,
          title: m.metadata.title,
          tags: m.metadata.tags,
          task,
        },
        others,
        { limit: others.length },
      )) {
        const j = refs.indexOf(match.entityRef.toLocaleLowerCase('en-US'));
        parent[find(i)] = find(j);
      }
    });
    const clusters = new Map<number, string[]>();
    refs.forEach((ref, i) => {
      clusters.set(find(i), [...(clusters.get(find(i)) ?? []), ref]);
    });
    for (const cluster of clusters.values()) {
      if (cluster.length > 1) groups.push({ task, refs: cluster.sort() });
    }
  }
  return groups.sort((a, b) => a.task.localeCompare(b.task));
}
