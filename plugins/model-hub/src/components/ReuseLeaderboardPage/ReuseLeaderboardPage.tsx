import { useState } from 'react';
import useAsync from 'react-use/esm/useAsync';
import {
  Content,
  Header,
  InfoCard,
  Page,
  Progress,
  ResponseErrorPanel,
} from '@backstage/core-components';
import { useApi } from '@backstage/core-plugin-api';
import { EntityRefLink } from '@backstage/plugin-catalog-react';
import { UsageRankBy, UsageWindow } from '@internal/plugin-model-hub-common';
import Grid from '@material-ui/core/Grid';
import Tab from '@material-ui/core/Tab';
import Tabs from '@material-ui/core/Tabs';
import Table from '@material-ui/core/Table';
import TableBody from '@material-ui/core/TableBody';
import TableCell from '@material-ui/core/TableCell';
import TableHead from '@material-ui/core/TableHead';
import TableRow from '@material-ui/core/TableRow';
import Typography from '@material-ui/core/Typography';
import { usageApiRef } from '../../api';

const WINDOWS: Array<[UsageWindow, string]> = [
  ['30d', 'Last 30 days'],
  ['all', 'All time'],
];
const RANKINGS: Array<[UsageRankBy, string]> = [
  ['teams', 'Teams reusing'],
  ['pulls', 'Pulls'],
  ['consumers', 'Declared consumers'],
];

/** Duplicate effort: per task, models with overlapping purpose and their use. */
function DuplicateEffortCard(props: { window: UsageWindow }) {
  const usageApi = useApi(usageApiRef);
  const { value, loading, error } = useAsync(
    () => usageApi.getDuplicates(props.window),
    [usageApi, props.window],
  );
  return (
    <InfoCard
      title="Duplicate effort"
      subheader="Models of one task with overlapping names, titles or tags, and how many teams use each: candidates for consolidation"
    >
      {loading && <Progress />}
      {error && <ResponseErrorPanel error={error} />}
      {value && value.groups.length === 0 && (
        <Typography variant="body2" color="textSecondary">
          No overlapping models found.
        </Typography>
      )}
      {value && value.groups.length > 0 && (
        <Table size="small" aria-label="Duplicate effort">
          <TableHead>
            <TableRow>
              <TableCell>Task</TableCell>
              <TableCell>Model</TableCell>
              <TableCell>Owner</TableCell>
              <TableCell align="right">Teams using it</TableCell>
              <TableCell align="right">Pulls</TableCell>
            </TableRow>
          </TableHead>
          <TableBody>
            {value.groups.flatMap(g =>
              g.models.map((m, i) => (
                <TableRow key={`${g.task}-${m.entityRef}`}>
                  <TableCell>{i === 0 ? g.task : ''}</TableCell>
                  <TableCell>
                    <EntityRefLink entityRef={m.entityRef} />
                  </TableCell>
                  <TableCell>
                    {m.owner ? <EntityRefLink entityRef={m.owner} /> : '—'}
                  </TableCell>
                  <TableCell align="right">{m.teams}</TableCell>
                  <TableCell align="right">{m.pulls}</TableCell>
                </TableRow>
              )),
            )}
          </TableBody>
        </Table>
      )}
    </InfoCard>
  );
}

/**
 * The window tabs and the rankings. It holds the page's state, so that a tab
 * click or a load re-renders it and not Backstage's `Page` around it (a
 * render of `Page` gives MUI a new theme, and every style sheet below it is
 * built again).
 */
