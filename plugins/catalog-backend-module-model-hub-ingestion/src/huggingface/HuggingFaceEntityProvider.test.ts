import {
  mockServices,
  registerMswTestHooks,
} from '@backstage/backend-test-utils';
import { ConfigReader } from '@backstage/config';
import { Entity } from '@backstage/catalog-model';
import { EntityProviderConnection } from '@backstage/plugin-catalog-node';
import { validateModelEntity } from '@internal/plugin-model-hub-common';
import { http, HttpResponse } from 'msw';
import { setupServer } from 'msw/node';
import { INGESTION_ANNOTATIONS } from '../annotations';
import {
  HuggingFaceEntityProvider,
  readHuggingFaceSourceConfig,
} from './HuggingFaceEntityProvider';
import { HuggingFaceModelInfo } from './mapHuggingFaceModel';

const HF = 'http://hf.test';
const server = setupServer();
registerMswTestHooks(server);

interface Hub {
  repos: Record<string, HuggingFaceModelInfo>;
  /** Ids the fuzzy search returns for an author, in order (may over-match). */
  listing: string[];
  pageSize: number;
  /** Repos whose details answer this status. */
  refuse?: Record<string, number>;
}

/** A hub speaking the documented routes: cursor paging through `Link: <…>; rel="next"`. */
function serveHub(hub: Hub) {
  const requests: URL[] = [];
  server.use(
    http.get(`${HF}/api/models`, ({ request }) => {
      const url = new URL(request.url);
      requests.push(url);
      const cursor = Number(url.searchParams.get('cursor') ?? '0');
      const slice = hub.listing.slice(cursor, cursor + hub.pageSize);
      const headers: Record<string, string> = {};
      if (cursor + hub.pageSize < hub.listing.length) {
        const next = new URL(url);
        next.searchParams.set('cursor', String(cursor + hub.pageSize));
        headers.Link = `<${next}>; rel="next"`;
      }
      return HttpResponse.json(
        slice.map(id => ({ id, downloads: Math.random() })),
        { headers },
      );
    }),
    http.get(`${HF}/api/models/:org/:name`, ({ request, params }) => {
      const url = new URL(request.url);
      requests.push(url);
      const id = `${params.org}/${params.name}`;
      if (hub.refuse?.[id])
        return new HttpResponse(null, { status: hub.refuse[id] });
      const info = hub.repos[id];
      if (!info) return new HttpResponse(null, { status: 404 });
      if (url.searchParams.get('securityStatus') === 'true') {
        return HttpResponse.json({
          id,
          securityRepoStatus: { scansDone: true, filesWithIssues: [] },
        });
      }
      return HttpResponse.json({
        id,
        ...info,
        downloads: Math.random(),
        likes: 3,
      });
    }),
  );
  return requests;
}

async function setup(extra: Record<string, unknown> = {}) {
  const sleeps: number[] = [];
  const connection: jest.Mocked<EntityProviderConnection> = {
    applyMutation: jest.fn(),
    refresh: jest.fn(),
  };
  const provider = new HuggingFaceEntityProvider({
    source: readHuggingFaceSourceConfig(
      new ConfigReader({
        endpoint: HF,
        owner: 'group:default/ml-platform',
        token: 'hf_secret',
        ...extra,
      }),
      {},
    ),
    logger: mockServices.logger.mock(),
    scheduler: mockServices.scheduler.mock(),
    http: { sleep: async ms => void sleeps.push(ms) },
  });
  await provider.connect(connection);
  const emitted = (call = 0): Entity[] => {
    const m = connection.applyMutation.mock.calls[call]?.[0];
    return m && m.type === 'delta' ? m.added.map(d => d.entity) : [];
  };
  return { provider, connection, emitted, sleeps };
}

const repo = (
  sha: string,
  extra: Partial<HuggingFaceModelInfo> = {},
): HuggingFaceModelInfo => ({
  sha,
  lastModified: '2026-11-01T10:00:00.000Z',
  gated: false,
  library_name: 'transformers',
  pipeline_tag: 'text-generation',
  cardData: {
    license: 'apache-2.0',
    base_model: 'acme/base',
    datasets: ['acme/corpus'],
  },
  ...extra,
});

