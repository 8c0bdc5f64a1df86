import {
  commitToRepo,
  FakeHuggingFaceServer,
  sendHubJson,
  syntheticHuggingFaceRepos,
} from './FakeHuggingFaceServer';
import { nextLink } from '../huggingface/HuggingFaceClient';

describe('FakeHuggingFaceServer', () => {
  let fake: FakeHuggingFaceServer;

  beforeAll(async () => {
    fake = await FakeHuggingFaceServer.start({
      token: 'hf_secret',
      repos: [
        ...syntheticHuggingFaceRepos('acme', 25),
        ...syntheticHuggingFaceRepos('acme', 2, { stem: 'distilbert' }),
        ...syntheticHuggingFaceRepos('other', 3, { stem: 'bert' }),
        {
          ...syntheticHuggingFaceRepos('acme', 1, { stem: 'secret' })[0],
          private: true,
        },
      ],
      collections: [
        {
          slug: 'acme/picks-0123456789abcdef01234567',
          title: 'Picks',
          items: [
            { type: 'model', id: 'other/bert-0001' },
            { type: 'dataset', id: 'acme/data' },
          ],
        },
        {
          slug: 'acme/hidden-0123456789abcdef01234568',
          title: 'Hidden',
          private: true,
          items: [],
        },
      ],
    });
  });
  afterAll(() => fake.close());

  const get = (path: string, token?: string) =>
    fetch(`${fake.url}${path}`, {
      headers: token ? { authorization: `Bearer ${token}` } : {},
    });

  it('pages an author listing through Link rel="next" cursors', async () => {
    const ids: string[] = [];
    let url: string | undefined = `${fake.url}/api/models?author=acme&limit=10`;
    let pages = 0;
    while (url) {
      const res: Response = await fetch(url);
      expect(res.status).toBe(200);
      ids.push(...((await res.json()) as Array<{ id: string }>).map(m => m.id));
      url = nextLink(res.headers.get('link'));
      pages++;
    }
    expect(pages).toBe(3);
    expect(ids).toHaveLength(27); // the private repo stays hidden
    expect(new Set(ids).size).toBe(27);
    expect(ids).not.toContain('acme/secret-0001');
  });

  it('search over-matches substrings, like the Hub', async () => {
    const res = await get('/api/models?search=bert');
    const ids = ((await res.json()) as Array<{ id: string }>).map(m => m.id);
    expect(ids).toEqual(
      expect.arrayContaining(['acme/distilbert-0001', 'other/bert-0001']),
    );
    expect(ids).toHaveLength(5);
  });

  it('rejects a limit past 1000 and a forged cursor', async () => {
    expect((await get('/api/models?limit=1001')).status).toBe(400);
    expect((await get('/api/models?cursor=bm9wZQ')).status).toBe(400);
  });

  it('answers expand[] with exactly the asked fields, plus securityRepoStatus', async () => {
    const res = await get(
      '/api/models/acme/model-0005?expand[]=sha&expand[]=cardData&expand[]=gated',
    );
    const body = await res.json();
    expect(Object.keys(body).sort()).toEqual(
      ['_id', 'cardData', 'gated', 'id', 'sha'].sort(),
    );
    expect(body.gated).toBe('auto');
    expect(body.sha).toMatch(/^[0-9a-f]{40}$/);
    const sec = await (
      await get('/api/models/acme/model-0005?securityStatus=true')
    ).json();
    expect(sec.securityRepoStatus).toEqual({
      scansDone: true,
      filesWithIssues: [],
    });
    expect(sec.siblings.map((s: { rfilename: string }) => s.rfilename)).toEqual(
      ['README.md', 'config.json', 'model.safetensors'],
    );
    expect(
      (await get('/api/models/acme/model-0005?expand[]=password')).status,
    ).toBe(400);
  });

  it('hides private repos and collections without the token and refuses a wrong one', async () => {
    expect((await get('/api/models/acme/secret-0001')).status).toBe(401);
    expect(
      (await get('/api/models/acme/secret-0001', 'hf_secret')).status,
    ).toBe(200);
    expect((await get('/api/models/acme/model-0001', 'hf_wrong')).status).toBe(
      401,
    );
    expect(
      (await get('/api/models/acme/nope')).headers.get('x-error-code'),
    ).toBe('RepoNotFound');
    const hidden = '/api/collections/acme/hidden-0123456789abcdef01234568';
    expect((await get(hidden)).status).toBe(404);
    expect((await get(hidden, 'hf_secret')).status).toBe(200);
  });

  it('serves a collection with its items', async () => {
    const body = await (
      await get('/api/collections/acme/picks-0123456789abcdef01234567')
    ).json();
    expect(body.title).toBe('Picks');
    expect(
      body.items.map((i: { id: string; type: string }) => [i.type, i.id]),
    ).toEqual([
      ['model', 'other/bert-0001'],
      ['dataset', 'acme/data'],
    ]);
  });

  it('a commit moves sha and lastModified; extra routes can be added', async () => {
    const repo = fake.repo('acme/model-0002');
    const before = repo.sha;
    const after = commitToRepo(repo, {
      cardData: { license: 'mit' },
      at: new Date('2026-12-01T00:00:00Z'),
    });
    expect(after).not.toBe(before);
    expect(repo.history?.[before]).toBeDefined();
    const body = await (
      await get(
        '/api/models/acme/model-0002?expand[]=sha&expand[]=lastModified',
      )
    ).json();
    expect(body).toMatchObject({
      sha: after,
      lastModified: '2026-12-01T00:00:00.000Z',
    });
    fake.route('GET', /^\/api\/whoami-v2$/, (request, res) =>
      sendHubJson(res, request.authorized ? 200 : 401, {}),
    );
    expect((await get('/api/whoami-v2', 'hf_secret')).status).toBe(200);
    expect((await get('/api/whoami-v2')).status).toBe(401);
  });
});
