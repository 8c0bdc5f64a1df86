import { Entity, parseEntityRef } from '@backstage/catalog-model';

/**
 * How a catalog model's Hugging Face repo namespace is chosen
 * (`modelHub.hf.namespace`): `auto` takes the entity namespace unless it is
 * `default`, else the owner's name; `namespace` always takes the entity
 * namespace; `owner` always takes the owner's name.
 */
export type HfNamespaceMode = 'auto' | 'namespace' | 'owner';

/** The modes of {@link HfNamespaceMode}, for validating configuration. */
export const HF_NAMESPACE_MODES: readonly HfNamespaceMode[] = [
  'auto',
  'namespace',
  'owner',
];

/** A Hugging Face repo id split in its two parts (`namespace/name`). */
export interface HfRepoId {
  namespace: string;
  name: string;
}

/**
 * The Hugging Face repo id (`namespace/name`) under which the hub's HF
 * endpoints serve a catalog model; the name is always the entity name.
 */
export function hfRepoIdOf(
  entity: Pick<Entity, 'metadata' | 'spec'>,
  mode: HfNamespaceMode = 'auto',
): HfRepoId {
  const namespace = entity.metadata.namespace ?? 'default';
  const name = entity.metadata.name;
  if (mode === 'namespace' || (mode === 'auto' && namespace !== 'default')) {
    return { namespace, name };
  }
  const owner = (entity.spec as { owner?: unknown } | undefined)?.owner;
  if (typeof owner !== 'string' || owner === '') {
    return { namespace, name };
  }
  try {
    return {
      namespace: parseEntityRef(owner, {
        defaultKind: 'group',
        defaultNamespace: namespace,
      }).name,
      name,
    };
  } catch {
    return { namespace, name };
  }
}

/** `namespace/name` as Hugging Face clients write it. */
export function formatHfRepoId(id: HfRepoId): string {
  return `${id.namespace}/${id.name}`;
}
