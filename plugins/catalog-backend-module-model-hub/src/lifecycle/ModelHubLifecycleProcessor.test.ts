import {
  mockServices,
  registerMswTestHooks,
} from '@backstage/backend-test-utils';
import { Entity } from '@backstage/catalog-model';
import { http, HttpResponse, JsonBodyType } from 'msw';
import { setupServer } from 'msw/node';
import { ModelHubDeprecationClient } from './ModelHubDeprecationClient';
import { ModelHubLifecycleProcessor } from './ModelHubLifecycleProcessor';

const HUB = 'http://localhost:0/api/model-hub';
const route = (name: string) => `${HUB}/v1/models/default/${name}/deprecation`;

const server = setupServer();
registerMswTestHooks(server);

const deprecation = {
  entityRef: 'model:default/legacy-model',
  reason: 'Replaced by next-model',
  successor: 'model:default/next-model',
  deprecatedBy: 'user:default/alice',
  deprecatedAt: '2026-11-27T10:00:00.000Z',
};

function model(
  name: string,
  spec: Record<string, unknown> = {},
  annotations?: Record<string, string>,
): Entity {
  return {
    apiVersion: 'modelhub.io/v1alpha1',
    kind: 'Model',
    metadata: { name, namespace: 'default', annotations },
    spec: {
      type: 'classifier',
      task: 'text-classification',
      owner: 'group:default/ml-team',
      lifecycle: 'production',
      tier: 'community',
      license: 'MIT',
      ...spec,
    },
  };
}

function serve(name: string, body: JsonBodyType, status = 200) {
  const calls: string[] = [];
  server.use(
    http.get(route(name), ({ request }) => {
      calls.push(request.headers.get('authorization') ?? '');
      return HttpResponse.json(body, { status });
    }),
  );
  return calls;
}

const processor = new ModelHubLifecycleProcessor(
  new ModelHubDeprecationClient({
    discovery: mockServices.discovery(),
    auth: mockServices.auth({ pluginId: 'catalog' }),
    timeoutMs: 500,
  }),
);

describe('ModelHubLifecycleProcessor', () => {
  it('deprecates a model the hub deprecated, naming its successor, as the catalog plugin', async () => {
    const calls = serve('legacy-model', deprecation);
    const out = await processor.preProcessEntity(
      model('legacy-model', {}, { 'modelhub.io/upstream': 'https://x' }),
    );
    expect(out.spec).toMatchObject({
      lifecycle: 'deprecated',
      successor: 'model:default/next-model',
    });
    expect(out.metadata.annotations).toEqual({
      'modelhub.io/upstream': 'https://x',
      'modelhub.io/deprecated-at': '2026-11-27T10:00:00.000Z',
      'modelhub.io/deprecated-by': 'user:default/alice',
      'modelhub.io/deprecation-reason': 'Replaced by next-model',
    });
    expect(
      JSON.parse(calls[0].slice('Bearer mock-service-token:'.length)),
    ).toMatchObject({ sub: 'plugin:catalog', target: 'model-hub' });
  });

  it('keeps an archived model archived and its own successor when the hub names none', async () => {
    serve('old-model', { ...deprecation, successor: undefined });
    const out = await processor.preProcessEntity(
      model('old-model', {
        lifecycle: 'archived',
        successor: 'model:default/yaml-successor',
      }),
    );
    expect(out.spec).toMatchObject({
      lifecycle: 'archived',
      successor: 'model:default/yaml-successor',
    });
  });

  it('leaves a model the hub has not deprecated as it is, minus claimed deprecation annotations', async () => {
    serve('fine-model', { error: { name: 'NotFoundError' } }, 404);
    const input = model(
      'fine-model',
      {},
      {
        'modelhub.io/deprecated-by': 'user:default/mallory',
        'modelhub.io/upstream': 'https://x',
      },
    );
    const out = await processor.preProcessEntity(input);
    expect(out.spec).toEqual(input.spec);
    expect(out.metadata.annotations).toEqual({
      'modelhub.io/upstream': 'https://x',
    });
  });

  it('fails processing with a clear error when the hub is unreachable', async () => {
    server.use(http.get(route('lost-model'), () => HttpResponse.error()));
    await expect(
      processor.preProcessEntity(model('lost-model')),
    ).rejects.toThrow(
      /^Could not read the Model Hub lifecycle of model:default\/lost-model, keeping its last processed state: /,
    );
  });

  it('fails processing when the hub answers an error or a malformed deprecation', async () => {
    serve('broken-model', { error: { message: 'boom' } }, 500);
    await expect(
      processor.preProcessEntity(model('broken-model')),
    ).rejects.toThrow('HTTP 500');
    serve('odd-model', { reason: 42 });
    await expect(
      processor.preProcessEntity(model('odd-model')),
    ).rejects.toThrow('deprecation must have string entityRef');
  });

  it('ignores other kinds without asking the hub', async () => {
    const component: Entity = {
      apiVersion: 'backstage.io/v1alpha1',
      kind: 'Component',
      metadata: { name: 'svc' },
      spec: { lifecycle: 'production' },
    };
    // msw fails unhandled requests, so a call would surface here.
    expect(await processor.preProcessEntity(component)).toBe(component);
  });
});
