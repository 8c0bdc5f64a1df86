import { ChangeEvent, useState } from 'react';
import {
  EmptyState,
  InfoCard,
  Progress,
  ResponseErrorPanel,
} from '@backstage/core-components';
import { useApi } from '@backstage/core-plugin-api';
import { stringifyEntityRef } from '@backstage/catalog-model';
import { useEntity } from '@backstage/plugin-catalog-react';
import { MODEL_HUB_ANNOTATIONS } from '@internal/plugin-model-hub-common';
import Accordion from '@material-ui/core/Accordion';
import AccordionDetails from '@material-ui/core/AccordionDetails';
import AccordionSummary from '@material-ui/core/AccordionSummary';
import Box from '@material-ui/core/Box';
import Chip from '@material-ui/core/Chip';
import Table from '@material-ui/core/Table';
import TableBody from '@material-ui/core/TableBody';
import TableCell from '@material-ui/core/TableCell';
import TableHead from '@material-ui/core/TableHead';
import TableRow from '@material-ui/core/TableRow';
import Typography from '@material-ui/core/Typography';
import { makeStyles } from '@material-ui/core/styles';
import ExpandMoreIcon from '@material-ui/icons/ExpandMore';
import useAsyncRetry from 'react-use/esm/useAsyncRetry';
import {
  GauntletCheckStatus,
  GauntletPromotionRequest,
  GauntletResult,
  GauntletWaiver,
  ModelGauntlet,
  modelHubApiRef,
} from '../../api';
import { getTierStatus } from '../../lib/model';
import { WithdrawPromotionButton } from './WithdrawPromotionButton';
import { InvalidatedApprovalsNotice } from './InvalidatedApprovalsNotice';

const useStyles = makeStyles(theme => ({
  pass: { backgroundColor: theme.palette.success.main, color: '#fff' },
  warn: { backgroundColor: theme.palette.warning.main, color: '#000' },
  fail: { backgroundColor: theme.palette.error.main, color: '#fff' },
  error: { backgroundColor: theme.palette.error.dark, color: '#fff' },
  na: {},
  summaryRow: {
    display: 'flex',
    alignItems: 'center',
    gap: theme.spacing(1),
    flexWrap: 'wrap',
    width: '100%',
  },
  checkId: { fontWeight: 600, minWidth: 96 },
  evidence: {
    margin: 0,
    padding: theme.spacing(1),
    maxHeight: 320,
    overflow: 'auto',
    fontSize: '0.8rem',
    backgroundColor: theme.palette.background.default,
    whiteSpace: 'pre-wrap',
    wordBreak: 'break-word',
  },
}));

const STATUS_LABELS: Record<GauntletCheckStatus, string> = {
  pass: 'pass',
  warn: 'warn',
  fail: 'fail',
  error: 'error',
  'not-applicable': 'not applicable',
};

/** A colored chip for a check status, with an accessible label. */
function CheckStatusChip(props: {
  checkId: string;
  status: GauntletCheckStatus;
}) {
  const classes = useStyles();
  const className =
    props.status === 'not-applicable' ? classes.na : classes[props.status];
  const label = STATUS_LABELS[props.status] ?? props.status;
  return (
    <Chip
      size="small"
      label={label}
      className={className}
      variant={props.status === 'not-applicable' ? 'outlined' : 'default'}
      aria-label={`${props.checkId} check status: ${label}`}
    />
  );
}

function formatDate(iso: string): string {
  const d = new Date(iso);
  return Number.isNaN(d.getTime()) ? iso : d.toISOString().slice(0, 10);
}

