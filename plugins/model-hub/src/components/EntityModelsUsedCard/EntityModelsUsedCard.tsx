import { ReactNode } from 'react';
import useAsync from 'react-use/esm/useAsync';
import { Entity } from '@backstage/catalog-model';
import {
  EmptyState,
  InfoCard,
  Progress,
  ResponseErrorPanel,
} from '@backstage/core-components';
import { useApi } from '@backstage/core-plugin-api';
import {
  EntityRefLink,
  catalogApiRef,
  useEntity,
} from '@backstage/plugin-catalog-react';
import List from '@material-ui/core/List';
import ListItem from '@material-ui/core/ListItem';
import ListItemText from '@material-ui/core/ListItemText';
import Typography from '@material-ui/core/Typography';
import Alert from '@material-ui/lab/Alert';
import { readModel, usedModelRefs } from '../../lib/model';
import { successorRef } from '../EntityModelDeprecationBanner';
import { TierBadge } from '../TierBadge';

function DeprecationNote(props: { model: Entity }) {
  const { lifecycle } = readModel(props.model);
  if (lifecycle !== 'deprecated' && lifecycle !== 'archived') {
    return null;
  }
  const successor = successorRef(props.model);
  return (
    <Alert
      severity={lifecycle === 'archived' ? 'error' : 'warning'}
      style={{ marginTop: 4 }}
    >
      {lifecycle === 'archived' ? 'Archived.' : 'Deprecated.'}{' '}
      {successor ? (
        <>
          Move to <EntityRefLink entityRef={successor} />.
        </>
      ) : (
        'No successor named yet.'
      )}
    </Alert>
  );
}

/**
 * Component entity card: the models this service depends on (its `dependsOn`
 * relations to Model entities), with their tiers and deprecation warnings.
 */
export function EntityModelsUsedCard(props: { title?: string }) {
  const { entity } = useEntity();
  const catalogApi = useApi(catalogApiRef);
  const refs = usedModelRefs(entity);
  const refsKey = refs.join(',');
  const { value, loading, error } = useAsync(async () => {
    if (refs.length === 0) {
      return [];
    }
    const { items } = await catalogApi.getEntitiesByRefs({ entityRefs: refs });
    return refs.map((ref, i) => ({ ref, model: items[i] }));
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
        title="This service uses no catalog models"
        description="Declare the models it calls in spec.dependsOn (e.g. model:default/support-assistant) to track them here."
      />
    );
  } else {
    content = (
      <List dense aria-label="Models used by this service">
        {value.map(({ ref, model }) => (
          <ListItem key={ref} alignItems="flex-start">
            <ListItemText
              disableTypography
              primary={
                <Typography variant="body1" component="div">
                  <EntityRefLink entityRef={ref} />{' '}
                  {model && <TierBadge entity={model} />}
                </Typography>
              }
              secondary={
                model ? (
                  <DeprecationNote model={model} />
                ) : (
                  <Typography variant="body2" color="error">
                    Not found in the catalog: the dependency points at a model
                    that does not exist (or was removed).
                  </Typography>
                )
              }
            />
          </ListItem>
        ))}
      </List>
    );
  }
  return (
    <InfoCard title={props.title ?? 'Models used by this service'}>
      {content}
    </InfoCard>
  );
}
