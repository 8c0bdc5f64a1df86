/** A timestamp as the supported databases return it. */
export type Timestamp = Date | string | number;

/** Parses the timestamp shapes of SQLite and PostgreSQL into a Date. */
export function toDate(value: Timestamp): Date {
  if (value instanceof Date) return value;
  if (typeof value === 'number') return new Date(value);
  if (/^\d+$/.test(value)) return new Date(Number(value));
  const normalized = /^\d{4}-\d{2}-\d{2} \d{2}:\d{2}:\d{2}(\.\d+)?$/.test(value)
    ? `${value.replace(' ', 'T')}Z`
    : value;
  return new Date(normalized);
}

/** Normalizes the timestamp shapes of the supported databases to ISO 8601. */
export function toIso(value: Timestamp): string {
  return toDate(value).toISOString();
}

/** The id of a row just inserted with `.returning('id')` (PostgreSQL gives objects). */
export function insertedId(inserted: unknown): number {
  return Number(
    typeof inserted === 'object' && inserted !== null
      ? (inserted as { id: number }).id
      : inserted,
  );
}
