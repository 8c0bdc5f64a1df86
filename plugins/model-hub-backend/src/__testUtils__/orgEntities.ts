import { Entity } from '@backstage/catalog-model';

/** A User of the default namespace in `groups`, with the catalog's memberOf relations. */
export const catalogUser = (name: string, groups: string[]): Entity => ({
  apiVersion: 'backstage.io/v1alpha1',
  kind: 'User',
  metadata: { name, namespace: 'default' },
  spec: { memberOf: groups },
  relations: groups.map(g => ({
    type: 'memberOf',
    targetRef: `group:default/${g}`,
  })),
});

/**
 * A team Group of the default namespace; `parent` as its spec names it,
 * `childOf` as the catalog's relations only.
 */
export const catalogGroup = (
  name: string,
  parent?: string,
  childOf: string[] = [],
): Entity => ({
  apiVersion: 'backstage.io/v1alpha1',
  kind: 'Group',
  metadata: { name, namespace: 'default' },
  spec: { type: 'team', children: [], ...(parent ? { parent } : {}) },
  relations: childOf.map(p => ({
    type: 'childOf',
    targetRef: `group:default/${p}`,
  })),
});
