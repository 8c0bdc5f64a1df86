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
      fields: ['kind', 'metadata', 'spec.type', 'spec.lifecycle', 'relations'],
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
          render: ({ ref }) => <EntityRefLink entityRef={ref} />,
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
