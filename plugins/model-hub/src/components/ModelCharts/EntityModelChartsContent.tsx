import { ReactNode, useMemo } from 'react';
import { Progress, ResponseErrorPanel } from '@backstage/core-components';
import { ModelVersion } from '@internal/plugin-model-hub-common';
import Box from '@material-ui/core/Box';
import Grid from '@material-ui/core/Grid';
import Typography from '@material-ui/core/Typography';
import { useVersionSnapshots } from '../ModelCompare/useVersionSnapshots';
import {
  ModelVersionsInfoCard,
  useQueryState,
  VersionSelect,
} from '../VersionSelect';
import { metricSeries } from './chartData';
import { FairnessBarChart } from './FairnessBarChart';
import { MetricTrendChart } from './MetricTrendChart';

/** Most versions charted (the newest ones); each costs one request. */
export const MAX_CHARTED_VERSIONS = 20;

function Charts(props: {
  entityRef: string;
  /** All versions, newest first; the newest sealed ones are charted. */
  versions: ModelVersion[];
  fairnessVersion?: string;
  onFairnessVersion(v: string): void;
}) {
  const { entityRef } = props;
  const versions = useMemo(
    () =>
      props.versions
        .filter(v => v.state === 'sealed')
        .slice(0, MAX_CHARTED_VERSIONS)
        .reverse(),
    [props.versions],
  );
  const { value, loading, error } = useVersionSnapshots(entityRef, versions);
  const series = useMemo(() => metricSeries(value ?? []), [value]);
  if (loading) return <Progress />;
  if (error) return <ResponseErrorPanel error={error} />;
  const snapshots = value!;
  const latest = snapshots[snapshots.length - 1];
  const withFairness = snapshots.filter(s => s.fairness?.groups.length);
  const fairness =
    withFairness.find(s => s.version === props.fairnessVersion) ??
    withFairness[withFairness.length - 1];
  let fairnessContent: ReactNode = (
    <Typography variant="body2">
      No version has a fairness evaluation with groups yet (declare{' '}
      <code>spec.evaluation</code> with sensitive attributes).
    </Typography>
  );
  if (fairness) {
    fairnessContent = (
      <>
        <Box mb={1}>
          <VersionSelect
            label="Fairness of version"
            versions={versions
              .filter(v => withFairness.some(s => s.version === v.version))
              .reverse()}
            value={fairness.version}
            onChange={props.onFairnessVersion}
          />
        </Box>
        <FairnessBarChart
          version={fairness.version}
          fairness={fairness.fairness!}
        />
      </>
    );
  }
  return (
    <Grid container spacing={3}>
      <Grid
        item
        xs={12}
        lg={6}
        component="section"
        aria-label="Metrics across versions"
      >
        <Typography variant="h6" component="h3">
          Metrics across versions
        </Typography>
        {series.length === 0 ? (
          <Typography variant="body2">
            No version has metrics from a completed gauntlet run yet.
          </Typography>
        ) : (
          series.map(s => (
            <MetricTrendChart key={s.name} series={s} tier={latest?.tier} />
          ))
        )}
      </Grid>
      <Grid
        item
        xs={12}
        lg={6}
        component="section"
        aria-label="Fairness per group"
      >
        <Typography variant="h6" component="h3">
          Fairness per group
        </Typography>
        {fairnessContent}
      </Grid>
    </Grid>
  );
}

/**
 * Evaluations tab of a model: each metric across versions as a line with
 * the tier threshold, and one version's selection rate per group as bars
 * with the allowed disparity; every chart has a table.
 */
export function EntityModelChartsContent() {
  const [params, setQuery] = useQueryState();
  return (
    <ModelVersionsInfoCard
      title="Evaluations"
      enough={versions => versions.some(v => v.state === 'sealed')}
      empty={{
        title: 'No evaluations yet',
        description:
          'Charts appear once a version is sealed and the gauntlet has evaluated it.',
      }}
    >
      {({ entityRef, versions }) => (
        <Charts
          entityRef={entityRef}
          versions={versions}
          fairnessVersion={params.get('fairness') ?? undefined}
          onFairnessVersion={v => setQuery({ fairness: v })}
        />
      )}
    </ModelVersionsInfoCard>
  );
}
