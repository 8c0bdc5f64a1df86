import {
  mockCredentials,
  mockServices,
  registerMswTestHooks,
} from '@backstage/backend-test-utils';
import { Entity } from '@backstage/catalog-model';
import { http, HttpResponse, JsonBodyType } from 'msw';
import { setupServer } from 'msw/node';
import { ModelHubTierClient } from './ModelHubTierClient';
import { ModelHubTierProcessor } from './ModelHubTierProcessor';

const ROUTE = 'http://localhost:0/api/model-hub/v1/gauntlet/effective-tiers';
const EFFECTIVE = 'modelhub.io/effective-tier';
const STATUS = 'modelhub.io/gauntlet-status';

const server = setupServer();
registerMswTestHooks(server);

const items = [
  {
    entityRef: 'model:default/churn-classifier',
    requestedTier: 'official',
    effectiveTier: 'official',
    status: 'passed',
    reason: 'all official gates passed',
    version: '1.2.0',
    annotations: { [EFFECTIVE]: 'official', [STATUS]: 'passed' },
  },
  {
    entityRef: 'model:ml/Vision-Defect-Detector',
    requestedTier: 'official',
    effectiveTier: null,
    status: 'failed',
    reason: 'security-scan failed',
    version: '0.3.0',
    annotations: { [STATUS]: 'failed' },
  },
];

function model(
  name: string,
  annotations?: Record<string, string>,
  namespace?: string,
): Entity {
  return {
    apiVersion: 'modelhub.io/v1alpha1',
    kind: 'Model',
    metadata: { name, namespace, annotations },
    spec: { type: 'classifier', owner: 'group:default/ml', tier: 'official' },
  };
}

/** Serves the effective-tiers route, counting requests and checking the caller's token. */
function serveTiers(body: JsonBodyType = { items }, status = 200) {
  const calls: string[] = [];
  server.use(
    http.get(ROUTE, ({ request }) => {
      calls.push(request.headers.get('authorization') ?? '');
      return HttpResponse.json(body, { status });
    }),
  );
  return calls;
}

function setup(opts: { refreshMs?: number; now?: () => number } = {}) {
  const logger = mockServices.logger.mock();
  const client = new ModelHubTierClient({
    discovery: mockServices.discovery(),
    auth: mockServices.auth({ pluginId: 'catalog' }),
    logger,
    refreshMs: opts.refreshMs ?? 30_000,
    timeoutMs: 500,
    now: opts.now,
  });
  return { logger, client, processor: new ModelHubTierProcessor(client) };
}

describe('ModelHubTierProcessor', () => {
  it('annotates the tier a model earned and its gauntlet status, as the catalog plugin', async () => {
    const calls = serveTiers();
    const { processor } = setup();

    const out = await processor.preProcessEntity(model('churn-classifier'));

    expect(out.metadata.annotations).toEqual({
      [EFFECTIVE]: 'official',
      [STATUS]: 'passed',
    });
    expect(calls).toEqual([
      `Bearer ${mockCredentials.service.token({
        onBehalfOf: mockCredentials.service('plugin:catalog'),
        targetPluginId: 'model-hub',
      })}`,
    ]);
  });

  it('removes an effective tier claimed in the YAML when the model earned none', async () => {
    serveTiers();
    const { processor } = setup();

    const out = await processor.preProcessEntity(
      model(
        'vision-defect-detector',
        { [EFFECTIVE]: 'official', 'example.com/keep': 'yes' },
        'ml',
      ),
    );

    expect(out.metadata.annotations).toEqual({
      [STATUS]: 'failed',
      'example.com/keep': 'yes',
    });
  });

  it('replaces a claimed tier and status with the earned ones', async () => {
    serveTiers({
      items: [
        {
          ...items[0],
          effectiveTier: 'community',
          status: 'pending',
        },
      ],
    });
    const { processor } = setup();

    const out = await processor.preProcessEntity(
      model('churn-classifier', {
        [EFFECTIVE]: 'official',
        [STATUS]: 'passed',
      }),
    );

    expect(out.metadata.annotations).toEqual({
      [EFFECTIVE]: 'community',
      [STATUS]: 'pending',
    });
  });

  it('strips a claimed tier from a model the hub does not know yet', async () => {
    serveTiers();
    const { processor } = setup();

    const out = await processor.preProcessEntity(
      model('brand-new', { [EFFECTIVE]: 'official' }),
    );

    expect(out.metadata.annotations).toEqual({});
  });

  it('leaves other kinds untouched', async () => {
    const calls = serveTiers();
    const { processor } = setup();
    const component: Entity = {
      apiVersion: 'backstage.io/v1alpha1',
      kind: 'Component',
      metadata: { name: 'x', annotations: { [EFFECTIVE]: 'official' } },
      spec: {},
    };

    await expect(processor.preProcessEntity(component)).resolves.toBe(
      component,
    );
    expect(calls).toHaveLength(0);
  });

  it.each([
    ['the hub answers 500', () => serveTiers({ error: 'boom' }, 500)],
    ['the hub answers 404 (not installed)', () => serveTiers({}, 404)],
    [
      'the hub is unreachable',
      () => server.use(http.get(ROUTE, () => HttpResponse.error())),
    ],
    [
      'the hub answers a malformed list',
      () => serveTiers({ items: [{ entityRef: 42 }] }),
    ],
    [
      'the hub does not answer in time',
      () =>
        server.use(
          http.get(ROUTE, async () => {
            await new Promise(r => setTimeout(r, 2000));
            return HttpResponse.json({ items });
          }),
        ),
    ],
  ])(
    'when %s: strips the claimed tier, sets no status, warns and does not fail',
    async (_what, arrange) => {
      arrange();
      const { processor, logger } = setup();

      const started = Date.now();
      const out = await processor.preProcessEntity(
        model('churn-classifier', {
          [EFFECTIVE]: 'official',
          [STATUS]: 'passed',
        }),
      );

      expect(Date.now() - started).toBeLessThan(1500);
      expect(out.metadata.annotations).toEqual({});
      expect(logger.warn).toHaveBeenCalledTimes(1);
      expect(logger.warn).toHaveBeenCalledWith(
        expect.stringMatching(
          /Could not read effective tiers from the Model Hub/,
        ),
      );
    },
  );

  it('fetches the list once for many entities within the refresh window', async () => {
    const calls = serveTiers();
    let now = 1_000_000;
    const { processor } = setup({ refreshMs: 30_000, now: () => now });

    // Concurrent processing shares the one request in flight.
    const outs = await Promise.all(
      Array.from({ length: 20 }, (_, i) =>
        processor.preProcessEntity(
          i % 2 ? model('churn-classifier') : model(`other-${i}`),
        ),
      ),
    );
    now += 29_000;
    await processor.preProcessEntity(model('churn-classifier'));

    expect(calls).toHaveLength(1);
    expect(outs[1].metadata.annotations?.[EFFECTIVE]).toBe('official');

    // After the window the list is fetched again and the new state shows.
    serveTiers({
      items: [{ ...items[0], effectiveTier: null, status: 'failed' }],
    });
    now += 2_000;
    const later = await processor.preProcessEntity(model('churn-classifier'));
    expect(later.metadata.annotations).toEqual({ [STATUS]: 'failed' });
  });

  it('remembers a failure for the refresh window instead of retrying per entity', async () => {
    const calls = serveTiers({}, 503);
    let now = 0;
    const { processor, logger } = setup({ refreshMs: 10_000, now: () => now });

    for (let i = 0; i < 5; i++) {
      await processor.preProcessEntity(model('churn-classifier'));
    }
    expect(calls).toHaveLength(1);
    expect(logger.warn).toHaveBeenCalledTimes(1);

    serveTiers();
    now += 10_000;
    const out = await processor.preProcessEntity(model('churn-classifier'));
    expect(out.metadata.annotations?.[EFFECTIVE]).toBe('official');
  });
});

