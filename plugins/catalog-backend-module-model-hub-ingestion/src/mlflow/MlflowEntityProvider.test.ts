import {
  mockServices,
  registerMswTestHooks,
} from '@backstage/backend-test-utils';
import { ConfigReader } from '@backstage/config';
import { Entity } from '@backstage/catalog-model';
import {
  DeferredEntity,
  EntityProviderConnection,
} from '@backstage/plugin-catalog-node';
import { validateModelEntity } from '@internal/plugin-model-hub-common';
import { http, HttpResponse } from 'msw';
import { setupServer } from 'msw/node';
import { INGESTION_ANNOTATIONS } from '../annotations';
import {
  MlflowEntityProvider,
  readMlflowSourceConfig,
} from './MlflowEntityProvider';
import {
  answerMlflowRequest,
  FakeMlflowRegistry,
} from '../demo/FakeMlflowServer';
import { MlflowModelVersion } from './types';

const BASE = 'http://mlflow.test';
const MODELS = `${BASE}/api/2.0/mlflow/registered-models/search`;

const server = setupServer();
registerMswTestHooks(server);

type Registry = FakeMlflowRegistry;

/**
 * Serves `registry` at {@link BASE} through msw with the fake MLflow
 * server's semantics (page tokens are opaque base64 offsets); returns the
 * URLs asked for.
 */
function serveRegistry(registry: Registry) {
  const requests: URL[] = [];
  server.use(
    http.get(`${BASE}/api/2.0/mlflow/*`, ({ request }) => {
      const url = new URL(request.url);
      requests.push(url);
      const answer = answerMlflowRequest(registry, 'GET', url);
      return 'json' in answer
        ? HttpResponse.json(answer.json as any, { status: answer.status })
        : new HttpResponse(answer.bytes);
    }),
  );
  return requests;
}

/** The offset a page token stands for (null for the first page). */
const offsetOf = (u: URL) => {
  const token = u.searchParams.get('page_token');
  return token === null ? null : Buffer.from(token, 'base64').toString();
};

function version(
  name: string,
  v: number,
  extra: Partial<MlflowModelVersion> = {},
): MlflowModelVersion {
  return {
    name,
    version: String(v),
    creation_timestamp: 1733400000000 + v,
    last_updated_timestamp: 1733400000000 + v,
    current_stage: 'None',
    source: `s3://bucket/models/${v}`,
    run_id: `run${v}`,
    status: 'READY',
    run_link: `https://mlflow.test/#/experiments/1/runs/run${v}`,
    ...extra,
  };
}

function sourceConfig(extra: Record<string, unknown> = {}) {
  return readMlflowSourceConfig(
    new ConfigReader({
      id: 'prod',
      baseUrl: BASE,
      defaultOwner: 'group:default/ml-platform',
      ...extra,
    }),
  );
}

async function setup(extra: Record<string, unknown> = {}) {
  const sleeps: number[] = [];
  const connection: jest.Mocked<EntityProviderConnection> = {
    applyMutation: jest.fn(),
    refresh: jest.fn(),
  };
  const scheduler = mockServices.scheduler.mock();
  const provider = new MlflowEntityProvider({
    source: sourceConfig(extra),
    logger: mockServices.logger.mock(),
    scheduler,
    http: {
      sleep: async ms => {
        sleeps.push(ms);
      },
    },
    now: () => new Date('2026-12-06T07:00:00.000Z'),
  });
  await provider.connect(connection);
  const emitted = (call = 0): Entity[] => {
    const m = connection.applyMutation.mock.calls[call]?.[0];
    if (!m || m.type !== 'delta') return [];
    return m.added.map((d: DeferredEntity) => d.entity);
  };
  return { provider, connection, scheduler, sleeps, emitted };
}

const byRemote = (entities: Entity[], name: string) =>
  entities.find(
    e => e.metadata.annotations?.[INGESTION_ANNOTATIONS.remoteId] === name,
  )!;