function CheckRow(props: { result: GauntletResult }) {
  const classes = useStyles();
  const { result } = props;
  const [expanded, setExpanded] = useState(false);
  const metrics = Object.entries(result.metrics ?? {});
  const detailsId = `gauntlet-check-${result.id}-details`;
  return (
    <Accordion
      expanded={expanded}
      onChange={(_e: ChangeEvent<{}>, open: boolean) => setExpanded(open)}
      TransitionProps={{ unmountOnExit: true }}
    >
      <AccordionSummary
        expandIcon={<ExpandMoreIcon />}
        aria-controls={detailsId}
        aria-label={`${result.checkId} check: show evidence`}
      >
        <div className={classes.summaryRow}>
          <Typography component="span" className={classes.checkId}>
            {result.checkId}
          </Typography>
          <CheckStatusChip checkId={result.checkId} status={result.status} />
          <Typography component="span" variant="body2">
            {result.summary}
          </Typography>
        </div>
      </AccordionSummary>
      <AccordionDetails id={detailsId}>
        <Box width="100%">
          {result.reason && (
            <Typography variant="body2" paragraph>
              Reason: {result.reason}
            </Typography>
          )}
          <Typography variant="caption" color="textSecondary" component="p">
            Check {result.checkId} v{result.checkVersion} · run #{result.runId}{' '}
            · finished {result.finishedAt} · {result.durationMs} ms
          </Typography>
          {metrics.length > 0 && (
            <Table size="small" aria-label={`${result.checkId} metrics`}>
              <TableHead>
                <TableRow>
                  <TableCell>Metric</TableCell>
                  <TableCell align="right">Value</TableCell>
                </TableRow>
              </TableHead>
              <TableBody>
                {metrics.map(([name, value]) => (
                  <TableRow key={name}>
                    <TableCell>{name}</TableCell>
                    <TableCell align="right">{String(value)}</TableCell>
                  </TableRow>
                ))}
              </TableBody>
            </Table>
          )}
          <Typography variant="subtitle2" style={{ marginTop: 8 }}>
            Evidence
          </Typography>
          <pre
            className={classes.evidence}
            aria-label={`${result.checkId} evidence`}
          >
            {JSON.stringify(result.evidence, null, 2)}
          </pre>
        </Box>
      </AccordionDetails>
    </Accordion>
  );
}

function Waivers(props: { waivers: GauntletWaiver[] }) {
  if (props.waivers.length === 0) return null;
  return (
    <Box mt={2}>
      <Typography variant="subtitle1">Waivers</Typography>
      <Table size="small" aria-label="Waivers">
        <TableHead>
          <TableRow>
            <TableCell>Check</TableCell>
            <TableCell>Reason</TableCell>
            <TableCell>Approved by</TableCell>
            <TableCell>Expires</TableCell>
          </TableRow>
        </TableHead>
        <TableBody>
          {props.waivers.map(w => (
            <TableRow key={w.id}>
              <TableCell>
                {w.checkId}
                {w.version ? ` (version ${w.version})` : ''}
              </TableCell>
              <TableCell>{w.reason}</TableCell>
              <TableCell>{w.approvedBy}</TableCell>
              <TableCell>
                {formatDate(w.expiresAt)}
                {w.active ? '' : ' (expired)'}
              </TableCell>
            </TableRow>
          ))}
        </TableBody>
      </Table>
    </Box>
  );
}

function Approvals(props: {
  approvals: GauntletPromotionRequest[];
  onChange: () => void;
}) {
  if (props.approvals.length === 0) return null;
  return (
    <Box mt={2}>
      <Typography variant="subtitle1">Promotion requests</Typography>
      <Table size="small" aria-label="Promotion requests">
        <TableHead>
          <TableRow>
            <TableCell>Tier</TableCell>
            <TableCell>State</TableCell>
            <TableCell>Requested by</TableCell>
            <TableCell>Decided by</TableCell>
          </TableRow>
        </TableHead>
        <TableBody>
          {props.approvals.map(a => (
            <TableRow key={a.id}>
              <TableCell>{a.tier}</TableCell>
              <TableCell>{a.state}</TableCell>
              <TableCell>
                {a.requestedBy} on {formatDate(a.requestedAt)}
                <WithdrawPromotionButton request={a} onDone={props.onChange} />
              </TableCell>
              <TableCell>
                {a.decidedBy
                  ? `${a.decidedBy}${
                      a.decidedAt ? ` on ${formatDate(a.decidedAt)}` : ''
                    }${a.decisionComment ? `: ${a.decisionComment}` : ''}`
                  : '—'}
              </TableCell>
            </TableRow>
          ))}
        </TableBody>
      </Table>
    </Box>
  );
}

