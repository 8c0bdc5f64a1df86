import {
  mockServices,
  registerMswTestHooks,
} from '@backstage/backend-test-utils';
import { EntityProviderConnection } from '@backstage/plugin-catalog-node';
import { http, HttpResponse, JsonBodyType } from 'msw';
import { setupServer } from 'msw/node';
import {
  ModelHubEntityProvider,
  parseRegisteredModels,
} from './ModelHubEntityProvider';

const HUB = 'http://localhost:0/api/model-hub';
const ROUTE = `${HUB}/v1/registered-models`;

const server = setupServer();
registerMswTestHooks(server);

const registered = {
  entityRef: 'model:default/invoice-extractor',
  entity: {
    apiVersion: 'modelhub.io/v1alpha1',
    kind: 'Model',
    metadata: {
      name: 'invoice-extractor',
      namespace: 'default',
      annotations: { 'modelhub.io/upstream': 'https://example.com/x' },
    },
    spec: {
      type: 'llm',
      task: 'text-generation',
      owner: 'group:default/ml-team',
      lifecycle: 'experimental',
      tier: 'community',
      license: 'Apache-2.0',
    },
  },
  createdBy: 'user:default/alice',
  createdAt: '2026-11-27T10:00:00.000Z',
  updatedBy: 'user:default/alice',
  updatedAt: '2026-11-27T10:00:00.000Z',
};

function serve(body: JsonBodyType, status = 200) {
  const calls: string[] = [];
  server.use(
    http.get(ROUTE, ({ request }) => {
      calls.push(request.headers.get('authorization') ?? '');
      return HttpResponse.json(body, { status });
    }),
  );
  return calls;
}

async function setup() {
  const logger = mockServices.logger.mock();
  const scheduler = mockServices.scheduler.mock();
  const connection: jest.Mocked<EntityProviderConnection> = {
    applyMutation: jest.fn(),
    refresh: jest.fn(),
  };
  const provider = new ModelHubEntityProvider({
    discovery: mockServices.discovery(),
    auth: mockServices.auth({ pluginId: 'catalog' }),
    logger,
    scheduler,
    refreshSeconds: 5,
    timeoutMs: 500,
  });
  await provider.connect(connection);
  return { logger, scheduler, connection, provider };
}

