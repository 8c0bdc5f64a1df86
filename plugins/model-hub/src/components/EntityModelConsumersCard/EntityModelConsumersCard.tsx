import { ReactNode } from 'react';
import useAsync from 'react-use/esm/useAsync';
import { RELATION_OWNED_BY } from '@backstage/catalog-model';
import {
  EmptyState,
  InfoCard,
  Progress,
  ResponseErrorPanel,
} from '@backstage/core-components';
import { useApi } from '@backstage/core-plugin-api';
import {
  EntityRefLink,
  EntityRefLinks,
  catalogApiRef,
  getEntityRelations,
  useEntity,
} from '@backstage/plugin-catalog-react';
import Table from '@material-ui/core/Table';
import TableBody from '@material-ui/core/TableBody';
import TableCell from '@material-ui/core/TableCell';
import TableHead from '@material-ui/core/TableHead';
import TableRow from '@material-ui/core/TableRow';
import { consumerRefs } from '../../lib/model';

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

  let content: ReactNode;
  if (loading) {
    content = <Progress />;
  } else if (error) {
    content = <ResponseErrorPanel error={error} />;
  } else if (!value || value.length === 0) {
    content = (
      <EmptyState
        missing="data"
        title="No known consumers"
        description="No catalog entity declares a dependency on this model (spec.dependsOn)."
      />
    );
  } else {
    content = (
      <Table size="small" aria-label="Consumers of this model">
        <TableHead>
          <TableRow>
            <TableCell>Consumer</TableCell>
            <TableCell>Kind</TableCell>
            <TableCell>Type</TableCell>
            <TableCell>Lifecycle</TableCell>
            <TableCell>Owner</TableCell>
          </TableRow>
        </TableHead>
        <TableBody>
          {value.map(({ ref, consumer }) => (
            <TableRow key={ref}>
              <TableCell>
                <EntityRefLink entityRef={ref} />
              </TableCell>
              <TableCell>{consumer?.kind ?? 'not in catalog'}</TableCell>
              <TableCell>{String(consumer?.spec?.type ?? '—')}</TableCell>
              <TableCell>{String(consumer?.spec?.lifecycle ?? '—')}</TableCell>
              <TableCell>
                {consumer ? (
                  <EntityRefLinks
                    entityRefs={getEntityRelations(consumer, RELATION_OWNED_BY)}
                    defaultKind="group"
                  />
                ) : (
                  '—'
                )}
              </TableCell>
            </TableRow>
          ))}
        </TableBody>
      </Table>
    );
  }
  return <InfoCard title={props.title ?? 'Consumers'}>{content}</InfoCard>;
}
