import useAsync from 'react-use/esm/useAsync';
import { stringifyEntityRef } from '@backstage/catalog-model';
import {
  InfoCard,
  Progress,
  ResponseErrorPanel,
  TrendLine,
} from '@backstage/core-components';
import { useApi } from '@backstage/core-plugin-api';
import { EntityRefLink, useEntity } from '@backstage/plugin-catalog-react';
import Box from '@material-ui/core/Box';
import Table from '@material-ui/core/Table';
import TableBody from '@material-ui/core/TableBody';
import TableCell from '@material-ui/core/TableCell';
import TableHead from '@material-ui/core/TableHead';
import TableRow from '@material-ui/core/TableRow';
import Typography from '@material-ui/core/Typography';
import { usageApiRef } from '../../api';
import { reuseLabel } from './EntityModelReuseBadge';

/**
 * Model entity card: pulls, distinct users and teams (30 days and all
 * time), cross-team reuse, a sparkline of the last 90 days and the
 * Components and Systems that declare a dependency on the model.
 */
export function EntityModelUsageCard() {
  const { entity } = useEntity();
  const usageApi = useApi(usageApiRef);
  const { value, loading, error } = useAsync(
    () => usageApi.getModelUsage(stringifyEntityRef(entity)),
    [usageApi, entity],
  );
  if (loading) return <Progress />;
  if (error) return <ResponseErrorPanel error={error} />;
  const u = value!;
  const rows: Array<[string, number, number]> = [
    ['Pulls', u.pulls30d, u.pullsAllTime],
    ['Distinct users', u.users30d, u.usersAllTime],
    ['Teams', u.teams30d, u.teamsAllTime],
    ['Other teams (cross-team reuse)', u.crossTeams30d, u.crossTeamsAllTime],
  ];
  return (
    <InfoCard title="Usage" subheader={reuseLabel(u.usedByTeams)}>
      <Table size="small" aria-label="Model usage">
        <TableHead>
          <TableRow>
            <TableCell />
            <TableCell align="right">30 days</TableCell>
            <TableCell align="right">All time</TableCell>
          </TableRow>
        </TableHead>
        <TableBody>
          {rows.map(([label, recent, all]) => (
            <TableRow key={label}>
              <TableCell>{label}</TableCell>
              <TableCell align="right" aria-label={`${label}, 30 days`}>
                {recent}
              </TableCell>
              <TableCell align="right" aria-label={`${label}, all time`}>
                {all}
              </TableCell>
            </TableRow>
          ))}
        </TableBody>
      </Table>
      <Box mt={2} aria-label="Pulls per day, last 90 days">
        <Typography variant="caption" color="textSecondary">
          Pulls per day, last 90 days
        </Typography>
        <TrendLine
          data={u.daily.map(d => d.pulls)}
          title={`Pulls per day from ${u.daily[0]?.day} to ${
            u.daily[u.daily.length - 1]?.day
          }`}
          max={Math.max(1, ...u.daily.map(d => d.pulls))}
        />
      </Box>
      <Box mt={2}>
        <Typography variant="subtitle2">
          Declared consumers ({u.declaredConsumers.length})
        </Typography>
        {u.declaredConsumers.length === 0 ? (
          <Typography variant="body2" color="textSecondary">
            No Component or System declares dependsOn this model.
          </Typography>
        ) : (
          <ul>
            {u.declaredConsumers.map(c => (
              <li key={c.entityRef}>
                <EntityRefLink entityRef={c.entityRef} />
                {c.owner && (
                  <>
                    {' '}
                    (<EntityRefLink entityRef={c.owner} />)
                  </>
                )}
              </li>
            ))}
          </ul>
        )}
      </Box>
    </InfoCard>
  );
}
