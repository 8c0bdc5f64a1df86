import {
  Bar,
  BarChart,
  CartesianGrid,
  Cell,
  ReferenceLine,
  Tooltip,
  XAxis,
  YAxis,
} from 'recharts';
import { VersionFairness } from '@internal/plugin-model-hub-common';
import { useTheme } from '@material-ui/core/styles';
import Table from '@material-ui/core/Table';
import TableBody from '@material-ui/core/TableBody';
import TableCell from '@material-ui/core/TableCell';
import TableHead from '@material-ui/core/TableHead';
import TableRow from '@material-ui/core/TableRow';
import { formatMetric } from '../ModelCompare/CompareTables';
import { ChartFigure } from './ChartFigure';
import { fairnessBars } from './chartData';
import { CHART_HEIGHT } from './MetricTrendChart';

const WITHIN_LIMIT_WORDS: Record<string, string> = {
  true: 'yes',
  false: 'no',
  undefined: '—',
};

/** Selection rate per sensitive group of one version, with the allowed disparity marked. */
export function FairnessBarChart(props: {
  version: string;
  fairness: VersionFairness;
}) {
  const { version, fairness } = props;
  const theme = useTheme();
  const { groups, lowestAllowed } = fairnessBars(fairness);
  const max = fairness.maxDemographicParityDifference;
  const limitText =
    lowestAllowed === undefined
      ? 'no disparity threshold recorded'
      : `allowed disparity ${formatMetric(
          max,
        )}: every group's selection rate at least ${formatMetric(
          lowestAllowed,
        )}`;
  return (
    <ChartFigure
      title={`Selection rate per group, version ${version}`}
      description={`Demographic parity difference ${formatMetric(
        fairness.demographicParityDifference,
      )}; ${limitText}.`}
      chart={width => (
        <BarChart
          width={width}
          height={CHART_HEIGHT}
          data={groups}
          margin={{ top: 16, right: 32, bottom: 8, left: 8 }}
        >
          <CartesianGrid strokeDasharray="3 3" />
          <XAxis dataKey="group" />
          <YAxis domain={[0, 1]} />
          <Tooltip formatter={(v: number) => formatMetric(v)} />
          <Bar
            dataKey="selectionRate"
            name="selection rate"
            isAnimationActive={false}
          >
            {groups.map(g => (
              <Cell
                key={g.group}
                fill={
                  g.withinLimit === false
                    ? theme.palette.error.main
                    : theme.palette.primary.main
                }
              />
            ))}
          </Bar>
          {lowestAllowed !== undefined && (
            <ReferenceLine
              y={lowestAllowed}
              stroke={theme.palette.error.main}
              strokeDasharray="6 4"
              label={{
                value: `lowest allowed ${formatMetric(lowestAllowed)}`,
                position: 'insideTopRight',
              }}
            />
          )}
        </BarChart>
      )}
      table={
        <Table
          size="small"
          aria-label={`Selection rate per group of version ${version}`}
        >
          <TableHead>
            <TableRow>
              <TableCell>Group</TableCell>
              <TableCell align="right">Rows</TableCell>
              <TableCell align="right">Selection rate</TableCell>
              <TableCell>Within allowed disparity</TableCell>
            </TableRow>
          </TableHead>
          <TableBody>
            {groups.map(g => (
              <TableRow key={g.group}>
                <TableCell>{g.group}</TableCell>
                <TableCell align="right">{g.count}</TableCell>
                <TableCell align="right">
                  {formatMetric(g.selectionRate)}
                </TableCell>
                <TableCell>
                  {WITHIN_LIMIT_WORDS[String(g.withinLimit)]}
                </TableCell>
              </TableRow>
            ))}
          </TableBody>
        </Table>
      }
    />
  );
}
