import { InputError } from '@backstage/errors';

/** What a hub cursor carries: the query it continues, phase, catalog cursor, total. */
export interface HubCursor {
  /** The original query string (re-validated on every page). */
  qs: Record<string, unknown>;
  /** 1: models with a value in the sort column; 2: models without one. */
  phase: 1 | 2;
  /** The catalog's cursor within the phase. */
  c?: string;
  /** Total matches, computed on the first page. */
  t: number;
}

/** The opaque `nextCursor` of a search page. */
export function encodeCursor(cursor: HubCursor): string {
  return Buffer.from(JSON.stringify(cursor), 'utf8').toString('base64url');
}

/** A `cursor` parameter back as a {@link HubCursor}; one-line InputError when forged or damaged. */
export function decodeCursor(raw: string): HubCursor {
  try {
    const c = JSON.parse(Buffer.from(raw, 'base64url').toString('utf8'));
    if (
      c &&
      typeof c === 'object' &&
      typeof c.qs === 'object' &&
      c.qs !== null &&
      (c.phase === 1 || c.phase === 2) &&
      (c.c === undefined || typeof c.c === 'string') &&
      typeof c.t === 'number'
    ) {
      return c as HubCursor;
    }
  } catch {
    // fall through
  }
  throw new InputError(
    'Invalid cursor: pass the nextCursor of a previous page unchanged',
  );
}
