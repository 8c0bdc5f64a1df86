/** Milliseconds in a day (the rules count days as exact 24-hour spans). */
export const DAY_MS = 24 * 60 * 60 * 1000;

/**
 * Adds calendar months in UTC, keeping the time of day. When the target month
 * is shorter, the day is clamped to its last day: 2024-01-31 + 1 month is
 * 2024-02-29, 2023-08-31 + 18 months is 2025-02-28. Negative `months`
 * subtract.
 */
export function addMonthsUtc(date: Date, months: number): Date {
  assertValidDate(date, 'date');
  if (!Number.isInteger(months)) {
    throw new Error(`months must be an integer, got ${months}`);
  }
  const year = date.getUTCFullYear();
  const month = date.getUTCMonth() + months;
  const targetYear = year + Math.floor(month / 12);
  const targetMonth = ((month % 12) + 12) % 12;
  const lastDay = new Date(
    Date.UTC(targetYear, targetMonth + 1, 0),
  ).getUTCDate();
  const result = new Date(date.getTime());
  result.setUTCFullYear(
    targetYear,
    targetMonth,
    Math.min(date.getUTCDate(), lastDay),
  );
  return result;
}

/** Throws a clear error when `date` is not a valid `Date`. */
export function assertValidDate(date: unknown, what: string): void {
  if (!(date instanceof Date) || Number.isNaN(date.getTime())) {
    throw new Error(`${what} must be a valid Date, got ${String(date)}`);
  }
}

const ISO_DATE = /^(\d{4})-(\d{2})-(\d{2})$/;
const ISO_DATE_TIME =
  /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}(?::\d{2}(?:\.\d+)?)?(?:Z|[+-]\d{2}:\d{2})$/;

/**
 * Parses an ISO date (`YYYY-MM-DD`, read as midnight UTC) or an ISO
 * date-time with an explicit offset; returns `undefined` for anything else,
 * including impossible dates such as `2025-02-30`.
 */
export function parseIsoDate(value: string): Date | undefined {
  const trimmed = value.trim();
  const dateOnly = ISO_DATE.exec(trimmed);
  if (dateOnly) {
    const [y, m, d] = dateOnly.slice(1).map(Number);
    const date = new Date(Date.UTC(y, m - 1, d));
    return date.getUTCFullYear() === y &&
      date.getUTCMonth() === m - 1 &&
      date.getUTCDate() === d
      ? date
      : undefined;
  }
  if (ISO_DATE_TIME.test(trimmed)) {
    const date = new Date(trimmed);
    return Number.isNaN(date.getTime()) ? undefined : date;
  }
  return undefined;
}
