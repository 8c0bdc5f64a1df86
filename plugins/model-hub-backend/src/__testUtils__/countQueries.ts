import { Knex } from 'knex';

/** Runs `fn` and counts the SQL statements `db` sent meanwhile. */
export async function countQueries<T>(
  db: Knex,
  fn: () => Promise<T>,
): Promise<{ value: T; count: number }> {
  let count = 0;
  const listener = () => {
    count += 1;
  };
  db.on('query', listener);
  try {
    const value = await fn();
    return { value, count };
  } finally {
    db.removeListener('query', listener);
  }
}
