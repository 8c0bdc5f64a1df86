import { mockServices, TestDatabases } from '@backstage/backend-test-utils';
import { Entity } from '@backstage/catalog-model';
import { DeltaTracker } from './DeltaTracker';
import { DatabaseIngestionStateStore } from './IngestionStateStore';

jest.setTimeout(60_000);

const databases = TestDatabases.create({ ids: ['SQLITE_3', 'POSTGRES_16'] });

const model = (name: string, description = ''): Entity => ({
  apiVersion: 'modelhub.io/v1alpha1',
  kind: 'Model',
  metadata: { name, description, annotations: {} },
  spec: { owner: 'group:default/a', lifecycle: 'production' },
});

describe.each(databases.eachSupportedId())('ingestion state on %p', id => {
  it('lets a restarted tracker emit only what changed, including removals while it was down', async () => {
    const knex = await databases.init(id);
    const database = mockServices.database({
      knex,
      migrations: { skip: false },
    });
    const store = await DatabaseIngestionStateStore.create({ database });

    const first = new DeltaTracker('model-hub-ingestion:mlflow:prod', store);
    await first.ready();
    const names = Array.from({ length: 400 }, (_, i) => `m-${i}`);
    const all = new Map(names.map(n => [n, model(n)]));
    const plan1 = first.plan(all, '2026-12-06T00:00:00.000Z');
    expect(plan1.added).toHaveLength(400);
    await plan1.commit();

    // A new process: same database, nothing in memory.
    const second = new DeltaTracker(
      'model-hub-ingestion:mlflow:prod',
      await DatabaseIngestionStateStore.create({ database }),
    );
    await second.ready();
    expect(second.size).toBe(400);
    const next = new Map(all);
    next.delete('m-7'); // removed upstream while the backend was down
    next.set('m-8', model('m-8', 'retrained'));
    const plan2 = second.plan(next, '2026-12-07T00:00:00.000Z');
    expect(plan2.removedUpstream).toEqual(['m-7']);
    expect(plan2.added.map(d => d.entity.metadata.name).sort()).toEqual([
      'm-7',
      'm-8',
    ]);
    await plan2.commit();

    // Another source's key is separate; a third start sees the deprecation.
    const other = new DeltaTracker('model-hub-ingestion:mlflow:dev', store);
    await other.ready();
    expect(other.size).toBe(0);
    const third = new DeltaTracker('model-hub-ingestion:mlflow:prod', store);
    await third.ready();
    const removed = third.previous('m-7')!;
    expect(removed.spec?.lifecycle).toBe('deprecated');
    expect(third.plan(next, '2026-12-08T00:00:00.000Z').added).toEqual([]);
    await knex.destroy();
  });
});
