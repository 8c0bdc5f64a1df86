import { Entity, RELATION_OWNED_BY } from '@backstage/catalog-model';
import {
  EntityRefLink,
  EntityRefLinks,
  getEntityRelations,
} from '@backstage/plugin-catalog-react';
import Table from '@material-ui/core/Table';
import TableBody from '@material-ui/core/TableBody';
import TableCell from '@material-ui/core/TableCell';
import TableHead from '@material-ui/core/TableHead';
import TableRow from '@material-ui/core/TableRow';
import Typography from '@material-ui/core/Typography';
import {
  LAST_ACTIVITY_ANNOTATION,
  consumerRefs,
  getTierStatus,
  readModel,
} from '../../lib/model';
import { TierBadge, describeTier } from '../TierBadge';

function CommunityWarning(props: { entity: Entity }) {
  const { variant } = describeTier(getTierStatus(props.entity));
  if (variant !== 'community') {
    return null;
  }
  return (
    <Typography variant="caption" display="block" color="textSecondary">
      Use at your own risk
    </Typography>
  );
}

function formatActivity(entity: Entity): string {
  const raw = entity.metadata.annotations?.[LAST_ACTIVITY_ANNOTATION];
  if (!raw) {
    return 'No activity recorded';
  }
  const date = new Date(raw);
  return Number.isNaN(date.getTime()) ? raw : date.toISOString().slice(0, 10);
}

/** The list of models on the hub page. */
export function ModelResultsTable(props: { entities: Entity[] }) {
  return (
    <Table size="small" aria-label="Models">
      <TableHead>
        <TableRow>
          <TableCell>Model</TableCell>
          <TableCell>Tier</TableCell>
          <TableCell>Task</TableCell>
          <TableCell>Framework</TableCell>
          <TableCell>Owner</TableCell>
          <TableCell>Lifecycle</TableCell>
          <TableCell>License</TableCell>
          <TableCell align="right">Consumers</TableCell>
          <TableCell>Last activity</TableCell>
        </TableRow>
      </TableHead>
      <TableBody>
        {props.entities.map(entity => {
          const model = readModel(entity);
          const owners = getEntityRelations(entity, RELATION_OWNED_BY);
          return (
            <TableRow key={entity.metadata.uid ?? entity.metadata.name}>
              <TableCell>
                <EntityRefLink entityRef={entity} hideIcon>
                  {entity.metadata.title ?? entity.metadata.name}
                </EntityRefLink>
                {entity.metadata.description && (
                  <Typography variant="body2" color="textSecondary">
                    {entity.metadata.description}
                  </Typography>
                )}
              </TableCell>
              <TableCell>
                <TierBadge entity={entity} />
                <CommunityWarning entity={entity} />
              </TableCell>
              <TableCell>{model.task ?? '—'}</TableCell>
              <TableCell>{model.framework ?? '—'}</TableCell>
              <TableCell>
                {owners.length ? (
                  <EntityRefLinks entityRefs={owners} defaultKind="group" />
                ) : (
                  model.owner ?? '—'
                )}
              </TableCell>
              <TableCell>{model.lifecycle ?? '—'}</TableCell>
              <TableCell>{model.license ?? '—'}</TableCell>
              <TableCell align="right">{consumerRefs(entity).length}</TableCell>
              <TableCell>{formatActivity(entity)}</TableCell>
            </TableRow>
          );
        })}
      </TableBody>
    </Table>
  );
}