describe('MlflowEntityProvider', () => {
  it('schedules a global sync task per source', async () => {
    const { scheduler, provider } = await setup();
    expect(provider.getProviderName()).toBe('model-hub-mlflow-prod');
    expect(scheduler.scheduleTask).toHaveBeenCalledWith(
      expect.objectContaining({
        id: 'model-hub-ingestion-mlflow-prod',
        scope: 'global',
        frequency: { minutes: 30 },
      }),
    );
  });

  it.each(['omit', 'empty'] as const)(
    'reads every page when the last next_page_token is %s, always with max_results and order_by=name ASC',
    async lastPage => {
      const models = Array.from({ length: 7 }, (_, i) => ({
        name: `model-${i}`,
      }));
      const requests = serveRegistry({
        models,
        versions: models.map(m => version(m.name, 1)),
        lastPage,
      });
      const { provider, emitted } = await setup({ pageSize: 3 });
      const status = await provider.sync();
      expect(status).toMatchObject({
        state: 'ok',
        entityCount: 7,
        lastEmitted: 7,
      });
      expect(
        emitted()
          .map(e => e.metadata.title)
          .sort(),
      ).toEqual(models.map(m => m.name));
      const searches = requests.filter(u =>
        u.pathname.endsWith('registered-models/search'),
      );
      expect(searches.map(offsetOf)).toEqual([null, '3', '6']);
      for (const u of requests) {
        expect(u.searchParams.get('max_results')).toMatch(/^\d+$/);
      }
      for (const u of searches) {
        expect(u.searchParams.get('order_by')).toBe('name ASC');
      }
      for (const e of emitted()) {
        expect(validateModelEntity(e)).toEqual({ valid: true, errors: [] });
      }
    },
  );

  it('pages model versions too, with the escaped name filter', async () => {
    const name = 'big';
    const requests = serveRegistry({
      models: [{ name }],
      versions: Array.from({ length: 450 }, (_, i) => version(name, i + 1)),
      lastPage: 'omit',
    });
    const { provider, emitted } = await setup();
    await provider.sync();
    const calls = requests.filter(u =>
      u.pathname.endsWith('model-versions/search'),
    );
    expect(calls.map(offsetOf)).toEqual([null, '200', '400']);
    expect(calls[0].searchParams.get('filter')).toBe("name='big'");
    expect(calls[0].searchParams.get('max_results')).toBe('200');
    const entity = emitted()[0];
    expect(
      JSON.parse(entity.metadata.annotations![INGESTION_ANNOTATIONS.versions]),
    ).toHaveLength(450);
    expect(entity.metadata.annotations![INGESTION_ANNOTATIONS.revision]).toBe(
      '450',
    );
  });

  it('mirrors names with quotes and unicode, each with only its own versions', async () => {
    const names = [
      "O'Brien churn",
      'say "hi"',
      `both ' and "`,
      `both x and "`,
      'Prévision ventes 📈',
    ];
    serveRegistry({
      models: names.map(name => ({ name })),
      versions: names.flatMap((n, i) => [version(n, 1), version(n, 2 + i)]),
      lastPage: 'omit',
    });
    const { provider, emitted } = await setup();
    await provider.sync();
    const entities = emitted();
    expect(entities).toHaveLength(names.length);
    names.forEach((n, i) => {
      const e = byRemote(entities, n);
      expect(e.metadata.title).toBe(n);
      expect(e.metadata.annotations![INGESTION_ANNOTATIONS.revision]).toBe(
        String(2 + i),
      );
      expect(
        JSON.parse(e.metadata.annotations![INGESTION_ANNOTATIONS.versions]),
      ).toHaveLength(2);
      expect(validateModelEntity(e)).toEqual({ valid: true, errors: [] });
    });
    expect(new Set(entities.map(e => e.metadata.name)).size).toBe(names.length);
  });

  it('maps a 2.x server (no aliases, no MLflow 3 fields) and an MLflow 3 server', async () => {
    serveRegistry({
      models: [
        { name: 'old', tags: [{ key: 'owner', value: 'fraud-team' }] },
        {
          name: 'new',
          description: 'Scores transactions',
          aliases: [{ alias: 'champion', version: '2' }],
          tags: [
            { key: 'license', value: 'Apache-2.0' },
            { key: 'task', value: 'tabular-classification' },
          ],
        },
      ],
      versions: [
        version('old', 1),
        version('new', 1),
        version('new', 2, {
          current_stage: 'Production',
          model_metrics: [
            { key: 'auc', value: 0.91, dataset_name: 'holdout', step: 0 },
          ],
          model_params: [{ name: 'max_depth', value: '6' }],
          // eslint-disable-next-line no-script-url
          run_link: 'javascript:alert(1)',
        }),
      ],
      lastPage: 'omit',
    });
    const { provider, emitted } = await setup();
    await provider.sync();
    const old = byRemote(emitted(), 'old');
    expect(old.spec).toMatchObject({
      owner: 'group:default/fraud-team',
      tier: 'community',
      lifecycle: 'experimental',
      license: 'NOASSERTION',
    });
    expect(
      old.metadata.annotations![INGESTION_ANNOTATIONS.aliases],
    ).toBeUndefined();
    expect(old.metadata.links!.map(l => l.title)).toEqual([
      'MLflow run of version 1',
      'MLflow registry',
    ]);
    const fresh = byRemote(emitted(), 'new');
    expect(fresh.spec).toMatchObject({
      owner: 'group:default/ml-platform',
      lifecycle: 'production',
      license: 'Apache-2.0',
      task: 'tabular-classification',
    });
    expect(fresh.metadata.description).toBe('Scores transactions');
    const a = fresh.metadata.annotations!;
    expect(JSON.parse(a[INGESTION_ANNOTATIONS.aliases])).toEqual({
      champion: '2',
    });
    expect(JSON.parse(a[INGESTION_ANNOTATIONS.metrics])).toEqual([
      { name: 'auc', value: 0.91, dataset: 'holdout', step: 0 },
    ]);
    expect(JSON.parse(a[INGESTION_ANNOTATIONS.params])).toEqual({
      max_depth: '6',
    });
    // A javascript: run link never becomes a link.
    expect(fresh.metadata.links!.map(l => l.url)).toEqual([
      'http://mlflow.test/#/models/new',
    ]);
    for (const e of emitted())
      expect(validateModelEntity(e).errors).toEqual([]);
  });

  it('mirrors READY versions only and lists PENDING_REGISTRATION / FAILED_REGISTRATION as pending', async () => {
    serveRegistry({
      models: [{ name: 'm' }],
      versions: [
        version('m', 1),
        version('m', 2, { status: 'PENDING_REGISTRATION' }),
        version('m', 3, { status: 'FAILED_REGISTRATION' }),
      ],
      lastPage: 'omit',
    });
    const { provider, emitted } = await setup();
    await provider.sync();
    const a = emitted()[0].metadata.annotations!;
    expect(a[INGESTION_ANNOTATIONS.revision]).toBe('1');
    expect(
      JSON.parse(a[INGESTION_ANNOTATIONS.versions]).map((v: any) => v.version),
    ).toEqual(['1']);
    expect(JSON.parse(a[INGESTION_ANNOTATIONS.pendingVersions])).toEqual([
      { version: '3', status: 'FAILED_REGISTRATION' },
      { version: '2', status: 'PENDING_REGISTRATION' },
    ]);
  });

  it('deprecates archived models and models with the deprecation tag', async () => {
    serveRegistry({
      models: [
        { name: 'archived' },
        {
          name: 'tagged',
          tags: [{ key: 'deprecated', value: 'use fraud-v3' }],
        },
        { name: 'not-tagged', tags: [{ key: 'deprecated', value: 'false' }] },
        { name: 'half-archived' },
      ],
      versions: [
        version('archived', 1, { current_stage: 'Archived' }),
        version('archived', 2, { current_stage: 'Archived' }),
        version('tagged', 1),
        version('not-tagged', 1),
        version('half-archived', 1, { current_stage: 'Archived' }),
        version('half-archived', 2),
      ],
      lastPage: 'omit',
    });
    const { provider, emitted } = await setup();
    await provider.sync();
    const lifecycle = (n: string) => byRemote(emitted(), n).spec!.lifecycle;
    expect(lifecycle('archived')).toBe('deprecated');
    expect(lifecycle('tagged')).toBe('deprecated');
    expect(lifecycle('not-tagged')).toBe('experimental');
    expect(lifecycle('half-archived')).toBe('experimental');
  });

  it('retries a 500 and a 429 (honouring Retry-After), then succeeds', async () => {
    serveRegistry({
      models: [{ name: 'm' }],
      versions: [version('m', 1)],
      lastPage: 'omit',
    });
    let calls = 0;
    server.use(
      http.get(MODELS, () => {
        calls++;
        if (calls === 1) return new HttpResponse('boom', { status: 500 });
        if (calls === 2)
          return new HttpResponse('slow down', {
            status: 429,
            headers: { 'Retry-After': '7' },
          });
        return undefined;
      }),
    );
    const { provider, emitted, sleeps } = await setup();
    const status = await provider.sync();
    expect(status.state).toBe('ok');
    expect(calls).toBe(3);
    expect(sleeps).toEqual([500, 7000]);
    expect(emitted()).toHaveLength(1);
  });

  it('a second sync with nothing changed emits no mutation; a change emits only that model', async () => {
    const registry: Registry = {
      models: [{ name: 'a' }, { name: 'b' }],
      versions: [version('a', 1), version('b', 1)],
      lastPage: 'empty',
    };
    serveRegistry(registry);
    const { provider, connection, emitted } = await setup();
    await provider.sync();
    expect(connection.applyMutation).toHaveBeenCalledTimes(1);
    const second = await provider.sync();
    expect(second).toMatchObject({
      state: 'ok',
      lastEmitted: 0,
      entityCount: 2,
    });
    expect(connection.applyMutation).toHaveBeenCalledTimes(1);
    registry.versions.push(version('b', 2));
    await provider.sync();
    expect(connection.applyMutation).toHaveBeenCalledTimes(2);
    expect(emitted(1).map(e => e.metadata.title)).toEqual(['b']);
  });

  it('a model removed upstream is re-emitted once as deprecated, never deleted', async () => {
    const registry: Registry = {
      models: [{ name: 'a' }, { name: 'gone' }],
      versions: [version('a', 1), version('gone', 1)],
      lastPage: 'omit',
    };
    serveRegistry(registry);
    const { provider, connection, emitted } = await setup();
    await provider.sync();
    registry.models = [{ name: 'a' }];
    await provider.sync();
    const m = connection.applyMutation.mock.calls[1][0];
    expect(m).toMatchObject({ type: 'delta', removed: [] });
    const gone = emitted(1);
    expect(gone).toHaveLength(1);
    expect(gone[0].spec!.lifecycle).toBe('deprecated');
    expect(gone[0].metadata.annotations![INGESTION_ANNOTATIONS.removed]).toBe(
      '2026-12-06T07:00:00.000Z',
    );
    await provider.sync();
    expect(connection.applyMutation).toHaveBeenCalledTimes(2);
    expect(provider.getStatus().entityCount).toBe(2);
  });

  it.each([401, 403])(
    'on %i marks the source degraded and changes nothing in the catalog',
    async status => {
      const registry: Registry = {
        models: [{ name: 'a' }],
        versions: [version('a', 1)],
        lastPage: 'omit',
      };
      serveRegistry(registry);
      const { provider, connection, sleeps } = await setup({
        auth: { type: 'bearer', token: 'secret-token' },
      });
      await provider.sync();
      server.use(http.get(MODELS, () => new HttpResponse(null, { status })));
      const result = await provider.sync();
      expect(result.state).toBe('degraded');
      expect(result.lastError).toContain(String(status));
      expect(result.lastError).not.toContain('secret-token');
      expect(sleeps).toEqual([]);
      expect(connection.applyMutation).toHaveBeenCalledTimes(1);
      expect(result.entityCount).toBe(1);
    },
  );

  it('a failure in the middle of a listing deprecates nothing', async () => {
    const registry: Registry = {
      models: [{ name: 'a' }, { name: 'b' }],
      versions: [version('a', 1), version('b', 1)],
      lastPage: 'omit',
      pageSize: 1,
    };
    serveRegistry(registry);
    const { provider, connection } = await setup();
    await provider.sync();
    server.use(
      http.get(MODELS, ({ request }) =>
        new URL(request.url).searchParams.get('page_token')
          ? new HttpResponse('bad gateway', { status: 502 })
          : undefined,
      ),
    );
    const result = await provider.sync();
    expect(result.state).toBe('error');
    expect(connection.applyMutation).toHaveBeenCalledTimes(1);
  });

  it('sends basic and bearer credentials as configured', async () => {
    const seen: (string | null)[] = [];
    serveRegistry({ models: [], versions: [], lastPage: 'omit' });
    server.use(
      http.get(MODELS, ({ request }) => {
        seen.push(request.headers.get('authorization'));
        return undefined;
      }),
    );
    await (
      await setup({ auth: { type: 'basic', username: 'u', password: 'p' } })
    ).provider.sync();
    await (
      await setup({ auth: { type: 'bearer', token: 't' } })
    ).provider.sync();
    await (await setup()).provider.sync();
    expect(seen).toEqual([
      `Basic ${Buffer.from('u:p').toString('base64')}`,
      'Bearer t',
      null,
    ]);
  });

  it('rejects a bad config with a one-line error naming the key', () => {
    expect(() => sourceConfig({ baseUrl: 'file:///etc' })).toThrow(
      'modelHub.ingestion.mlflow[prod].baseUrl must be an http(s) URL',
    );
    expect(() => sourceConfig({ auth: { type: 'oauth' } })).toThrow(
      'auth.type must be none, basic or bearer',
    );
    expect(() => sourceConfig({ id: 'Prod Registry' })).toThrow(
      'must be a short lowercase slug',
    );
  });
});