describe('ModelHubTierClient deadline', () => {
  it('gives up on a load that never settles, so model processing goes on', async () => {
    const logger = mockServices.logger.mock();
    // A fetch that ignores its abort signal and never answers.
    const client = new ModelHubTierClient({
      discovery: mockServices.discovery(),
      auth: mockServices.auth({ pluginId: 'catalog' }),
      logger,
      timeoutMs: 50,
      fetch: () => new Promise<Response>(() => {}),
    });
    const processor = new ModelHubTierProcessor(client);
    const out = await processor.preProcessEntity(
      model('churn-classifier', { [EFFECTIVE]: 'official' }),
    );
    expect(out.metadata.annotations?.[EFFECTIVE]).toBeUndefined();
    expect(logger.warn).toHaveBeenCalledWith(
      expect.stringContaining('took longer than 1050 ms'),
    );
  });
});

describe('ModelHubTierClient.fromConfig', () => {
  const deps = () => ({
    discovery: mockServices.discovery(),
    auth: mockServices.auth({ pluginId: 'catalog' }),
    logger: mockServices.logger.mock(),
  });

  it('reads modelHub.catalog.tierRefreshSeconds', async () => {
    const calls = serveTiers();
    let now = 0;
    const client = ModelHubTierClient.fromConfig(
      mockServices.rootConfig({
        data: { modelHub: { catalog: { tierRefreshSeconds: 5 } } },
      }),
      { ...deps(), now: () => now },
    );
    await client.getEffectiveTiers();
    now += 4_999;
    await client.getEffectiveTiers();
    expect(calls).toHaveLength(1);
    now += 1;
    await client.getEffectiveTiers();
    expect(calls).toHaveLength(2);
  });

  it('defaults to 30 seconds', async () => {
    const calls = serveTiers();
    let now = 0;
    const client = ModelHubTierClient.fromConfig(
      mockServices.rootConfig({ data: {} }),
      { ...deps(), now: () => now },
    );
    await client.getEffectiveTiers();
    now += 29_999;
    await client.getEffectiveTiers();
    expect(calls).toHaveLength(1);
    now += 1;
    await client.getEffectiveTiers();
    expect(calls).toHaveLength(2);
  });

  it('rejects a negative refresh interval', () => {
    expect(() =>
      ModelHubTierClient.fromConfig(
        mockServices.rootConfig({
          data: { modelHub: { catalog: { tierRefreshSeconds: -1 } } },
        }),
        deps(),
      ),
    ).toThrow(/tierRefreshSeconds must be a non-negative number/);
  });
});
