import useAsync from 'react-use/esm/useAsync';
import { RELATION_OWNED_BY } from '@backstage/catalog-model';
import { useApi } from '@backstage/core-plugin-api';
import {
  EntityRefLink,
  EntityRefLinks,
  catalogApiRef,
  getEntityRelations,
  useEntity,
} from '@backstage/plugin-catalog-react';
import { consumerRefs } from '../../lib/model';
import { EntityTableCard } from '../EntityTableCard';

/**
 * The fields the card reads of each consumer: its columns, and what its
 * link's title needs (the entity presentation's fields), so the link shows
 * the consumer it has instead of loading its title again.
 */
const CONSUMER_FIELDS = [
  'kind',
  'metadata',
  'spec.type',
  'spec.lifecycle',
  'spec.profile.displayName',
  'relations',
];

/**
 * Model entity card: the services and other entities that consume the model
 * (its `dependencyOf` relations), with their kind, type and owner.
 */
export function EntityModelConsumersCard(props: { title?: string }) {
  const { entity } = useEntity();
  const catalogApi = useApi(catalogApiRef);
  const refs = consumerRefs(entity);
  const refsKey = refs.join(',');
  const { value, loading, error } = useAsync(async () => {
    if (refs.length === 0) {
      return [];
    }
    const { items } = await catalogApi.getEntitiesByRefs({
      entityRefs: refs,
      fields: CONSUMER_FIELDS,
    });
    return refs.map((ref, i) => ({ ref, consumer: items[i] }));
    // eslint-disable-next-line react-hooks/exhaustive-deps
  }, [catalogApi, refsKey]);

  return (
    <EntityTableCard
      title={props.title ?? 'Consumers'}
      label="Consumers of this model"
      state={{ loading, error, value }}
      rowKey={row => row.ref}
      empty={{
        title: 'No known consumers',
        description:
          'No catalog entity declares a dependency on this model (spec.dependsOn).',
      }}
      columns={[
        {
          title: 'Consumer',
          // A consumer the catalog answered is linked as that entity (its
          // title at once, no second catalog read); one it does not know, by ref.
          render: ({ ref, consumer }) => (
            <EntityRefLink entityRef={consumer ?? ref} />
          ),
        },
        {
          title: 'Kind',
          render: ({ consumer }) => consumer?.kind ?? 'not in catalog',
        },
        {
          title: 'Type',
          render: ({ consumer }) => String(consumer?.spec?.type ?? '—'),
        },
        {
          title: 'Lifecycle',
          render: ({ consumer }) => String(consumer?.spec?.lifecycle ?? '—'),
        },
        {
          title: 'Owner',
          render: ({ consumer }) =>
            consumer ? (
              <EntityRefLinks
                entityRefs={getEntityRelations(consumer, RELATION_OWNED_BY)}
                defaultKind="group"
              />
            ) : (
              '—'
            ),
        },
      ]}
    />
  );
}
