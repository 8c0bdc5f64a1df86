import {
  mockServices,
  registerMswTestHooks,
} from '@backstage/backend-test-utils';
import { Entity } from '@backstage/catalog-model';
import { http, HttpResponse } from 'msw';
import { setupServer } from 'msw/node';
import { ModelHubDeprecationSnapshot } from './ModelHubDeprecationSnapshot';
import { ModelHubLifecycleProcessor } from './ModelHubLifecycleProcessor';

const HUB = 'http://localhost:0/api/model-hub';
const server = setupServer();
registerMswTestHooks(server);

const model = (name: string): Entity => ({
  apiVersion: 'modelhub.io/v1alpha1',
  kind: 'Model',
  metadata: { name, namespace: 'default' },
  spec: {
    type: 'classifier',
    task: 'text-classification',
    owner: 'group:default/ml-team',
    lifecycle: 'production',
    tier: 'community',
    license: 'MIT',
  },
});

/** A fake hub that counts every request it answers. */
function countingHub(deprecated: string[]) {
  const counts = { list: 0, single: 0 };
  server.use(
    http.get(`${HUB}/v1/deprecations`, async () => {
      counts.list += 1;
      await new Promise(r => setTimeout(r, 20));
      return HttpResponse.json({
        items: deprecated.map(name => ({
          entityRef: `model:default/${name}`,
          reason: 'Replaced',
          deprecatedBy: 'user:default/alice',
          deprecatedAt: '2026-12-01T10:00:00.000Z',
        })),
      });
    }),
    http.get(`${HUB}/v1/models/:ns/:name/deprecation`, () => {
      counts.single += 1;
      return HttpResponse.json({}, { status: 404 });
    }),
  );
  return counts;
}

describe('ModelHubDeprecationSnapshot', () => {
  it('processes 1,000 models with one request per refresh window, not one per model', async () => {
    const counts = countingHub(['m7', 'm500']);
    let now = 0;
    const processor = new ModelHubLifecycleProcessor(
      new ModelHubDeprecationSnapshot({
        discovery: mockServices.discovery(),
        auth: mockServices.auth({ pluginId: 'catalog' }),
        refreshMs: 5000,
        now: () => now,
      }),
    );
    const models = Array.from({ length: 1000 }, (_, i) => model(`m${i}`));
    // One processing loop, entities processed concurrently as the catalog does.
    const out = await Promise.all(
      models.map(m => processor.preProcessEntity(m)),
    );
    expect(counts).toEqual({ list: 1, single: 0 });
    expect(
      out
        .filter(e => e.spec?.lifecycle === 'deprecated')
        .map(e => e.metadata.name),
    ).toEqual(['m7', 'm500']);

    // Within the window: no request; after it: one more for the next loop.
    now = 4000;
    await Promise.all(models.map(m => processor.preProcessEntity(m)));
    expect(counts.list).toBe(1);
    now = 5001;
    await Promise.all(models.map(m => processor.preProcessEntity(m)));
    expect(counts).toEqual({ list: 2, single: 0 });
  });

  it('fails processing (keeping the last state) while the hub cannot be asked, and recovers', async () => {
    let up = false;
    server.use(
      http.get(`${HUB}/v1/deprecations`, () =>
        up
          ? HttpResponse.json({ items: [] })
          : HttpResponse.json({ error: 'down' }, { status: 503 }),
      ),
    );
    const processor = new ModelHubLifecycleProcessor(
      new ModelHubDeprecationSnapshot({
        discovery: mockServices.discovery(),
        auth: mockServices.auth({ pluginId: 'catalog' }),
        refreshMs: 60_000,
      }),
    );
    await expect(processor.preProcessEntity(model('m1'))).rejects.toThrow(
      /Could not read the Model Hub lifecycle of model:default\/m1.*HTTP 503/,
    );
    up = true;
    const out = await processor.preProcessEntity(model('m1'));
    expect(out.spec?.lifecycle).toBe('production');
  });

  it('reads a hub without the deprecations route as one without deprecations', async () => {
    server.use(
      http.get(`${HUB}/v1/deprecations`, () =>
        HttpResponse.json({ error: 'no route' }, { status: 404 }),
      ),
    );
    const snapshot = new ModelHubDeprecationSnapshot({
      discovery: mockServices.discovery(),
      auth: mockServices.auth({ pluginId: 'catalog' }),
    });
    expect(await snapshot.getDeprecation('model:default/x')).toBeUndefined();
  });

  it('rejects a malformed answer instead of un-deprecating every model', async () => {
    server.use(
      http.get(`${HUB}/v1/deprecations`, () =>
        HttpResponse.json({ items: [{ entityRef: 'model:default/x' }] }),
      ),
    );
    const snapshot = new ModelHubDeprecationSnapshot({
      discovery: mockServices.discovery(),
      auth: mockServices.auth({ pluginId: 'catalog' }),
    });
    await expect(snapshot.getDeprecation('model:default/x')).rejects.toThrow(
      /deprecation must have/,
    );
  });

  it('gives up on a load that never settles, then asks again', async () => {
    let calls = 0;
    const snapshot = new ModelHubDeprecationSnapshot({
      discovery: mockServices.discovery(),
      auth: mockServices.auth({ pluginId: 'catalog' }),
      timeoutMs: 50,
      // A fetch that ignores its abort signal and never answers.
      fetch: () => {
        calls += 1;
        return new Promise<Response>(() => {});
      },
    });
    await expect(snapshot.getDeprecation('model:default/x')).rejects.toThrow(
      'Reading model deprecations took longer than 1050 ms',
    );
    await expect(snapshot.getDeprecation('model:default/x')).rejects.toThrow(
      /took longer/,
    );
    expect(calls).toBe(2);
  });
});
