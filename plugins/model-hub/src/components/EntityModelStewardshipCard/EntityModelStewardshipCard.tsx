import { ReactNode, useState } from 'react';
import useAsyncRetry from 'react-use/esm/useAsyncRetry';
import { stringifyEntityRef } from '@backstage/catalog-model';
import {
  EmptyState,
  InfoCard,
  Progress,
  ResponseErrorPanel,
} from '@backstage/core-components';
import { useApi } from '@backstage/core-plugin-api';
import { EntityRefLink, useEntity } from '@backstage/plugin-catalog-react';
import Typography from '@material-ui/core/Typography';
import { modelHubApiRef } from '../../api';
import { TaskTable } from '../EntityTeamStewardshipCard/EntityTeamStewardshipCard';

/**
 * Model entity card: the model's open stewardship tasks with their actions,
 * and what the hub records on top of the catalog entity (a steward named in
 * the hub, an archive), which stewardship uses instead of the YAML.
 */
export function EntityModelStewardshipCard(props: { title?: string }) {
  const { entity } = useEntity();
  const api = useApi(modelHubApiRef);
  const entityRef = stringifyEntityRef(entity).toLocaleLowerCase('en-US');
  const { value, loading, error, retry } = useAsyncRetry(async () => {
    const [tasks, overrides] = await Promise.all([
      api.getTasks({ entityRef }),
      api.getModelOverrides(entityRef).catch(() => ({ entityRef })),
    ]);
    return {
      tasks,
      overrides: overrides as Awaited<ReturnType<typeof api.getModelOverrides>>,
    };
  }, [api, entityRef]);
  const [outcome, setOutcome] = useState<string | undefined>();

  let content: ReactNode;
  if (loading && !value) {
    content = <Progress />;
  } else if (error) {
    content = <ResponseErrorPanel error={error} />;
  } else if (!value || !value.tasks.available) {
    content = (
      <Typography variant="body2">
        This Model Hub backend does not serve stewardship tasks.
      </Typography>
    );
  } else if (value.tasks.items.length === 0) {
    content = (
      <EmptyState
        missing="data"
        title="No open stewardship tasks"
        description="Nothing needs doing for this model right now."
      />
    );
  } else {
    content = (
      <TaskTable
        tasks={value.tasks.items}
        onAction={message => {
          setOutcome(message);
          retry();
        }}
      />
    );
  }
  const overrides = value?.overrides;
  return (
    <InfoCard title={props.title ?? 'Stewardship'}>
      {overrides?.steward && (
        <Typography variant="body2">
          Steward (named in the hub, overrides the catalog):{' '}
          <EntityRefLink entityRef={overrides.steward.ref} /> — set by{' '}
          {overrides.steward.by} on {overrides.steward.at.slice(0, 10)}
        </Typography>
      )}
      {overrides?.archived && (
        <Typography variant="body2">
          Archived in the hub by {overrides.archived.by} on{' '}
          {overrides.archived.at.slice(0, 10)}: {overrides.archived.reason}
        </Typography>
      )}
      <Typography variant="body2" role="status">
        {outcome ?? ''}
      </Typography>
      {content}
    </InfoCard>
  );
}
