import { useState } from 'react';
import useAsync from 'react-use/esm/useAsync';
import { Link, Progress, ResponseErrorPanel } from '@backstage/core-components';
import { useApi, useRouteRef } from '@backstage/core-plugin-api';
import { EntityRefLink } from '@backstage/plugin-catalog-react';
import { UsageWindow } from '@internal/plugin-model-hub-common';
import Tab from '@material-ui/core/Tab';
import Tabs from '@material-ui/core/Tabs';
import Table from '@material-ui/core/Table';
import TableBody from '@material-ui/core/TableBody';
import TableCell from '@material-ui/core/TableCell';
import TableHead from '@material-ui/core/TableHead';
import TableRow from '@material-ui/core/TableRow';
import Typography from '@material-ui/core/Typography';
import { usageApiRef } from '../../api';
import { reuseRouteRef } from '../../routes';

/** Props of {@link MostReusedModelsContent}. */
export interface MostReusedModelsContentProps {
  /** Models listed; default 5. */
  models?: number;
  /** Teams listed; default 3. */
  teams?: number;
}

/**
 * The home page card's content: the models the most other teams reuse and
 * the teams whose models the most other teams build on, over the last 30
 * days or all time, with a link to the full leaderboard.
 */
export function MostReusedModelsContent(props: MostReusedModelsContentProps) {
  const modelCount = props.models ?? 5;
  const teamCount = props.teams ?? 3;
  const usageApi = useApi(usageApiRef);
  const leaderboard = useRouteRef(reuseRouteRef);
  const [window, setWindow] = useState<UsageWindow>('30d');
  const { value, loading, error } = useAsync(
    () =>
      usageApi.getTop({
        window,
        by: 'teams',
        limit: Math.max(modelCount, teamCount),
      }),
    [usageApi, window, modelCount, teamCount],
  );
  return (
    <>
      <Tabs
        value={window}
        onChange={(_e, v) => setWindow(v)}
        aria-label="Reuse window"
      >
        <Tab value="30d" label="Last 30 days" />
        <Tab value="all" label="All time" />
      </Tabs>
      {loading && <Progress />}
      {error && <ResponseErrorPanel error={error} />}
      {value && value.models.length === 0 && (
        <Typography variant="body2" color="textSecondary">
          No model was pulled in this window.
        </Typography>
      )}
      {value && value.models.length > 0 && (
        <>
          <Table size="small" aria-label="Home most reused models">
            <TableHead>
              <TableRow>
                <TableCell>Model</TableCell>
                <TableCell align="right">Other teams</TableCell>
                <TableCell align="right">Pulls</TableCell>
              </TableRow>
            </TableHead>
            <TableBody>
              {value.models.slice(0, modelCount).map(m => (
                <TableRow key={m.entityRef}>
                  <TableCell>
                    <EntityRefLink entityRef={m.entityRef} />
                  </TableCell>
                  <TableCell align="right">{m.crossTeams}</TableCell>
                  <TableCell align="right">{m.pulls}</TableCell>
                </TableRow>
              ))}
            </TableBody>
          </Table>
          <Table size="small" aria-label="Home teams others build on">
            <TableHead>
              <TableRow>
                <TableCell>Team</TableCell>
                <TableCell align="right">Teams reusing its models</TableCell>
              </TableRow>
            </TableHead>
            <TableBody>
              {value.teams.slice(0, teamCount).map(t => (
                <TableRow key={t.team}>
                  <TableCell>
                    <EntityRefLink entityRef={t.team} />
                  </TableCell>
                  <TableCell align="right">{t.reusingTeams}</TableCell>
                </TableRow>
              ))}
            </TableBody>
          </Table>
        </>
      )}
      <Typography variant="body2" style={{ marginTop: 8 }}>
        <Link to={leaderboard()}>See the whole leaderboard</Link>
      </Typography>
    </>
  );
}

/** The parts `createCardExtension` of `@backstage/plugin-home-react` reads. */
export const Content = MostReusedModelsContent;
