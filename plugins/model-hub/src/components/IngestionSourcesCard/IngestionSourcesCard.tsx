import {
  InfoCard,
  Progress,
  ResponseErrorPanel,
  StatusError,
  StatusOK,
  StatusPending,
  StatusWarning,
} from '@backstage/core-components';
import { useApi } from '@backstage/core-plugin-api';
import { IngestionSourceStatus } from '@internal/plugin-model-hub-common';
import Button from '@material-ui/core/Button';
import Table from '@material-ui/core/Table';
import TableBody from '@material-ui/core/TableBody';
import TableCell from '@material-ui/core/TableCell';
import TableHead from '@material-ui/core/TableHead';
import TableRow from '@material-ui/core/TableRow';
import Typography from '@material-ui/core/Typography';
import { useState } from 'react';
import useAsyncRetry from 'react-use/esm/useAsyncRetry';
import { ingestionApiRef } from '../../api';

function State({ status }: { status: IngestionSourceStatus }) {
  switch (status.state) {
    case 'ok':
      return <StatusOK>ok</StatusOK>;
    case 'degraded':
      return <StatusWarning>degraded</StatusWarning>;
    case 'error':
      return <StatusError>error</StatusError>;
    default:
      return <StatusPending>never synced</StatusPending>;
  }
}

function when(iso?: string): string {
  return iso ? new Date(iso).toLocaleString() : '—';
}

/**
 * The federated ingestion sources: state (degraded when a source refuses our
 * credentials), last sync, entity count, last error; "Sync now" for callers
 * allowed to start one (the governance group by default).
 */
export function IngestionSourcesCard() {
  const api = useApi(ingestionApiRef);
  const { value, loading, error, retry } = useAsyncRetry(
    () => api.listSources(),
    [api],
  );
  const [message, setMessage] = useState<string>();

  const syncNow = async (source: string) => {
    try {
      await api.syncSource(source);
      setMessage(`Sync of ${source} started; refresh to see its outcome.`);
    } catch (e) {
      setMessage(
        `Could not start a sync of ${source}: ${(e as Error).message}`,
      );
    }
    retry();
  };

  if (loading && !value) return <Progress />;
  if (error) return <ResponseErrorPanel error={error} />;
  const items = value?.items ?? [];
  return (
    <InfoCard
      title="Ingestion sources"
      subheader="Models mirrored from MLflow and Hugging Face"
    >
      {items.length === 0 ? (
        <Typography>
          No ingestion sources are configured (modelHub.ingestion).
        </Typography>
      ) : (
        <Table size="small">
          <TableHead>
            <TableRow>
              <TableCell>Source</TableCell>
              <TableCell>State</TableCell>
              <TableCell>Last sync</TableCell>
              <TableCell>Last success</TableCell>
              <TableCell align="right">Models</TableCell>
              <TableCell align="right">Changed last sync</TableCell>
              <TableCell>Error</TableCell>
              {value?.canSync && <TableCell />}
            </TableRow>
          </TableHead>
          <TableBody>
            {items.map(s => (
              <TableRow key={s.source}>
                <TableCell>{s.source}</TableCell>
                <TableCell>
                  <State status={s} />
                </TableCell>
                <TableCell>{when(s.lastSyncAt)}</TableCell>
                <TableCell>{when(s.lastSuccessAt)}</TableCell>
                <TableCell align="right">{s.entityCount}</TableCell>
                <TableCell align="right">{s.lastEmitted}</TableCell>
                <TableCell>{s.lastError ?? ''}</TableCell>
                {value?.canSync && (
                  <TableCell>
                    <Button
                      size="small"
                      variant="outlined"
                      aria-label={`Sync ${s.source} now`}
                      onClick={() => syncNow(s.source)}
                    >
                      Sync now
                    </Button>
                  </TableCell>
                )}
              </TableRow>
            ))}
          </TableBody>
        </Table>
      )}
      {message && (
        <Typography role="status" variant="body2">
          {message}
        </Typography>
      )}
    </InfoCard>
  );
}
