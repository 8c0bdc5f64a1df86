import { ReactNode } from 'react';
import {
  EmptyState,
  InfoCard,
  Progress,
  ResponseErrorPanel,
} from '@backstage/core-components';
import Table from '@material-ui/core/Table';
import TableBody from '@material-ui/core/TableBody';
import TableCell from '@material-ui/core/TableCell';
import TableHead from '@material-ui/core/TableHead';
import TableRow from '@material-ui/core/TableRow';

/** Right-aligned (numeric) columns keep their header on one line. */
const noWrap = (align?: 'left' | 'right') =>
  align === 'right' ? { whiteSpace: 'nowrap' as const } : undefined;

/** One column of an {@link EntityTableCard}. */
export interface EntityTableColumn<T> {
  title: string;
  render: (row: T) => ReactNode;
  /** Numbers read best right-aligned; such columns never wrap their header or values. */
  align?: 'left' | 'right';
}

/** Props of {@link EntityTableCard}. */
export interface EntityTableCardProps<T> {
  title: string;
  /** The table's accessible name. */
  label: string;
  /** The rows as they load (`useAsync`'s state). */
  state: { loading: boolean; error?: Error; value?: T[] };
  columns: EntityTableColumn<T>[];
  rowKey: (row: T) => string;
  /** What an empty list says, and what to do next. */
  empty: { title: string; description: string };
}

/**
 * An entity card holding a small table of catalog entities: progress while
 * loading, the error panel, an empty state that says what to do, else one
 * row per entity. Shared by the cards that list models or their consumers.
 */
export function EntityTableCard<T>(props: EntityTableCardProps<T>) {
  const { state, columns } = props;
  let content: ReactNode;
  if (state.loading) {
    content = <Progress />;
  } else if (state.error) {
    content = <ResponseErrorPanel error={state.error} />;
  } else if (!state.value || state.value.length === 0) {
    content = (
      <EmptyState
        missing="data"
        title={props.empty.title}
        description={props.empty.description}
      />
    );
  } else {
    content = (
      <Table size="small" aria-label={props.label}>
        <TableHead>
          <TableRow>
            {columns.map(c => (
              <TableCell key={c.title} align={c.align} style={noWrap(c.align)}>
                {c.title}
              </TableCell>
            ))}
          </TableRow>
        </TableHead>
        <TableBody>
          {state.value.map(row => (
            <TableRow key={props.rowKey(row)}>
              {columns.map(c => (
                <TableCell
                  key={c.title}
                  align={c.align}
                  style={noWrap(c.align)}
                >
                  {c.render(row)}
                </TableCell>
              ))}
            </TableRow>
          ))}
        </TableBody>
      </Table>
    );
  }
  return <InfoCard title={props.title}>{content}</InfoCard>;
}