describe('HuggingFaceEntityProvider', () => {
  it('follows Link rel="next" over several pages and keeps only ids the glob really matches', async () => {
    const listing = [
      ...Array.from({ length: 250 }, (_, i) => `acme/llm-${i}`),
      'acme/not-llm-x', // the fuzzy search matches "llm" anywhere
      'acme/llm-nested/extra', // a * never crosses a slash
    ];
    const repos: Record<string, HuggingFaceModelInfo> = {};
    for (const id of listing) repos[id] = repo(`sha-${id}`);
    const requests = serveHub({ repos, listing, pageSize: 100 });
    const { provider, emitted } = await setup({ globs: ['acme/llm-*'] });
    const status = await provider.sync();
    expect(status).toMatchObject({ state: 'ok', entityCount: 250 });
    const lists = requests.filter(u => u.pathname === '/api/models');
    expect(lists).toHaveLength(3);
    expect(lists[0].searchParams.get('author')).toBe('acme');
    expect(lists[0].searchParams.get('search')).toBe('llm-');
    expect(lists[0].searchParams.get('limit')).toBe('100');
    const titles = emitted().map(e => e.metadata.title);
    expect(titles).not.toContain('acme/not-llm-x');
    expect(titles).toHaveLength(250);
    const details = requests.find(
      u =>
        u.pathname === '/api/models/acme/llm-0' &&
        !u.searchParams.has('securityStatus'),
    )!;
    expect(details.searchParams.getAll('expand[]')).toEqual(
      expect.arrayContaining([
        'sha',
        'gated',
        'cardData',
        'safetensors',
        'baseModels',
      ]),
    );
    for (const e of emitted().slice(0, 5))
      expect(validateModelEntity(e).errors).toEqual([]);
  });

  it('maps tier external, owner, sha, license, base model, datasets, gated as a string', async () => {
    serveHub({
      repos: {
        'acme/llama-ft': repo('abc123', {
          gated: 'manual',
          cardData: {
            license: 'llama3',
            base_model: ['meta-llama/Llama-3-8B'],
            base_model_relation: 'adapter',
            datasets: 'acme/corpus',
            new_version: 'acme/llama-ft-2',
          },
        }),
      },
      listing: [],
      pageSize: 100,
    });
    const { provider, emitted } = await setup({ models: ['acme/llama-ft'] });
    await provider.sync();
    const [e] = emitted();
    expect(e.spec).toMatchObject({
      tier: 'external',
      owner: 'group:default/ml-platform',
      license: 'llama3',
      task: 'text-generation',
      framework: 'transformers',
      baseModel: {
        relation: 'adapter',
        ref: expect.stringMatching(
          /^model:default\/hf-hf-meta-llama-llama-3-8b-/,
        ),
      },
    });
    const a = e.metadata.annotations!;
    expect(a[INGESTION_ANNOTATIONS.revision]).toBe('abc123');
    expect(a[INGESTION_ANNOTATIONS.gated]).toBe('manual');
    expect(JSON.parse(a[INGESTION_ANNOTATIONS.datasets])).toEqual([
      'acme/corpus',
    ]);
    expect(a[INGESTION_ANNOTATIONS.successor]).toBe('acme/llama-ft-2');
    expect(JSON.parse(a[INGESTION_ANNOTATIONS.securityStatus])).toEqual({
      scansDone: true,
      filesWithIssues: [],
    });
    expect(a['modelhub.io/upstream']).toBe(`${HF}/acme/llama-ft`);
    expect(validateModelEntity(e).errors).toEqual([]);
  });

  it('keeps a license id the SPDX syntax rejects as a LicenseRef', async () => {
    serveHub({
      repos: {
        'acme/odd': repo('1', {
          cardData: { license: 'cc-by-nc/4.0 (custom)' },
        }),
      },
      listing: [],
      pageSize: 100,
    });
    const { provider, emitted } = await setup({ models: ['acme/odd'] });
    await provider.sync();
    expect(emitted()[0].spec!.license).toBe(
      'LicenseRef-hf-cc-by-nc-4.0-custom',
    );
    expect(validateModelEntity(emitted()[0]).errors).toEqual([]);
  });

  it('maps a model without cardData and without a security status', async () => {
    serveHub({
      repos: { 'acme/bare': { sha: 'f00' } },
      listing: [],
      pageSize: 100,
    });
    server.use(
      http.get(`${HF}/api/models/acme/bare`, ({ request }) =>
        new URL(request.url).searchParams.get('securityStatus')
          ? HttpResponse.json({ id: 'acme/bare' })
          : undefined,
      ),
    );
    const { provider, emitted } = await setup({ models: ['acme/bare'] });
    await provider.sync();
    const [e] = emitted();
    expect(e.spec).toMatchObject({
      license: 'NOASSERTION',
      task: 'other',
      tier: 'external',
    });
    expect(e.spec!.baseModel).toBeUndefined();
    expect(e.metadata.annotations![INGESTION_ANNOTATIONS.securityStatus]).toBe(
      'unavailable',
    );
    expect(e.metadata.annotations![INGESTION_ANNOTATIONS.gated]).toBe('false');
    expect(validateModelEntity(e).errors).toEqual([]);
  });

  it.each([401, 403])(
    'a %i on a gated repo keeps its last entity and degrades the source; the others sync',
    async status => {
      const hub: Hub = {
        repos: {
          'acme/open': repo('1'),
          'acme/gated': repo('2', { gated: 'auto' }),
        },
        listing: [],
        pageSize: 100,
      };
      serveHub(hub);
      const { provider, connection, emitted } = await setup({
        models: ['acme/open', 'acme/gated'],
      });
      await provider.sync();
      expect(emitted()).toHaveLength(2);
      hub.refuse = { 'acme/gated': status };
      hub.repos['acme/open'] = repo('1b');
      const result = await provider.sync();
      expect(result.state).toBe('degraded');
      expect(result.lastError).toContain('acme/gated');
      expect(result.entityCount).toBe(2);
      expect(connection.applyMutation).toHaveBeenCalledTimes(2);
      expect(emitted(1).map(e => e.metadata.title)).toEqual(['acme/open']);
    },
  );

  it('a 401 on the listing degrades the source and changes nothing', async () => {
    serveHub({ repos: {}, listing: ['acme/x'], pageSize: 100 });
    server.use(
      http.get(
        `${HF}/api/models`,
        () => new HttpResponse(null, { status: 401 }),
      ),
    );
    const { provider, connection } = await setup({ globs: ['acme/*'] });
    const result = await provider.sync();
    expect(result.state).toBe('degraded');
    expect(result.lastError).not.toContain('hf_secret');
    expect(connection.applyMutation).not.toHaveBeenCalled();
  });

  it('waits for the RateLimit reset on a 429, then succeeds', async () => {
    serveHub({ repos: { 'acme/a': repo('1') }, listing: [], pageSize: 100 });
    let n = 0;
    server.use(
      http.get(`${HF}/api/models/acme/a`, () =>
        n++ === 0
          ? new HttpResponse(null, {
              status: 429,
              headers: {
                RateLimit: '"api";r=0;t=42',
                'RateLimit-Policy': '"fixed window";"api";q=1000;w=300',
              },
            })
          : undefined,
      ),
    );
    const { provider, emitted, sleeps } = await setup({ models: ['acme/a'] });
    expect((await provider.sync()).state).toBe('ok');
    expect(sleeps).toEqual([42_000]);
    expect(emitted()).toHaveLength(1);
  });

  it('a second sync emits nothing although downloads and likes moved', async () => {
    serveHub({ repos: { 'acme/a': repo('1') }, listing: [], pageSize: 100 });
    const { provider, connection } = await setup({ models: ['acme/a'] });
    await provider.sync();
    const second = await provider.sync();
    expect(second).toMatchObject({ state: 'ok', lastEmitted: 0 });
    expect(connection.applyMutation).toHaveBeenCalledTimes(1);
  });

  it('refuses a Link that points to another host (the token stays home)', async () => {
    serveHub({ repos: {}, listing: ['acme/a'], pageSize: 100 });
    server.use(
      http.get(`${HF}/api/models`, () =>
        HttpResponse.json([{ id: 'acme/a' }], {
          headers: {
            Link: '<http://evil.test/api/models?cursor=1>; rel="next"',
          },
        }),
      ),
    );
    const { provider, connection } = await setup({ globs: ['acme/*'] });
    const result = await provider.sync();
    expect(result.state).toBe('error');
    expect(result.lastError).toContain('another host');
    expect(connection.applyMutation).not.toHaveBeenCalled();
  });

  it('rejects globs and ids that are not org/… shaped', () => {
    const read = (c: object) =>
      readHuggingFaceSourceConfig(
        new ConfigReader({ owner: 'group:default/x', ...c }),
        {},
      );
    expect(() => read({ globs: ['*'] })).toThrow(
      'must look like org/* or org/prefix-*',
    );
    expect(() => read({ models: ['llama'] })).toThrow(
      'must be an exact repo id',
    );
    expect(read({}).token).toBeUndefined();
    expect(
      readHuggingFaceSourceConfig(new ConfigReader({ owner: 'x' }), {
        HF_TOKEN: 'hf_env',
      }).token,
    ).toBe('hf_env');
  });
});
