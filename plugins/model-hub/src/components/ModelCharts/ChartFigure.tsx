import { ReactNode, useState } from 'react';
import Box from '@material-ui/core/Box';
import Button from '@material-ui/core/Button';
import Typography from '@material-ui/core/Typography';
import { visuallyHidden } from '../../lib/visuallyHidden';
import { useChartWidth } from './useChartWidth';

/**
 * A chart with its table: the table is always in the page for screen
 * readers (visually hidden), and a toggle shows it instead of the chart.
 */
export function ChartFigure(props: {
  title: string;
  description: string;
  /** The chart, drawn at the measured width. */
  chart: (width: number) => ReactNode;
  table: ReactNode;
}) {
  const [asTable, setAsTable] = useState(false);
  const [ref, width] = useChartWidth<HTMLDivElement>();
  return (
    <Box component="figure" m={0} mb={3} aria-label={props.title}>
      <Box display="flex" alignItems="center" justifyContent="space-between">
        <Typography variant="subtitle1" component="figcaption">
          {props.title}
        </Typography>
        <Button
          size="small"
          onClick={() => setAsTable(t => !t)}
          aria-pressed={asTable}
        >
          {asTable ? 'Show chart' : 'Show table'}
        </Button>
      </Box>
      <Typography variant="caption" color="textSecondary" component="p">
        {props.description}
      </Typography>
      <div ref={ref}>
        {!asTable && (
          <div role="img" aria-label={`${props.title}: ${props.description}`}>
            {props.chart(width)}
          </div>
        )}
      </div>
      <div style={asTable ? undefined : visuallyHidden}>{props.table}</div>
    </Box>
  );
}
