import { ReactNode } from 'react';
import {
  EntryChange,
  SetComparison,
  VersionComparison,
} from '@internal/plugin-model-hub-common';
import Grid from '@material-ui/core/Grid';
import Table from '@material-ui/core/Table';
import TableBody from '@material-ui/core/TableBody';
import TableCell from '@material-ui/core/TableCell';
import TableHead from '@material-ui/core/TableHead';
import TableRow from '@material-ui/core/TableRow';
import Typography from '@material-ui/core/Typography';
import { formatBytes, shortSha } from '../../lib/format';
import { ChangeLabel } from './ChangeLabel';

/** A metric value for people: at most four decimals. */
export function formatMetric(value: number | undefined): string {
  if (value === undefined) return '—';
  return String(Math.round(value * 10000) / 10000);
}

function signed(delta: number): string {
  const v = formatMetric(delta);
  return delta > 0 ? `+${v}` : v;
}

function Section(props: { title: string; children: ReactNode }) {
  return (
    <Grid item xs={12} component="section" aria-label={props.title}>
      <Typography variant="h6" component="h3">
        {props.title}
      </Typography>
      {props.children}
    </Grid>
  );
}

const STATUS_WORDS: Record<string, string> = {
  pass: 'passed',
  warn: 'warning',
  fail: 'failed',
  error: 'error',
  'not-applicable': 'not applicable',
};

function SetTable<T>(props: {
  label: string;
  set: SetComparison<T>;
  describe(t: T): string;
  noun: string;
}) {
  const { set, describe, label, noun } = props;
  const rows: Array<[string, EntryChange<T>]> = [
    ...set.added.map(e => ['added', e] as [string, EntryChange<T>]),
    ...set.removed.map(e => ['removed', e] as [string, EntryChange<T>]),
    ...set.changed.map(e => ['changed', e] as [string, EntryChange<T>]),
  ];
  return (
    <>
      <Typography variant="body2" color="textSecondary">
        {set.added.length} added, {set.removed.length} removed,{' '}
        {set.changed.length} changed, {set.unchanged} unchanged {noun}
      </Typography>
      {rows.length > 0 && (
        <Table size="small" aria-label={label}>
          <TableHead>
            <TableRow>
              <TableCell>Change</TableCell>
              <TableCell>Name</TableCell>
              <TableCell>A</TableCell>
              <TableCell>B</TableCell>
            </TableRow>
          </TableHead>
          <TableBody>
            {rows.map(([change, e]) => (
              <TableRow key={`${change}-${e.key}`}>
                <TableCell>{change}</TableCell>
                <TableCell style={{ wordBreak: 'break-all' }}>
                  <code>{e.key}</code>
                </TableCell>
                <TableCell>{e.a ? describe(e.a) : '—'}</TableCell>
                <TableCell>{e.b ? describe(e.b) : '—'}</TableCell>
              </TableRow>
            ))}
          </TableBody>
        </Table>
      )}
    </>
  );
}

/** The comparison of two versions as tables, each readable without colour. */
export function CompareTables(props: { comparison: VersionComparison }) {
  const c = props.comparison;
  return (
    <Grid container spacing={3}>
      <Section title="Tier and licence">
        <Table size="small" aria-label="Tier and licence">
          <TableHead>
            <TableRow>
              <TableCell />
              <TableCell>A: {c.a}</TableCell>
              <TableCell>B: {c.b}</TableCell>
              <TableCell>Change</TableCell>
            </TableRow>
          </TableHead>
          <TableBody>
            {(
              [
                ['Tier checked', c.tier],
                ['Licence', c.license],
              ] as const
            ).map(([label, v]) => (
              <TableRow key={label}>
                <TableCell component="th" scope="row">
                  {label}
                </TableCell>
                <TableCell>{v.a ?? 'not checked'}</TableCell>
                <TableCell>{v.b ?? 'not checked'}</TableCell>
                <TableCell>
                  <ChangeLabel direction={v.changed ? 'changed' : 'same'} />
                </TableCell>
              </TableRow>
            ))}
          </TableBody>
        </Table>
      </Section>
      <Section title="Metrics">
        {c.metrics.length === 0 ? (
          <Typography variant="body2">
            Neither version has metrics from a completed gauntlet run.
          </Typography>
        ) : (
          <Table size="small" aria-label="Metrics compared">
            <TableHead>
              <TableRow>
                <TableCell>Metric</TableCell>
                <TableCell align="right">A: {c.a}</TableCell>
                <TableCell align="right">B: {c.b}</TableCell>
                <TableCell>Delta</TableCell>
                <TableCell align="right">Tier threshold</TableCell>
              </TableRow>
            </TableHead>
            <TableBody>
              {c.metrics.map(m => (
                <TableRow key={m.name}>
                  <TableCell component="th" scope="row">
                    {m.name}{' '}
                    <Typography variant="caption" color="textSecondary">
                      ({m.higherIsBetter ? 'higher' : 'lower'} is better)
                    </Typography>
                  </TableCell>
                  <TableCell align="right">{formatMetric(m.a)}</TableCell>
                  <TableCell align="right">{formatMetric(m.b)}</TableCell>
                  <TableCell>
                    <ChangeLabel
                      direction={m.direction}
                      text={m.delta !== undefined ? signed(m.delta) : undefined}
                    />
                  </TableCell>
                  <TableCell align="right">
                    {m.threshold === undefined
                      ? '—'
                      : `${m.higherIsBetter ? '≥' : '≤'} ${formatMetric(
                          m.threshold,
                        )}`}
                  </TableCell>
                </TableRow>
              ))}
            </TableBody>
          </Table>
        )}
      </Section>
      <Section title="Gauntlet checks">
        {c.checks.length === 0 ? (
          <Typography variant="body2">
            Neither version has a completed gauntlet run.
          </Typography>
        ) : (
          <Table size="small" aria-label="Gauntlet checks compared">
            <TableHead>
              <TableRow>
                <TableCell>Check</TableCell>
                <TableCell>A: {c.a}</TableCell>
                <TableCell>B: {c.b}</TableCell>
                <TableCell>Change</TableCell>
              </TableRow>
            </TableHead>
            <TableBody>
              {c.checks.map(x => (
                <TableRow key={x.checkId}>
                  <TableCell component="th" scope="row">
                    {x.checkId}
                  </TableCell>
                  <TableCell title={x.summaryA}>
                    {x.a ? STATUS_WORDS[x.a] ?? x.a : '—'}
                  </TableCell>
                  <TableCell title={x.summaryB}>
                    {x.b ? STATUS_WORDS[x.b] ?? x.b : '—'}
                    {x.summaryB && (
                      <Typography
                        variant="caption"
                        color="textSecondary"
                        component="div"
                      >
                        {x.summaryB}
                      </Typography>
                    )}
                  </TableCell>
                  <TableCell>
                    <ChangeLabel direction={x.direction} />
                  </TableCell>
                </TableRow>
              ))}
            </TableBody>
          </Table>
        )}
      </Section>
      <Section title="Dependencies">
        <SetTable
          label="Dependencies compared"
          set={c.dependencies}
          noun="dependencies"
          describe={d => `${d.name}${d.specifier}` || d.name}
        />
      </Section>
      <Section title="Files">
        <SetTable
          label="Files compared"
          set={c.files}
          noun="files"
          describe={f => `${formatBytes(f.size)}, ${shortSha(f.sha256)}`}
        />
      </Section>
    </Grid>
  );
}
