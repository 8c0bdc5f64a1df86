import { Knex } from 'knex';

/**
 * Statements of the backend's background work: the gauntlet worker's queue
 * polls and leases, and the scheduler's task table.
 */
export const BACKGROUND_STATEMENTS = /gauntlet_runs|backstage_backend_tasks/;

/**
 * Runs `fn` and counts the SQL statements `db` sent meanwhile.
 *
 * `ignore` leaves out statements of the backend's own background work that
 * share the database (`BACKGROUND_STATEMENTS`): they land in the window at random on a loaded machine and are
 * not the cost of `fn`. `statements` lists what was counted, for messages.
 */
export async function countQueries<T>(
  db: Knex,
  fn: () => Promise<T>,
  options: { ignore?: RegExp } = {},
): Promise<{ value: T; count: number; statements: string[] }> {
  const statements: string[] = [];
  const listener = (query: { sql?: string }) => {
    const sql = String(query.sql ?? '');
    if (options.ignore?.test(sql)) return;
    statements.push(sql);
  };
  db.on('query', listener);
  try {
    const value = await fn();
    return { value, count: statements.length, statements };
  } finally {
    db.removeListener('query', listener);
  }
}