function GauntletDetails(props: {
  gauntlet: ModelGauntlet;
  onChange: () => void;
}) {
  const { gauntlet } = props;
  return (
    <>
      <Typography variant="body1">
        Requested tier: <strong>{gauntlet.requestedTier}</strong> · Effective
        tier: <strong>{gauntlet.effectiveTier ?? 'none'}</strong> · Status:{' '}
        <strong>{gauntlet.status}</strong>
      </Typography>
      <Typography variant="body2" color="textSecondary" paragraph>
        {gauntlet.reason}
      </Typography>
      <InvalidatedApprovalsNotice gauntlet={gauntlet} />
      {gauntlet.version && (
        <Typography variant="body2" paragraph>
          Version checked: <strong>{gauntlet.version}</strong>
        </Typography>
      )}
      {gauntlet.activeRuns.length > 0 && (
        <Typography variant="body2" paragraph>
          {gauntlet.activeRuns.length === 1
            ? '1 gauntlet run is'
            : `${gauntlet.activeRuns.length} gauntlet runs are`}{' '}
          queued or running for this version.
        </Typography>
      )}
      {gauntlet.checks.length === 0 ? (
        <EmptyState
          missing="data"
          title="The compliance gauntlet has not run for this model yet"
          description={gauntlet.reason}
        />
      ) : (
        <Box role="list" aria-label="Gauntlet checks">
          {gauntlet.checks.map(r => (
            <div role="listitem" key={r.checkId}>
              <CheckRow result={r} />
            </div>
          ))}
        </Box>
      )}
      <Waivers waivers={gauntlet.waivers} />
      <Approvals approvals={gauntlet.approvals} onChange={props.onChange} />
    </>
  );
}

/**
 * What the catalog knows when the backend has no gauntlet for the model
 * (the API answered 404): the `modelhub.io/gauntlet-status` annotation.
 */
function AnnotationFallback() {
  const { entity } = useEntity();
  const { requested, effective } = getTierStatus(entity);
  const status =
    entity.metadata.annotations?.[MODEL_HUB_ANNOTATIONS.gauntletStatus];
  const tierNote =
    requested === 'official' && effective !== 'official'
      ? ' Until it passes, the official tier this model requests is not earned.'
      : '';
  return status ? (
    <>
      <Typography variant="body1" paragraph>
        Latest gauntlet run: <strong>{status}</strong> (as recorded on the
        entity by the hub).
      </Typography>
      <Typography variant="body2" color="textSecondary">
        Per-check results are not available from the hub for this model.
        {tierNote}
      </Typography>
    </>
  ) : (
    <EmptyState
      missing="data"
      title="The compliance gauntlet has not run for this model yet"
      description={`Gauntlet results will be listed here once the hub runs the gauntlet for this model.${tierNote}`}
    />
  );
}

/**
 * Entity card for the compliance gauntlet of a model: requested and effective
 * tier with the reason, the latest result of each check (status, summary,
 * evidence and metrics), waivers and promotion requests, as served by
 * `GET /api/model-hub/v1/models/:namespace/:name/gauntlet`. Falls back to the
 * `modelhub.io/gauntlet-status` annotation when the backend answers 404.
 */
export function EntityModelGauntletCard(props: { title?: string }) {
  const { entity } = useEntity();
  const api = useApi(modelHubApiRef);
  const entityRef = stringifyEntityRef(entity);
  const { value, loading, error, retry } = useAsyncRetry(
    () => api.getGauntlet(entityRef),
    [api, entityRef],
  );
  let content;
  if (loading && !value) {
    content = <Progress />;
  } else if (error) {
    content = <ResponseErrorPanel error={error} />;
  } else if (!value || !value.available) {
    content = <AnnotationFallback />;
  } else {
    content = <GauntletDetails gauntlet={value.gauntlet} onChange={retry} />;
  }
  return (
    <InfoCard title={props.title ?? 'Compliance gauntlet'}>{content}</InfoCard>
  );
}
