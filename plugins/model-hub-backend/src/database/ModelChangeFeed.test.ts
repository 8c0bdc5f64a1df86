import { TestDatabases } from '@backstage/backend-test-utils';
import { Knex } from 'knex';
import { migrateModelHub } from './migrate';
import { ModelCache } from './ModelCache';
import { ModelChange, ModelChangeFeed } from './ModelChangeFeed';

jest.setTimeout(120_000);

const databases = TestDatabases.create({ ids: ['SQLITE_3', 'POSTGRES_16'] });

const REF = 'model:default/m1';
const OTHER = 'model:default/m2';

/** A feed over `db` and what it told its listener. */
function feedOf(
  db: Knex,
  options: { clock?: () => number; gapMs?: number } = {},
) {
  const feed = new ModelChangeFeed({ db, ...options });
  const changes: ModelChange[] = [];
  feed.subscribe(c => changes.push(c));
  return { feed, changes };
}

/** A model change written as a trigger would: a row of the events table. */
const event = (conn: Knex, ref: string) =>
  conn('gauntlet_tier_events').insert({
    entity_ref: ref,
    created_at: new Date(),
  });

describe.each(databases.eachSupportedId())('ModelChangeFeed on %s', id => {
  let db: Knex;

  beforeAll(async () => {
    db = await databases.init(id);
    await migrateModelHub(db);
  });

  it('does not keep a value loaded while an event of its model was applied (the read/invalidate race)', async () => {
    const { feed } = feedOf(db);
    const cache = new ModelCache<string>({
      feed,
      maxEntries: 10,
      ttlMs: 60_000,
    });
    await feed.sync();
    let stored = 'old';
    const loads: string[] = [];
    const value = await cache.get(REF, 'k', async () => {
      const read = stored; // the load read the row ...
      stored = 'new'; // ... then a write committed, with its event ...
      await event(db, REF);
      await cache.get(OTHER, 'k', async () => 'x'); // ... applied by another lookup
      loads.push(read);
      return read;
    });
    expect(value).toBe('old');
    // The next lookup loads again instead of serving 'old' for the TTL.
    expect(
      await cache.get(REF, 'k', async () => {
        loads.push(stored);
        return stored;
      }),
    ).toBe('new');
    expect(loads).toEqual(['old', 'new']);
    // Unrelated models' loads are kept.
    expect(await cache.get(OTHER, 'k', async () => 'y')).toBe('x');
  });

  it('drops a model’s entries on its event, keeps them until then, and is bounded', async () => {
    let now = 1_000;
    const { feed } = feedOf(db);
    const cache = new ModelCache<number>({
      feed,
      maxEntries: 3,
      ttlMs: 10_000,
      clock: () => now,
    });
    let loads = 0;
    const load = async () => ++loads;
    expect(await cache.get(REF, 'a', load)).toBe(1);
    expect(await cache.get(REF, 'b', load)).toBe(2);
    expect(await cache.get(REF, 'a', load)).toBe(1);
    await event(db, OTHER);
    expect(await cache.get(REF, 'a', load)).toBe(1);
    await event(db, REF);
    expect(await cache.get(REF, 'a', load)).toBe(3);
    expect(await cache.get(REF, 'b', load)).toBe(4);
    // The TTL backstop.
    now += 10_000;
    expect(await cache.get(REF, 'a', load)).toBe(5);
    // At most three entries: the least recently used goes.
    await cache.get('model:default/x', 'a', load); // 6
    await cache.get('model:default/y', 'a', load); // 7, evicts REF/b
    expect(cache.size).toBe(3);
    expect(await cache.get(REF, 'a', load)).toBe(5);
    expect(await cache.get(REF, 'b', load)).toBe(8);
  });

  it('prunes events older than retainMs, dated by the triggers as by knex', async () => {
    // A trigger's row: a version inserted for a model.
    await db('model_versions').insert({
      entity_ref: 'model:default/pruned',
      version: '1.0.0',
      state: 'draft',
      created_by: 'user:default/a',
      created_at: new Date(),
    });
    const triggered = await db('gauntlet_tier_events').where({
      entity_ref: 'model:default/pruned',
    });
    expect(triggered).toHaveLength(1);
    const feed = new ModelChangeFeed({ db, retainMs: 200 });
    await feed.sync();
    await new Promise(r => setTimeout(r, 400));
    await event(db, REF); // newer than retainMs: kept
    await feed.sync();
    const left = await db('gauntlet_tier_events').select('entity_ref');
    expect(left.map(r => r.entity_ref)).toEqual([REF]);
  });
});

// SQLite has one writer (ids commit in order) and reuses a rolled-back id:
// out-of-order commits and permanent gaps are PostgreSQL's.
describe.each(
  databases.eachSupportedId().filter(([id]) => id === 'POSTGRES_16'),
)('ModelChangeFeed gaps on %s', id => {
  let db: Knex;

  beforeAll(async () => {
    db = await databases.init(id);
    await migrateModelHub(db);
  });

  it('sees an event whose transaction committed after a later one’s (ids out of order)', async () => {
    const { feed, changes } = feedOf(db);
    await feed.sync();
    const tx = await db.transaction();
    try {
      await event(tx, REF); // takes id n, not yet visible
      await event(db, OTHER); // takes id n + 1, committed
      await feed.sync();
      expect(changes).toEqual([{ all: true }, { entityRef: OTHER }]);
      await tx.commit();
    } catch (e) {
      await tx.rollback();
      throw e;
    }
    await feed.sync();
    expect(changes).toEqual([
      { all: true },
      { entityRef: OTHER },
      { entityRef: REF },
    ]);
    // Only the gap is re-read: nothing is told twice.
    await feed.sync();
    expect(changes).toHaveLength(3);
  });

  it('tells everything changed when a missing id never shows up (rolled back, pruned, or open too long)', async () => {
    let now = 0;
    const { feed, changes } = feedOf(db, { clock: () => now, gapMs: 5_000 });
    await feed.sync();
    const tx = await db.transaction();
    await event(tx, REF);
    await event(db, OTHER);
    await tx.rollback();
    await feed.sync();
    expect(changes).toEqual([{ all: true }, { entityRef: OTHER }]);
    now += 4_000;
    await feed.sync();
    expect(changes).toHaveLength(2);
    now += 2_000;
    await feed.sync();
    expect(changes).toEqual([
      { all: true },
      { entityRef: OTHER },
      { all: true },
    ]);
  });
});
