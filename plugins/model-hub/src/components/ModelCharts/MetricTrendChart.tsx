import {
  CartesianGrid,
  Line,
  LineChart,
  ReferenceLine,
  Tooltip,
  XAxis,
  YAxis,
} from 'recharts';
import { useTheme } from '@material-ui/core/styles';
import Table from '@material-ui/core/Table';
import TableBody from '@material-ui/core/TableBody';
import TableCell from '@material-ui/core/TableCell';
import TableHead from '@material-ui/core/TableHead';
import TableRow from '@material-ui/core/TableRow';
import { formatMetric } from '../ModelCompare/CompareTables';
import { ChartFigure } from './ChartFigure';
import { MetricSeries } from './chartData';

/** Height of every chart on the evaluations tab (px). */
export const CHART_HEIGHT = 240;

/** One metric across versions, with the tier threshold as a reference line. */
export function MetricTrendChart(props: {
  series: MetricSeries;
  tier?: string;
}) {
  const { series, tier } = props;
  const theme = useTheme();
  const bound = series.higherIsBetter ? '≥' : '≤';
  const thresholdText =
    series.threshold === undefined
      ? 'no tier threshold configured'
      : `${tier ?? 'tier'} threshold ${bound} ${formatMetric(
          series.threshold,
        )}`;
  return (
    <ChartFigure
      title={`${series.name} across versions`}
      description={`${
        series.higherIsBetter ? 'Higher' : 'Lower'
      } is better; ${thresholdText}.`}
      chart={width => (
        <LineChart
          width={width}
          height={CHART_HEIGHT}
          data={series.points}
          margin={{ top: 16, right: 32, bottom: 8, left: 8 }}
        >
          <CartesianGrid strokeDasharray="3 3" />
          <XAxis dataKey="version" />
          <YAxis domain={['auto', 'auto']} />
          <Tooltip formatter={(v: number) => formatMetric(v)} />
          <Line
            type="monotone"
            dataKey="value"
            name={series.name}
            stroke={theme.palette.primary.main}
            strokeWidth={2}
            connectNulls
            isAnimationActive={false}
          />
          {series.threshold !== undefined && (
            <ReferenceLine
              y={series.threshold}
              stroke={theme.palette.error.main}
              strokeDasharray="6 4"
              label={{
                value: `${tier ?? 'tier'} ${bound} ${formatMetric(
                  series.threshold,
                )}`,
                position: 'insideTopRight',
              }}
            />
          )}
        </LineChart>
      )}
      table={
        <Table size="small" aria-label={`${series.name} per version`}>
          <TableHead>
            <TableRow>
              <TableCell>Version</TableCell>
              <TableCell align="right">{series.name}</TableCell>
              <TableCell>Source</TableCell>
              <TableCell>Meets threshold</TableCell>
            </TableRow>
          </TableHead>
          <TableBody>
            {series.points.map(p => {
              let meets = '—';
              if (p.value !== undefined && series.threshold !== undefined) {
                const ok = series.higherIsBetter
                  ? p.value >= series.threshold
                  : p.value <= series.threshold;
                meets = ok ? 'yes' : 'no';
              }
              return (
                <TableRow key={p.version}>
                  <TableCell>{p.version}</TableCell>
                  <TableCell align="right">
                    {p.value === undefined
                      ? 'not measured'
                      : formatMetric(p.value)}
                  </TableCell>
                  <TableCell>{p.source ?? '—'}</TableCell>
                  <TableCell>{meets}</TableCell>
                </TableRow>
              );
            })}
          </TableBody>
        </Table>
      }
    />
  );
}