describe('ModelHubEntityProvider', () => {
  it('is named model-hub and schedules a global refresh every refreshSeconds', async () => {
    const { provider, scheduler } = await setup();
    expect(provider.getProviderName()).toBe('model-hub');
    expect(scheduler.scheduleTask).toHaveBeenCalledWith(
      expect.objectContaining({
        id: 'model-hub-registered-models',
        scope: 'global',
        frequency: { seconds: 5 },
      }),
    );
  });

  it('applies the registered models as a full mutation, with the hub location and who registered them', async () => {
    const calls = serve({ items: [registered] });
    const { provider, connection } = await setup();
    expect(await provider.refresh()).toBe(1);

    const location =
      'model-hub:http://localhost:0/api/model-hub/v1/registered-models/default/invoice-extractor';
    expect(connection.applyMutation).toHaveBeenCalledWith({
      type: 'full',
      entities: [
        {
          locationKey: location,
          entity: {
            ...registered.entity,
            metadata: {
              ...registered.entity.metadata,
              annotations: {
                'modelhub.io/upstream': 'https://example.com/x',
                'backstage.io/managed-by-location': location,
                'backstage.io/managed-by-origin-location': location,
                'modelhub.io/registered-by': 'user:default/alice',
              },
            },
          },
        },
      ],
    });
    // Called as the catalog plugin, with a token for the hub.
    expect(calls).toHaveLength(1);
    expect(calls[0]).toMatch(/^Bearer mock-service-token:/);
    expect(
      JSON.parse(calls[0].slice('Bearer mock-service-token:'.length)),
    ).toMatchObject({ sub: 'plugin:catalog', target: 'model-hub' });
  });

  it('applies an empty list: every registration was removed', async () => {
    serve({ items: [] });
    const { provider, connection } = await setup();
    expect(await provider.refresh()).toBe(0);
    expect(connection.applyMutation).toHaveBeenCalledWith({
      type: 'full',
      entities: [],
    });
  });

  it('leaves the catalog alone when the hub answers an error', async () => {
    serve({ error: { message: 'boom' } }, 503);
    const { provider, connection, logger } = await setup();
    expect(await provider.refresh()).toBeUndefined();
    expect(connection.applyMutation).not.toHaveBeenCalled();
    expect(logger.warn).toHaveBeenCalledWith(
      expect.stringContaining(
        'Could not read the registered models from the Model Hub; the catalog keeps the ones it has until the hub answers: HTTP 503',
      ),
    );
  });

  it('leaves the catalog alone when the hub cannot be reached', async () => {
    server.use(http.get(ROUTE, () => HttpResponse.error()));
    const { provider, connection, logger } = await setup();
    expect(await provider.refresh()).toBeUndefined();
    expect(connection.applyMutation).not.toHaveBeenCalled();
    expect(logger.warn).toHaveBeenCalledTimes(1);
  });

  it('rejects a malformed body without applying anything', async () => {
    serve({ items: [registered, { entityRef: 'model:default/x' }] });
    const { provider, connection, logger } = await setup();
    expect(await provider.refresh()).toBeUndefined();
    expect(connection.applyMutation).not.toHaveBeenCalled();
    expect(logger.warn).toHaveBeenCalledWith(
      expect.stringContaining(
        'items[1] must have a string entityRef, a string createdBy and a Model entity',
      ),
    );
  });

  it('refuses to refresh before it is connected', async () => {
    const provider = new ModelHubEntityProvider({
      discovery: mockServices.discovery(),
      auth: mockServices.auth(),
      logger: mockServices.logger.mock(),
      scheduler: mockServices.scheduler.mock(),
    });
    await expect(provider.refresh()).rejects.toThrow('not connected');
  });

  it('reads modelHub.catalog.registeredModelsRefreshSeconds and rejects bad values', async () => {
    const deps = {
      discovery: mockServices.discovery(),
      auth: mockServices.auth(),
      logger: mockServices.logger.mock(),
    };
    const scheduler = mockServices.scheduler.mock();
    const provider = ModelHubEntityProvider.fromConfig(
      mockServices.rootConfig({
        data: { modelHub: { catalog: { registeredModelsRefreshSeconds: 2 } } },
      }),
      { ...deps, scheduler },
    );
    await provider.connect({ applyMutation: jest.fn(), refresh: jest.fn() });
    expect(scheduler.scheduleTask).toHaveBeenCalledWith(
      expect.objectContaining({ frequency: { seconds: 2 } }),
    );
    expect(() =>
      ModelHubEntityProvider.fromConfig(
        mockServices.rootConfig({
          data: {
            modelHub: { catalog: { registeredModelsRefreshSeconds: 0 } },
          },
        }),
        { ...deps, scheduler },
      ),
    ).toThrow(/registeredModelsRefreshSeconds must be a positive number/);
  });
});

describe('parseRegisteredModels', () => {
  it('rejects a body without items', () => {
    expect(() => parseRegisteredModels({})).toThrow('no "items" array');
    expect(() => parseRegisteredModels(null)).toThrow('no "items" array');
  });

  it('rejects an entity that is not a Model', () => {
    expect(() =>
      parseRegisteredModels({
        items: [
          {
            ...registered,
            entity: { ...registered.entity, kind: 'Component' },
          },
        ],
      }),
    ).toThrow('items[0] must have');
  });

  it('rejects an item whose entity does not match its ref', () => {
    expect(() =>
      parseRegisteredModels({
        items: [{ ...registered, entityRef: 'model:default/other' }],
      }),
    ).toThrow(
      'items[0] claims model:default/other but holds the entity model:default/invoice-extractor',
    );
  });
});