function ReuseLeaderboard() {
  const usageApi = useApi(usageApiRef);
  const [window, setWindow] = useState<UsageWindow>('30d');
  const [by, setBy] = useState<UsageRankBy>('teams');
  const { value, loading, error } = useAsync(
    () => usageApi.getTop({ window, by, limit: 50 }),
    [usageApi, window, by],
  );
  return (
    <>
      <Tabs
        value={window}
        onChange={(_e, v) => setWindow(v)}
        aria-label="Window"
      >
        {WINDOWS.map(([w, label]) => (
          <Tab key={w} value={w} label={label} />
        ))}
      </Tabs>
      {loading && <Progress />}
      {error && <ResponseErrorPanel error={error} />}
      {value && (
        <Grid container spacing={3}>
          <Grid item md={7} xs={12}>
            <InfoCard title="Most reused models">
              <Tabs
                value={by}
                onChange={(_e, v) => setBy(v)}
                aria-label="Rank by"
              >
                {RANKINGS.map(([b, label]) => (
                  <Tab key={b} value={b} label={label} />
                ))}
              </Tabs>
              {value.models.length === 0 ? (
                <Typography variant="body2" color="textSecondary">
                  No model was pulled in this window.
                </Typography>
              ) : (
                <Table size="small" aria-label="Most reused models">
                  <TableHead>
                    <TableRow>
                      <TableCell>#</TableCell>
                      <TableCell>Model</TableCell>
                      <TableCell>Owner</TableCell>
                      <TableCell align="right">Pulls</TableCell>
                      <TableCell align="right">Teams</TableCell>
                      <TableCell align="right">Other teams</TableCell>
                      <TableCell align="right">Declared consumers</TableCell>
                    </TableRow>
                  </TableHead>
                  <TableBody>
                    {value.models.map((m, i) => (
                      <TableRow key={m.entityRef}>
                        <TableCell>{i + 1}</TableCell>
                        <TableCell>
                          <EntityRefLink entityRef={m.entityRef} />
                        </TableCell>
                        <TableCell>
                          {m.owner ? (
                            <EntityRefLink entityRef={m.owner} />
                          ) : (
                            '—'
                          )}
                        </TableCell>
                        <TableCell align="right">{m.pulls}</TableCell>
                        <TableCell align="right">{m.teams}</TableCell>
                        <TableCell align="right">{m.crossTeams}</TableCell>
                        <TableCell align="right">
                          {m.declaredConsumers}
                        </TableCell>
                      </TableRow>
                    ))}
                  </TableBody>
                </Table>
              )}
            </InfoCard>
          </Grid>
          <Grid item md={5} xs={12}>
            <InfoCard title="Teams whose models others build on">
              {value.teams.length === 0 ? (
                <Typography variant="body2" color="textSecondary">
                  No team's model was pulled in this window.
                </Typography>
              ) : (
                <Table size="small" aria-label="Most reused teams">
                  <TableHead>
                    <TableRow>
                      <TableCell>#</TableCell>
                      <TableCell>Team</TableCell>
                      <TableCell align="right">Other teams</TableCell>
                      <TableCell align="right">Models</TableCell>
                      <TableCell align="right">Pulls</TableCell>
                    </TableRow>
                  </TableHead>
                  <TableBody>
                    {value.teams.map(t => (
                      <TableRow key={t.team}>
                        <TableCell>{t.rank}</TableCell>
                        <TableCell>
                          <EntityRefLink entityRef={t.team} />
                        </TableCell>
                        <TableCell align="right">{t.reusingTeams}</TableCell>
                        <TableCell align="right">{t.models}</TableCell>
                        <TableCell align="right">{t.pulls}</TableCell>
                      </TableRow>
                    ))}
                  </TableBody>
                </Table>
              )}
            </InfoCard>
          </Grid>
          <Grid item xs={12}>
            <DuplicateEffortCard window={window} />
          </Grid>
        </Grid>
      )}
    </>
  );
}

/**
 * Recognition: the most reused models and the teams whose models the most
 * other teams build on, over the last 30 days or all time.
 */
export function ReuseLeaderboardPage() {
  return (
    <Page themeId="tool">
      <Header
        title="Model reuse"
        subtitle="Models other teams build on, and the teams behind them"
      />
      <Content>
        <ReuseLeaderboard />
      </Content>
    </Page>
  );
}
