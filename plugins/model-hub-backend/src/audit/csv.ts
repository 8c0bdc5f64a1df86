import { AuditRecord } from '@internal/plugin-model-hub-common';

const COLUMNS = [
  'occurredAt',
  'eventId',
  'outcome',
  'actor',
  'entityRef',
  'team',
  'meta',
] as const;

/**
 * One CSV cell (RFC 4180 quoting). Cells starting with `=`, `+`, `-`, `@`,
 * tab or carriage return get a leading `'` so a spreadsheet never runs an
 * audit detail someone typed (a comment, a reason) as a formula.
 */
export function csvCell(value: unknown): string {
  let s = '';
  if (typeof value === 'string') s = value;
  else if (value !== undefined && value !== null) s = JSON.stringify(value);
  if (/^[=+\-@\t\r]/.test(s)) s = `'${s}`;
  return /[",\r\n]/.test(s) ? `"${s.replace(/"/g, '""')}"` : s;
}

/** The audit records as CSV with a header row. */
export function auditCsv(records: AuditRecord[]): string {
  const lines = [COLUMNS.join(',')];
  for (const r of records) {
    lines.push(COLUMNS.map(c => csvCell(r[c])).join(','));
  }
  return `${lines.join('\r\n')}\r\n`;
}
