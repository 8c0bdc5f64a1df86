import { setupServer } from 'msw/node';
import { http, HttpResponse } from 'msw';
import { ModelHubClient } from './ModelHubClient';
import { modelVersion } from '../__testUtils__/fixtures';

const baseUrl = 'http://localhost:7007/api/model-hub';
const server = setupServer();

describe('ModelHubClient', () => {
  beforeAll(() => server.listen({ onUnhandledRequest: 'error' }));
  afterEach(() => server.resetHandlers());
  afterAll(() => server.close());

  const fetchSpy = jest.fn((input: RequestInfo | URL, init?: RequestInit) =>
    fetch(input, {
      ...init,
      headers: { Authorization: 'Bearer test-token' },
    }),
  );
  const client = new ModelHubClient({
    discoveryApi: { getBaseUrl: async () => baseUrl },
    fetchApi: { fetch: fetchSpy as typeof fetch },
  });

  it('lists versions through the fetch API (so auth is attached)', async () => {
    const versions = [modelVersion('support-assistant', '1.0.0')];
    server.use(
      http.get(
        `${baseUrl}/v1/models/default/support-assistant/versions`,
        ({ request }) =>
          request.headers.get('authorization') === 'Bearer test-token'
            ? HttpResponse.json({ items: versions })
            : new HttpResponse(null, { status: 401 }),
      ),
    );
    await expect(
      client.listVersions('model:default/support-assistant'),
    ).resolves.toEqual(versions);
    expect(fetchSpy).toHaveBeenCalled();
  });

  it('throws a ResponseError with the server message on failure', async () => {
    server.use(
      http.get(`${baseUrl}/v1/models/default/broken/versions`, () =>
        HttpResponse.json(
          { error: { name: 'NotAllowedError', message: 'no read access' } },
          { status: 403 },
        ),
      ),
    );
    await expect(client.listVersions('model:default/broken')).rejects.toThrow(
      /403/,
    );
  });

  it('builds absolute, encoded file download URLs', async () => {
    await expect(
      client.getFileDownloadUrl(
        'model:team-a/my-model',
        '1.0.0',
        'weights/model 1.safetensors',
      ),
    ).resolves.toBe(
      `${baseUrl}/v1/models/team-a/my-model/versions/1.0.0/files/weights/model%201.safetensors`,
    );
  });

  it('passes the owner to the stewardship tasks route', async () => {
    const task = {
      id: 't1',
      kind: 're-run-gauntlet',
      entityRef: 'model:default/a',
      assignee: 'group:default/ml',
      severity: 'high',
      openedAt: '2026-11-01T00:00:00Z',
      title: 'Re-run the gauntlet',
      description: 'The evaluation expired.',
    };
    server.use(
      http.get(`${baseUrl}/v1/stewardship/tasks`, ({ request }) =>
        new URL(request.url).searchParams.get('owner') === 'group:default/ml'
          ? HttpResponse.json({ items: [task] })
          : HttpResponse.json({ items: [] }),
      ),
    );
    await expect(
      client.getTasks({ owner: 'group:default/ml' }),
    ).resolves.toEqual({ available: true, items: [task] });
  });

  it('reports stewardship tasks as unavailable when the route answers 404', async () => {
    server.use(
      http.get(
        `${baseUrl}/v1/stewardship/tasks`,
        () => new HttpResponse(null, { status: 404 }),
      ),
    );
    await expect(
      client.getTasks({ owner: 'group:default/ml' }),
    ).resolves.toEqual({ available: false });
  });

  it('still fails loudly on other stewardship errors', async () => {
    server.use(
      http.get(
        `${baseUrl}/v1/stewardship/tasks`,
        () => new HttpResponse('boom', { status: 500 }),
      ),
    );
    await expect(
      client.getTasks({ owner: 'group:default/ml' }),
    ).rejects.toThrow(/500/);
  });

  it('fetches the gauntlet state of a model with auth', async () => {
    const gauntlet = {
      entityRef: 'model:team-a/my-model',
      requestedTier: 'community',
      effectiveTier: 'community',
      reason: 'community gate passed',
      status: 'passed',
      version: '1.0.0',
      gates: [],
      checks: [
        {
          id: 1,
          runId: 1,
          entityRef: 'model:team-a/my-model',
          version: '1.0.0',
          tier: 'community',
          checkId: 'security',
          checkVersion: '1',
          status: 'pass',
          summary: 'clean',
          evidence: { files: 2 },
          configSha256: 'c',
          inputsSha256: 'i',
          startedAt: '2026-11-20T10:00:00.000Z',
          finishedAt: '2026-11-20T10:00:01.000Z',
          durationMs: 1000,
        },
      ],
      activeRuns: [],
      approvals: [],
      waivers: [],
    };
    server.use(
      http.get(`${baseUrl}/v1/models/team-a/my-model/gauntlet`, ({ request }) =>
        request.headers.get('authorization') === 'Bearer test-token'
          ? HttpResponse.json(gauntlet)
          : new HttpResponse(null, { status: 401 }),
      ),
    );
    await expect(client.getGauntlet('model:team-a/my-model')).resolves.toEqual({
      available: true,
      gauntlet,
    });
  });

  it('reports the gauntlet as unavailable on 404 and throws on other errors', async () => {
    server.use(
      http.get(
        `${baseUrl}/v1/models/default/gone/gauntlet`,
        () => new HttpResponse(null, { status: 404 }),
      ),
      http.get(`${baseUrl}/v1/models/default/broken/gauntlet`, () =>
        HttpResponse.json(
          { error: { name: 'NotAllowedError', message: 'no read access' } },
          { status: 403 },
        ),
      ),
    );
    await expect(client.getGauntlet('model:default/gone')).resolves.toEqual({
      available: false,
    });
    await expect(client.getGauntlet('model:default/broken')).rejects.toThrow(
      /403/,
    );
  });

  it('lists the gauntlet runs of a version', async () => {
    const run = {
      id: 3,
      entityRef: 'model:default/a',
      version: '2.0.0-rc.1',
      tier: 'community',
      trigger: 'manual',
      status: 'completed',
      attempts: 1,
      queuedAt: '2026-11-20T10:00:00.000Z',
    };
    server.use(
      http.get(
        `${baseUrl}/v1/models/default/a/versions/2.0.0-rc.1/gauntlet/runs`,
        () => HttpResponse.json({ items: [run] }),
      ),
    );
    await expect(
      client.getGauntletRuns('model:default/a', '2.0.0-rc.1'),
    ).resolves.toEqual([run]);
  });

  it('asks the hub for similar models with the typed name, tags and task', async () => {
    let asked: URLSearchParams | undefined;
    server.use(
      http.get(`${baseUrl}/v1/similar-models`, ({ request }) => {
        asked = new URL(request.url).searchParams;
        return HttpResponse.json({ items: [] });
      }),
    );
    await expect(
      client.findSimilarModels({
        name: 'review-sentiment',
        tags: ['nlp', 'en'],
        task: 'text-classification',
        limit: 5,
      }),
    ).resolves.toEqual({ items: [] });
    expect(asked?.get('name')).toBe('review-sentiment');
    expect(asked?.getAll('tags')).toEqual(['nlp', 'en']);
    expect(asked?.get('task')).toBe('text-classification');
    expect(asked?.get('limit')).toBe('5');
  });

  it('answers identical GETs in flight together with one request, each with its own copy', async () => {
    const versions = [modelVersion('support-assistant', '1.0.0')];
    let requests = 0;
    server.use(
      http.get(
        `${baseUrl}/v1/models/default/support-assistant/versions`,
        () => {
          requests++;
          return HttpResponse.json({ items: versions });
        },
      ),
    );
    const ref = 'model:default/support-assistant';
    const [a, b] = await Promise.all([
      client.listVersions(ref),
      client.listVersions(ref),
    ]);
    expect(requests).toBe(1);
    expect(a).toEqual(versions);
    expect(b).toEqual(versions);
    expect(a).not.toBe(b);
    a.pop();
    expect(b).toHaveLength(1);
    // Once answered, the next call asks the hub again.
    await client.listVersions(ref);
    expect(requests).toBe(2);
  });
});
