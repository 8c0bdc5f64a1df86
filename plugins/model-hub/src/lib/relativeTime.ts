const UNITS: Array<[Intl.RelativeTimeFormatUnit, number]> = [
  ['year', 365 * 24 * 3600],
  ['month', 30 * 24 * 3600],
  ['week', 7 * 24 * 3600],
  ['day', 24 * 3600],
  ['hour', 3600],
  ['minute', 60],
];

/** One formatter for every call: building one costs more than formatting. */
const FORMAT = new Intl.RelativeTimeFormat('en', { numeric: 'auto' });

/**
 * A date relative to `now` for tables, e.g. `3 weeks ago` or `yesterday`;
 * `undefined` for an unparseable date.
 */
export function relativeTime(
  value: string | Date,
  now: Date = new Date(),
): string | undefined {
  const date = value instanceof Date ? value : new Date(value);
  if (Number.isNaN(date.getTime())) return undefined;
  const seconds = (date.getTime() - now.getTime()) / 1000;
  for (const [unit, size] of UNITS) {
    if (Math.abs(seconds) >= size) {
      return FORMAT.format(Math.round(seconds / size), unit);
    }
  }
  return 'just now';
}
