import useAsync from 'react-use/esm/useAsync';
import { stringifyEntityRef } from '@backstage/catalog-model';
import {
  InfoCard,
  Progress,
  ResponseErrorPanel,
} from '@backstage/core-components';
import { useApi } from '@backstage/core-plugin-api';
import { EntityRefLink, useEntity } from '@backstage/plugin-catalog-react';
import Table from '@material-ui/core/Table';
import TableBody from '@material-ui/core/TableBody';
import TableCell from '@material-ui/core/TableCell';
import TableHead from '@material-ui/core/TableHead';
import TableRow from '@material-ui/core/TableRow';
import Typography from '@material-ui/core/Typography';
import { usageApiRef } from '../../api';

/**
 * Group entity card: the team's published models, how many other teams
 * reuse them (all time) and the team's rank among teams whose models are
 * reused.
 */
export function EntityTeamReuseCard() {
  const { entity } = useEntity();
  const usageApi = useApi(usageApiRef);
  const { value, loading, error } = useAsync(
    () => usageApi.getTeamUsage(stringifyEntityRef(entity), 'all'),
    [usageApi, entity],
  );
  if (loading) return <Progress />;
  if (error) return <ResponseErrorPanel error={error} />;
  const t = value!;
  const standing =
    t.rank === undefined
      ? 'None of its models has been pulled yet.'
      : `Rank ${t.rank} of ${t.rankedTeams} teams: its models are reused by ${
          t.reusingTeams
        } other team${t.reusingTeams === 1 ? '' : 's'} (${t.pulls} pulls).`;
  return (
    <InfoCard title="Model reuse">
      <Typography variant="body2" data-testid="team-reuse-standing">
        {standing}
      </Typography>
      {t.models.length === 0 ? (
        <Typography variant="body2" color="textSecondary">
          The team owns no models.
        </Typography>
      ) : (
        <Table size="small" aria-label="Published models and their reuse">
          <TableHead>
            <TableRow>
              <TableCell>Model</TableCell>
              <TableCell align="right">Pulls</TableCell>
              <TableCell align="right">Other teams</TableCell>
              <TableCell align="right">Declared consumers</TableCell>
            </TableRow>
          </TableHead>
          <TableBody>
            {t.models.map(m => (
              <TableRow key={m.entityRef}>
                <TableCell>
                  <EntityRefLink entityRef={m.entityRef} />
                </TableCell>
                <TableCell align="right">{m.pulls}</TableCell>
                <TableCell align="right">{m.crossTeams}</TableCell>
                <TableCell align="right">{m.declaredConsumers}</TableCell>
              </TableRow>
            ))}
          </TableBody>
        </Table>
      )}
    </InfoCard>
  );
}
