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
import Chip from '@material-ui/core/Chip';
import Table from '@material-ui/core/Table';
import TableBody from '@material-ui/core/TableBody';
import TableCell from '@material-ui/core/TableCell';
import TableHead from '@material-ui/core/TableHead';
import TableRow from '@material-ui/core/TableRow';
import Typography from '@material-ui/core/Typography';
import { StewardshipTask, modelHubApiRef } from '../../api';
import { StewardshipTaskActions } from '../StewardshipTaskActions';

const SEVERITY_ORDER = { critical: 0, high: 1, medium: 2, low: 3 } as const;

// Red 900 with white text (6.6:1): the theme's secondary chip is below the
// WCAG AA 4.5:1 for small text.
const URGENT = { backgroundColor: '#b71c1c', color: '#fff' };

/** The open tasks by severity, each with the actions that resolve it. */
export function TaskTable(props: {
  tasks: StewardshipTask[];
  onAction?: (message: string) => void;
}) {
  const tasks = [...props.tasks].sort(
    (a, b) =>
      (SEVERITY_ORDER[a.severity] ?? 9) - (SEVERITY_ORDER[b.severity] ?? 9) ||
      (a.dueAt ?? '~').localeCompare(b.dueAt ?? '~'),
  );
  return (
    <Table size="small" aria-label="Open stewardship tasks">
      <TableHead>
        <TableRow>
          <TableCell>Task</TableCell>
          <TableCell>Entity</TableCell>
          <TableCell>Severity</TableCell>
          <TableCell>Assignee</TableCell>
          <TableCell>Due</TableCell>
          {props.onAction && <TableCell>Actions</TableCell>}
        </TableRow>
      </TableHead>
      <TableBody>
        {tasks.map(task => (
          <TableRow key={task.id}>
            <TableCell>
              <Typography variant="body2">{task.title}</Typography>
              <Typography variant="caption" color="textSecondary">
                {task.description}
              </Typography>
            </TableCell>
            <TableCell>
              <EntityRefLink entityRef={task.entityRef} />
            </TableCell>
            <TableCell>
              <Chip
                size="small"
                label={task.severity}
                style={
                  task.severity === 'critical' || task.severity === 'high'
                    ? URGENT
                    : undefined
                }
              />
            </TableCell>
            <TableCell>
              <EntityRefLink entityRef={task.assignee} />
            </TableCell>
            <TableCell>{task.dueAt ? task.dueAt.slice(0, 10) : '—'}</TableCell>
            {props.onAction && (
              <TableCell>
                <StewardshipTaskActions task={task} onDone={props.onAction} />
              </TableCell>
            )}
          </TableRow>
        ))}
      </TableBody>
    </Table>
  );
}

/**
 * Group entity card listing the open stewardship tasks of the team. Says so
 * plainly when the backend does not offer stewardship tasks (yet).
 */
export function EntityTeamStewardshipCard(props: { title?: string }) {
  const { entity } = useEntity();
  const modelHubApi = useApi(modelHubApiRef);
  const owner = stringifyEntityRef(entity);
  const { value, loading, error, retry } = useAsyncRetry(
    () => modelHubApi.getTasks({ owner }),
    [modelHubApi, owner],
  );
  const [outcome, setOutcome] = useState<string | undefined>();

  let content: ReactNode;
  if (loading && !value) {
    content = <Progress />;
  } else if (error) {
    content = <ResponseErrorPanel error={error} />;
  } else if (!value || !value.available) {
    content = (
      <EmptyState
        missing="info"
        title="Stewardship tasks are not available yet"
        description="This Model Hub backend does not serve stewardship tasks yet. Once it does, the team's open tasks (expiring evaluations, failed checks, successors to name) will be listed here."
      />
    );
  } else if (value.items.length === 0) {
    content = (
      <EmptyState
        missing="data"
        title="No open stewardship tasks"
        description="This team has nothing to act on for the models it stewards."
      />
    );
  } else {
    content = (
      <TaskTable
        tasks={value.items}
        onAction={message => {
          setOutcome(message);
          retry();
        }}
      />
    );
  }
  return (
    <InfoCard title={props.title ?? 'Model stewardship tasks'}>
      <Typography variant="body2" role="status">
        {outcome ?? ''}
      </Typography>
      {content}
    </InfoCard>
  );
}
