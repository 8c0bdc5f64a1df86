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
import { AuditQuery } from '@internal/plugin-model-hub-common';
import Box from '@material-ui/core/Box';
import Button from '@material-ui/core/Button';
import Grid from '@material-ui/core/Grid';
import Table from '@material-ui/core/Table';
import TableBody from '@material-ui/core/TableBody';
import TableCell from '@material-ui/core/TableCell';
import TableHead from '@material-ui/core/TableHead';
import TableRow from '@material-ui/core/TableRow';
import TextField from '@material-ui/core/TextField';
import Typography from '@material-ui/core/Typography';
import { adminApiRef } from '../../api';

const FILTERS: Array<[keyof AuditQuery, string, string]> = [
  ['model', 'Model', 'model:default/churn-classifier'],
  ['team', 'Team', 'group:default/marketing'],
  ['actor', 'Person', 'user:default/sophie.laurent'],
];

function AuditTable(props: { query: AuditQuery }) {
  const adminApi = useApi(adminApiRef);
  const { value, loading, error } = useAsync(
    () => adminApi.listAudit(props.query),
    [adminApi, JSON.stringify(props.query)],
  );
  if (loading) return <Progress />;
  if (error) return <ResponseErrorPanel error={error} />;
  if (!value?.length) {
    return (
      <Typography variant="body2" color="textSecondary">
        No audit records match.
      </Typography>
    );
  }
  return (
    <Table size="small" aria-label="Audit trail">
      <TableHead>
        <TableRow>
          <TableCell>When</TableCell>
          <TableCell>What</TableCell>
          <TableCell>Outcome</TableCell>
          <TableCell>Who</TableCell>
          <TableCell>Model</TableCell>
          <TableCell>Team</TableCell>
          <TableCell>Details</TableCell>
        </TableRow>
      </TableHead>
      <TableBody>
        {value.map(r => (
          <TableRow key={r.id}>
            <TableCell>{r.occurredAt.replace('T', ' ').slice(0, 19)}</TableCell>
            <TableCell>{r.eventId}</TableCell>
            <TableCell>{r.outcome}</TableCell>
            <TableCell>{r.actor ?? '—'}</TableCell>
            <TableCell>{r.entityRef ?? '—'}</TableCell>
            <TableCell>{r.team ?? '—'}</TableCell>
            <TableCell>
              <Typography variant="caption">
                {JSON.stringify(r.meta)}
              </Typography>
            </TableCell>
          </TableRow>
        ))}
      </TableBody>
    </Table>
  );
}

function DeliveriesTable() {
  const adminApi = useApi(adminApiRef);
  const { value, loading, error } = useAsync(
    () => adminApi.listDeliveries(),
    [adminApi],
  );
  if (loading) return <Progress />;
  if (error) return <ResponseErrorPanel error={error} />;
  if (!value?.length) {
    return (
      <Typography variant="body2" color="textSecondary">
        No webhook deliveries yet (modelHub.events.webhooks).
      </Typography>
    );
  }
  return (
    <Table size="small" aria-label="Webhook deliveries">
      <TableHead>
        <TableRow>
          <TableCell>When</TableCell>
          <TableCell>Webhook</TableCell>
          <TableCell>Event</TableCell>
          <TableCell>Model</TableCell>
          <TableCell align="right">Attempt</TableCell>
          <TableCell>Outcome</TableCell>
          <TableCell>Answer</TableCell>
        </TableRow>
      </TableHead>
      <TableBody>
        {value.map(d => (
          <TableRow key={d.id}>
            <TableCell>
              {d.attemptedAt.replace('T', ' ').slice(0, 19)}
            </TableCell>
            <TableCell>{d.webhook}</TableCell>
            <TableCell>{d.eventType}</TableCell>
            <TableCell>{d.entityRef}</TableCell>
            <TableCell align="right">{d.attempt}</TableCell>
            <TableCell>{d.outcome}</TableCell>
            <TableCell>{d.error ?? d.httpStatus ?? '—'}</TableCell>
          </TableRow>
        ))}
      </TableBody>
    </Table>
  );
}

/**
 * The audit trail's filter form, CSV export and table. It holds the page's
 * state, so that a keystroke re-renders it and not Backstage's `Page` around
 * it (a render of `Page` gives MUI a new theme, and every style sheet below
 * it is built again).
 */
function AuditTrail() {
  const adminApi = useApi(adminApiRef);
  const [draft, setDraft] = useState<AuditQuery>({});
  const [query, setQuery] = useState<AuditQuery>({});
  const [csvError, setCsvError] = useState<Error>();

  const exportCsv = async () => {
    try {
      const blob = await adminApi.downloadAuditCsv(query);
      const url = URL.createObjectURL(blob);
      const a = document.createElement('a');
      a.href = url;
      a.download = 'model-hub-audit.csv';
      a.click();
      URL.revokeObjectURL(url);
    } catch (e) {
      setCsvError(e as Error);
    }
  };

  return (
    <InfoCard title="Audit trail">
      <Box
        component="form"
        display="flex"
        flexWrap="wrap"
        alignItems="center"
        style={{ gap: 12 }}
        mb={2}
        onSubmit={e => {
          e.preventDefault();
          setQuery(draft);
        }}
      >
        {FILTERS.map(([key, label, placeholder]) => (
          <TextField
            key={key}
            id={`audit-filter-${key}`}
            label={label}
            placeholder={placeholder}
            size="small"
            value={draft[key] ?? ''}
            onChange={e => setDraft({ ...draft, [key]: e.target.value.trim() })}
          />
        ))}
        <Button type="submit" variant="contained" color="primary">
          Filter
        </Button>
        <Button variant="outlined" onClick={exportCsv}>
          Export CSV
        </Button>
      </Box>
      {csvError && <ResponseErrorPanel error={csvError} />}
      <AuditTable query={query} />
    </InfoCard>
  );
}

/**
 * Admin page: the audit trail (who sealed, aliased, approved, waived,
 * deprecated what, and when), filterable by model, team and person and
 * exportable as CSV, and the webhook delivery attempts. The hub refuses
 * both to anyone outside the governance group.
 */
export function AuditPage() {
  return (
    <Page themeId="tool">
      <Header title="Model Hub audit" subtitle="Audit trail and webhooks" />
      <Content>
        <Grid container spacing={3}>
          <Grid item xs={12}>
            <AuditTrail />
          </Grid>
          <Grid item xs={12}>
            <InfoCard title="Webhook deliveries">
              <DeliveriesTable />
            </InfoCard>
          </Grid>
        </Grid>
      </Content>
    </Page>
  );
}
