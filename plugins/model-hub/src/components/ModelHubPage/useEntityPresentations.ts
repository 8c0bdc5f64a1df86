import { useEffect, useMemo, useState } from 'react';
import { useApiHolder } from '@backstage/core-plugin-api';
import {
  EntityRefPresentationSnapshot,
  defaultEntityPresentation,
  entityPresentationApiRef,
} from '@backstage/plugin-catalog-react';

/** Presentation snapshots by entity ref. */
export type EntityPresentations = ReadonlyMap<
  string,
  EntityRefPresentationSnapshot
>;

const same = (a: EntityPresentations, b: EntityPresentations) =>
  a.size === b.size &&
  [...a].every(([ref, s]) => {
    const t = b.get(ref);
    return (
      t?.primaryTitle === s.primaryTitle &&
      t?.secondaryTitle === s.secondaryTitle &&
      t?.Icon === s.Icon
    );
  });

/**
 * How the catalog presents each of `refs` (title, full ref, icon), by ref:
 * one lookup per distinct ref for a whole table, and at most one update when
 * the lookups resolve. `EntityRefLink` subscribes once per link and row instead,
 * and each link mounts a tooltip and two style sheets of its own: on the hub
 * page that was a large part of a facet click.
 */
export function useEntityPresentations(
  refs: string[],
  context: { defaultKind?: string } = {},
): EntityPresentations {
  const api = useApiHolder().get(entityPresentationApiRef);
  const { defaultKind } = context;
  const key = [...new Set(refs)].sort().join('\n');
  const lookups = useMemo(
    () =>
      (key ? key.split('\n') : []).map(ref => ({
        ref,
        ...(api
          ? api.forEntity(ref, { defaultKind })
          : {
              snapshot: defaultEntityPresentation(ref, { defaultKind }),
              promise: undefined,
            }),
      })),
    [api, key, defaultKind],
  );
  const snapshots: EntityPresentations = useMemo(
    () => new Map(lookups.map(l => [l.ref, l.snapshot])),
    [lookups],
  );
  const [resolved, setResolved] = useState<{
    lookups: typeof lookups;
    value: EntityPresentations;
  }>();

  useEffect(() => {
    let live = true;
    Promise.all(lookups.map(l => l.promise ?? l.snapshot)).then(
      value => {
        const next = new Map(value.map((s, i) => [lookups[i].ref, s]));
        if (live && !same(next, snapshots))
          setResolved({ lookups, value: next });
      },
      // The snapshots stay: the refs are still shown and linked.
      () => undefined,
    );
    return () => {
      live = false;
    };
  }, [lookups, snapshots]);

  return resolved?.lookups === lookups ? resolved.value : snapshots;
}
