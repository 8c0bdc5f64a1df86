/** An inclusive byte range within a file. */
export interface Range {
  start: number;
  end: number;
}

/**
 * Parses a `Range` header for a file of `size` bytes. Returns undefined when
 * there is no usable single byte range (absent, malformed or multiple
 * ranges: the whole file is sent), `'unsatisfiable'` for a range outside the
 * file (416), else the range clamped to the file.
 */
export function parseRange(
  header: string | undefined,
  size: number,
): Range | 'unsatisfiable' | undefined {
  if (!header) return undefined;
  const match = /^bytes=(\d*)-(\d*)$/.exec(header.trim());
  if (!match) return undefined;
  const [, first, last] = match;
  if (first === '' && last === '') return undefined;
  if (first === '') {
    // Suffix range: the last N bytes.
    const length = Number(last);
    if (length === 0 || size === 0) return 'unsatisfiable';
    return { start: Math.max(0, size - length), end: size - 1 };
  }
  const start = Number(first);
  const end = last === '' ? size - 1 : Math.min(Number(last), size - 1);
  if (last !== '' && Number(last) < start) return undefined;
  if (start >= size) return 'unsatisfiable';
  return { start, end };
}

/** True when an `If-None-Match` header matches the (strong) `etag`. */
export function etagMatches(
  header: string | string[] | undefined,
  etag: string,
): boolean {
  if (header === undefined) return false;
  const values = (Array.isArray(header) ? header.join(',') : header)
    .split(',')
    .map(v => v.trim());
  return values.some(v => v === '*' || v === etag || v === `W/${etag}`);
}
