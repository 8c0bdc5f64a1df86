import { mockServices, TestDatabases } from '@backstage/backend-test-utils';
import { ImportStore } from './ImportStore';

jest.setTimeout(60_000);

const databases = TestDatabases.create({ ids: ['SQLITE_3', 'POSTGRES_16'] });
const T0 = new Date('2026-12-08T06:00:00.000Z');
const target = {
  entityRef: 'model:default/mlflow-prod-fraud',
  version: '3.0.0',
  source: 'mlflow:prod',
  remoteId: 'fraud',
  remoteVersion: '3',
};
const HOUR = 60 * 60 * 1000;

describe.each(databases.eachSupportedId())('ImportStore on %s', databaseId => {
  let store: ImportStore;

  beforeAll(async () => {
    const knex = await databases.init(databaseId);
    store = await ImportStore.create({
      database: mockServices.database({ knex, migrations: { skip: false } }),
    });
  });

  it('lets one of several concurrent attempts run, then keeps a finished import', async () => {
    const attempts = await Promise.all(
      ['user:default/a', 'user:default/b', 'user:default/c'].map(who =>
        store.claim(target, who, { now: T0, staleAfterMs: HOUR }),
      ),
    );
    expect(attempts.filter(a => a.claimed)).toHaveLength(1);
    expect(attempts[0].current.state).toBe('importing');

    const done = await store.finish(target.entityRef, target.version, {
      now: new Date(T0.getTime() + 1000),
    });
    expect(done).toMatchObject({
      state: 'imported',
      finishedAt: '2026-12-08T06:00:01.000Z',
    });
    const again = await store.claim(target, 'user:default/d', {
      now: new Date(T0.getTime() + 3 * HOUR),
      staleAfterMs: HOUR,
    });
    expect(again.claimed).toBe(false);
    expect(again.current.state).toBe('imported');
  });

  it('retries a failed import, and takes over one whose replica died', async () => {
    const other = { ...target, version: '4.0.0', remoteVersion: '4' };
    await store.claim(other, 'user:default/a', { now: T0, staleAfterMs: HOUR });
    const failed = await store.finish(other.entityRef, other.version, {
      error: 'Could not reach mlflow:prod',
      now: T0,
    });
    expect(failed).toMatchObject({
      state: 'failed',
      error: 'Could not reach mlflow:prod',
    });
    const retry = await store.claim(other, 'user:default/b', {
      now: T0,
      staleAfterMs: HOUR,
    });
    expect(retry).toMatchObject({
      claimed: true,
      current: { state: 'importing', requestedBy: 'user:default/b' },
    });
    expect(retry.current.error).toBeUndefined();
    // Still running within the hour: refused; after it: taken over.
    const early = await store.claim(other, 'user:default/c', {
      now: new Date(T0.getTime() + HOUR / 2),
      staleAfterMs: HOUR,
    });
    expect(early.claimed).toBe(false);
    const late = await store.claim(other, 'user:default/c', {
      now: new Date(T0.getTime() + 2 * HOUR),
      staleAfterMs: HOUR,
    });
    expect(late.claimed).toBe(true);
    expect((await store.list(target.entityRef)).map(i => i.version)).toEqual([
      '4.0.0',
      '3.0.0',
    ]);
  });
});
