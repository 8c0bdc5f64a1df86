import request from 'supertest';
import { MALICIOUS_PICKLE, sha256 } from '../__testUtils__/fixtures';
import {
  HF_ALICE,
  HF_BOB,
  hfModel,
  HfTestBackend,
  startHfTestBackend,
} from '../__testUtils__/hfBackend';
import errorFixture from './__fixtures__/error.json';
import listFixture from './__fixtures__/list-models.json';
import modelInfoFixture from './__fixtures__/model-info.json';
import resolveHeadersFixture from './__fixtures__/resolve-headers.json';
import treeExpandedFixture from './__fixtures__/tree-expanded-entry.json';
import treeFixture from './__fixtures__/tree.json';
import { gitBlobId, lfsPointer } from './serializers';

jest.setTimeout(120_000);

/** Fields whose content is free-form (the model card): only the type is compared. */
const FREE_FORM = new Set(['cardData']);

/** Asserts that `actual` has every field of `fixture`, with the same JSON type. */
function expectSameShape(actual: unknown, fixture: unknown, at = '$'): void {
  const type = (v: unknown) => {
    if (v === null) return 'null';
    return Array.isArray(v) ? 'array' : typeof v;
  };
  expect({ at, type: type(actual) }).toEqual({ at, type: type(fixture) });
  if (Array.isArray(fixture) && Array.isArray(actual)) {
    if (fixture.length > 0 && actual.length > 0) {
      expectSameShape(actual[0], fixture[0], `${at}[0]`);
    }
  } else if (type(fixture) === 'object') {
    for (const [key, value] of Object.entries(fixture as object)) {
      const mine = (actual as Record<string, unknown>)[key];
      expect({ at: `${at}.${key}`, present: mine !== undefined }).toEqual({
        at: `${at}.${key}`,
        present: true,
      });
      if (!FREE_FORM.has(key)) expectSameShape(mine, value, `${at}.${key}`);
    }
  }
}

/** A header value's form: hex digests and numbers may differ, the rest not. */
function formOf(example: string): RegExp {
  const escaped = example
    .split(/([0-9a-f]{64}|[0-9a-f]{40}|\d+)/)
    .map((part, i) => {
      if (i % 2 === 0) return part.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');
      if (/^[0-9a-f]{64}$/.test(part)) return '[0-9a-f]{64}';
      if (/^[0-9a-f]{40}$/.test(part)) return '[0-9a-f]{40}';
      return '\\d+';
    })
    .join('');
  return new RegExp(`^${escaped}$`);
}

const CONFIG = Buffer.from('{"model_type":"bert"}\n');
const WEIGHTS = Buffer.alloc(4096, 7);
const TOKENIZER = Buffer.from('{"version":"1.0"}\n');
const MODEL_REF = 'model:default/sentiment';
const REPO = 'ml-team/sentiment';

describe('Hugging Face endpoints: contract', () => {
  let hub: HfTestBackend;
  let token: string;
  let bobToken: string;
  const hf = (p: string) => `/api/model-hub/hf${p}`;

  beforeAll(async () => {
    hub = await startHfTestBackend({
      entities: [
        hfModel('sentiment', { tags: ['nlp'] }),
        hfModel('ner', { namespace: 'nlp' }),
        hfModel('secret-fraud'),
        hfModel('tainted'),
        hfModel('empty'),
      ],
    });
    await hub.publish(MODEL_REF, '1.0.0', {
      'config.json': CONFIG,
      'onnx/model.onnx': WEIGHTS,
    });
    await hub.publish(
      MODEL_REF,
      '1.1.0',
      {
        'config.json': CONFIG,
        'onnx/model.onnx': WEIGHTS,
        'onnx/quantized/model.onnx': WEIGHTS.subarray(0, 100),
        'tokenizer.json': TOKENIZER,
      },
      ['latest', 'champion'],
    );
    // 2.0.0 is newer but not aliased: main follows `latest`.
    await hub.publish(MODEL_REF, '2.0.0', { 'config.json': CONFIG });
    await hub.publish('model:nlp/ner', '0.1.0', { 'config.json': CONFIG });
    await hub.publish('model:default/secret-fraud', '1.0.0', {
      'config.json': CONFIG,
    });
    await hub.publish('model:default/tainted', '1.0.0', {
      'model.pkl': MALICIOUS_PICKLE,
    });
    token = await hub.hfToken(HF_ALICE);
    bobToken = await hub.hfToken(HF_BOB);
  });

  afterAll(() => hub?.stop());

  const get = (p: string, t = token) =>
    request(hub.server).get(hf(p)).set('Authorization', `Bearer ${t}`);

  it('serves model info in the shape of the Hub API, with the birth certificate as cardData', async () => {
    const res = await get(`/api/models/${REPO}`);
    expect(res.status).toBe(200);
    expectSameShape(res.body, modelInfoFixture);
    expect(res.body).toMatchObject({
      id: REPO,
      modelId: REPO,
      author: 'ml-team',
      private: true,
      gated: false,
      pipeline_tag: 'text-classification',
      library_name: 'onnx',
      cardData: {
        license: 'Apache-2.0',
        pipeline_tag: 'text-classification',
        tags: ['nlp'],
      },
      modelHub: { version: '1.1.0', entityRef: MODEL_REF },
    });
    expect(res.body.tags).toEqual(
      expect.arrayContaining(['nlp', 'onnx', 'license:apache-2.0']),
    );
    expect(res.body.sha).toMatch(/^[0-9a-f]{40}$/);
    expect(res.body.siblings).toEqual([
      { rfilename: 'config.json' },
      { rfilename: 'onnx/model.onnx' },
      { rfilename: 'onnx/quantized/model.onnx' },
      { rfilename: 'tokenizer.json' },
    ]);
  });

  it('resolves main, HEAD, versions, aliases and the commit sha to the same stable commit', async () => {
    const main = (await get(`/api/models/${REPO}`)).body.sha;
    for (const rev of ['main', 'HEAD', '1.1.0', 'latest', 'champion', main]) {
      const res = await get(
        `/api/models/${REPO}/revision/${encodeURIComponent(rev)}`,
      );
      expect({ rev, status: res.status, sha: res.body.sha }).toEqual({
        rev,
        status: 200,
        sha: main,
      });
    }
    const old = await get(`/api/models/${REPO}/revision/1.0.0`);
    expect(old.body.sha).toMatch(/^[0-9a-f]{40}$/);
    expect(old.body.sha).not.toBe(main);
    expect(old.body.siblings).toHaveLength(2);
    // Another model with identical files gets another commit id.
    const ner = await get('/api/models/nlp/ner');
    const newest = await get(`/api/models/${REPO}/revision/2.0.0`);
    expect(ner.body.sha).not.toBe(newest.body.sha);
  });

  it('answers unknown revisions, drafts, repos and files with the Hub error codes', async () => {
    const revision = await get(`/api/models/${REPO}/revision/9.9.9`);
    expect(revision.status).toBe(404);
    expect(revision.headers['x-error-code']).toBe('RevisionNotFound');
    expectSameShape(revision.body, errorFixture.body);
    expect(revision.headers['x-error-message']).toContain('9.9.9');

    const empty = await get('/api/models/ml-team/empty');
    expect(empty.status).toBe(404);
    expect(empty.body.error).toContain('no sealed version');

    const repo = await get('/api/models/ml-team/nothing-here');
    expect(repo.status).toBe(404);
    expect(repo.headers['x-error-code']).toBe(
      errorFixture.headers['x-error-code'],
    );

    const file = await get(`/${REPO}/resolve/main/missing.bin`);
    expect(file.status).toBe(404);
    expect(file.headers['x-error-code']).toBe('EntryNotFound');
  });

  it('lists the tree like the Hub: directories and LFS files, recursive, by path, expanded', async () => {
    const top = await get(`/api/models/${REPO}/tree/main`);
    expect(top.status).toBe(200);
    expectSameShape(top.body, treeFixture);
    expect(top.body.map((e: any) => [e.type, e.path])).toEqual([
      ['directory', 'onnx'],
      ['file', 'config.json'],
      ['file', 'tokenizer.json'],
    ]);
    const config = top.body.find((e: any) => e.path === 'config.json');
    const pointer = lfsPointer({ sha256: sha256(CONFIG), size: CONFIG.length });
    expect(config).toEqual({
      type: 'file',
      oid: gitBlobId(pointer),
      size: CONFIG.length,
      lfs: {
        oid: sha256(CONFIG),
        size: CONFIG.length,
        pointerSize: Buffer.byteLength(pointer),
      },
      path: 'config.json',
    });

    const recursive = await get(
      `/api/models/${REPO}/tree/main?recursive=true&expand=true`,
    );
    expect(recursive.body.map((e: any) => e.path)).toEqual([
      'onnx',
      'onnx/quantized',
      'config.json',
      'onnx/model.onnx',
      'onnx/quantized/model.onnx',
      'tokenizer.json',
    ]);
    expectSameShape(recursive.body[2], treeExpandedFixture);
    const sha = (await get(`/api/models/${REPO}`)).body.sha;
    expect(recursive.body[2].lastCommit.id).toBe(sha);

    const sub = await get(`/api/models/${REPO}/tree/1.1.0/onnx`);
    expect(sub.body.map((e: any) => e.path)).toEqual([
      'onnx/quantized',
      'onnx/model.onnx',
    ]);
    const none = await get(`/api/models/${REPO}/tree/main/nope`);
    expect(none.status).toBe(404);
    expect(none.headers['x-error-code']).toBe('EntryNotFound');
  });

  it('computes LFS pointer sizes as Git LFS does (133 bytes for a 13.6 MB file)', () => {
    const pointer = lfsPointer({ sha256: 'a'.repeat(64), size: 13_600_000 });
    expect(Buffer.byteLength(pointer)).toBe(133);
    // git hash-object of the empty blob.
    expect(gitBlobId('')).toBe('e69de29bb2d1d6434b8b29ae775ad8c2e48c5391');
  });

  it('answers paths-info as JSON and as a form, skipping unknown paths', async () => {
    const asJson = await request(hub.server)
      .post(hf(`/api/models/${REPO}/paths-info/main`))
      .set('Authorization', `Bearer ${token}`)
      .send({ paths: ['config.json', 'onnx', 'nope'], expand: true });
    expect(asJson.status).toBe(200);
    expect(asJson.body.map((e: any) => [e.type, e.path])).toEqual([
      ['file', 'config.json'],
      ['directory', 'onnx'],
    ]);
    expectSameShape(asJson.body[0], treeExpandedFixture);
    const asForm = await request(hub.server)
      .post(hf(`/api/models/${REPO}/paths-info/1.0.0`))
      .set('Authorization', `Bearer ${token}`)
      .type('form')
      .send('paths=config.json&paths=onnx%2Fmodel.onnx');
    expect(asForm.status).toBe(200);
    expect(asForm.body.map((e: any) => e.path)).toEqual([
      'config.json',
      'onnx/model.onnx',
    ]);
    expect(asForm.body[0].lastCommit).toBeUndefined();
  });

  it('downloads with the Hub headers through the compressing front, never content-encoded', async () => {
    const sha = (await get(`/api/models/${REPO}`)).body.sha;
    const res = await request(hub.front)
      .get(hf(`/${REPO}/resolve/main/onnx/model.onnx`))
      .set('Authorization', `Bearer ${token}`)
      .set('Accept-Encoding', 'gzip, deflate, br')
      .buffer(true)
      .parse((r, cb) => {
        const chunks: Buffer[] = [];
        r.on('data', (c: Buffer) => chunks.push(c));
        r.on('end', () => cb(null, Buffer.concat(chunks)));
      });
    expect(res.status).toBe(200);
    expect(Buffer.compare(res.body, WEIGHTS)).toBe(0);
    expect(res.headers['content-encoding']).toBeUndefined();
    for (const [name, example] of Object.entries(resolveHeadersFixture)) {
      expect({ name, value: res.headers[name] }).toEqual({
        name,
        value: expect.stringMatching(formOf(example)),
      });
    }
    expect(res.headers['x-repo-commit']).toBe(sha);
    expect(res.headers.etag).toBe(`"${sha256(WEIGHTS)}"`);
    expect(res.headers['x-linked-size']).toBe(String(WEIGHTS.length));

    const head = await request(hub.front)
      .head(hf(`/${REPO}/resolve/1.0.0/config.json`))
      .set('Authorization', `Bearer ${token}`);
    expect(head.status).toBe(200);
    expect(head.headers['content-length']).toBe(String(CONFIG.length));
    expect(head.headers['x-linked-etag']).toBe(`"${sha256(CONFIG)}"`);

    const range = await request(hub.server)
      .get(hf(`/${REPO}/resolve/main/onnx/model.onnx`))
      .set('Authorization', `Bearer ${token}`)
      .set('Range', 'bytes=0-0');
    expect(range.status).toBe(206);
    expect(range.headers['content-range']).toBe(`bytes 0-0/${WEIGHTS.length}`);

    const cached = await request(hub.server)
      .get(hf(`/${REPO}/resolve/main/config.json`))
      .set('Authorization', `Bearer ${token}`)
      .set('If-None-Match', `"${sha256(CONFIG)}"`);
    expect(cached.status).toBe(304);
  });

  it('records each completed GET download as a pull by the token user, not HEAD or 304', async () => {
    hub.downloads.length = 0;
    const first = await get(`/${REPO}/resolve/latest/tokenizer.json`);
    expect(first.status).toBe(200);
    expect(first.body.toString()).toBe(TOKENIZER.toString());
    // Recorded once the body has gone out, which can trail the client's
    // view of the response on a busy machine.
    for (let i = 0; i < 400 && hub.downloads.length === 0; i++) {
      await new Promise(r => setTimeout(r, 50));
    }
    await request(hub.server)
      .head(hf(`/${REPO}/resolve/main/tokenizer.json`))
      .set('Authorization', `Bearer ${token}`);
    await request(hub.server)
      .get(hf(`/${REPO}/resolve/main/tokenizer.json`))
      .set('Authorization', `Bearer ${token}`)
      .set('If-None-Match', `"${sha256(TOKENIZER)}"`);
    await new Promise(r => setTimeout(r, 200));
    expect(hub.downloads).toEqual([
      expect.objectContaining({
        entityRef: MODEL_REF,
        version: '1.1.0',
        revision: 'latest',
        path: 'tokenizer.json',
        sha256: sha256(TOKENIZER),
        size: TOKENIZER.length,
        actor: HF_ALICE,
        partial: false,
      }),
    ]);
    // The same download is a pull in the hub's usage metrics (client: hf).
    const usage = await request(hub.server)
      .get('/api/model-hub/v1/models/default/sentiment/usage')
      .set('Authorization', `Bearer ${token}`);
    expect(usage.status).toBe(200);
    expect(usage.body.pullsAllTime).toBeGreaterThanOrEqual(1);
  });

  it('refuses a version with an unsafe security verdict with a one-line 403', async () => {
    for (const p of [
      '/api/models/ml-team/tainted',
      '/api/models/ml-team/tainted/tree/main',
      '/ml-team/tainted/resolve/main/model.pkl',
    ]) {
      const res = await get(p);
      expect({ p, status: res.status }).toEqual({ p, status: 403 });
      expect(res.body.error).toMatch(/unsafe content in model\.pkl/);
      expect(res.body.error).not.toContain('\n');
      expect(res.headers['x-error-message']).toBe(res.body.error);
    }
  });

  it('applies catalog visibility: a hidden model is absent, in lists too', async () => {
    const mine = await get('/api/models/ml-team/secret-fraud');
    expect(mine.status).toBe(200);
    const hidden = await get('/api/models/ml-team/secret-fraud', bobToken);
    expect(hidden.status).toBe(404);
    expect(hidden.headers['x-error-code']).toBe('RepoNotFound');
    const file = await get(
      '/ml-team/secret-fraud/resolve/main/config.json',
      bobToken,
    );
    expect(file.status).toBe(404);
    const list = await get('/api/models?limit=100', bobToken);
    expect(list.body.map((m: any) => m.id)).not.toContain(
      'ml-team/secret-fraud',
    );
    expect(list.body.map((m: any) => m.id)).toContain(REPO);
  });

  it('needs a token: none is 401; the mhp_ form works like the hf_ form', async () => {
    const none = await request(hub.server).get(hf(`/api/models/${REPO}`));
    expect(none.status).toBe(401);
    const wrong = await get(
      `/api/models/${REPO}`,
      `hf_${'0'.repeat(16)}_${'x'.repeat(43)}`,
    );
    expect(wrong.status).toBe(401);
    const mhp = await get(`/api/models/${REPO}`, `mhp_${token.slice(3)}`);
    expect(mhp.status).toBe(200);
  });

  it('lists models like the Hub: filters, sort and Link pagination with absolute URLs', async () => {
    const all = await get('/api/models');
    expect(all.status).toBe(200);
    expectSameShape(all.body, listFixture);
    // Models without a sealed version are not listed.
    expect(all.body.map((m: any) => m.id).sort()).toEqual([
      'ml-team/secret-fraud',
      'ml-team/sentiment',
      'ml-team/tainted',
      'nlp/ner',
    ]);
    const byAuthor = await get('/api/models?author=nlp');
    expect(byAuthor.body.map((m: any) => m.id)).toEqual(['nlp/ner']);
    const bySearch = await get('/api/models?search=SENTI');
    expect(bySearch.body.map((m: any) => m.id)).toEqual([REPO]);
    const byTag = await get(
      '/api/models?filter=nlp&filter=license:apache-2.0&pipeline_tag=text-classification',
    );
    expect(byTag.body.map((m: any) => m.id)).toEqual([REPO]);

    const seen: string[] = [];
    let res = await get('/api/models?sort=id&limit=3');
    seen.push(...res.body.map((m: any) => m.id));
    const link = res.headers.link as string;
    expect(link).toMatch(
      /^<http:\/\/127\.0\.0\.1:\d+\/api\/model-hub\/hf\/api\/models\?.*cursor=.*>; rel="next"$/,
    );
    const next = new URL(/^<([^>]+)>/.exec(link)![1]);
    res = await get(`/api/models${next.search}`);
    expect(res.headers.link).toBeUndefined();
    seen.push(...res.body.map((m: any) => m.id));
    expect(seen).toEqual([
      'ml-team/secret-fraud',
      'ml-team/sentiment',
      'ml-team/tainted',
      'nlp/ner',
    ]);
    const bad = await get('/api/models?cursor=%%%');
    expect(bad.status).toBe(400);
    expect(bad.body.error).toContain('cursor');
  });
});

describe('Hugging Face endpoints: configuration', () => {
  let hub: HfTestBackend;
  afterEach(() => hub?.stop());

  it('serves unsafe versions with modelHub.hf.allowUnsafe, and maps by entity namespace in namespace mode', async () => {
    hub = await startHfTestBackend({
      entities: [hfModel('tainted')],
      hfConfig: { allowUnsafe: true, namespace: 'namespace' },
    });
    await hub.publish('model:default/tainted', '1.0.0', {
      'model.pkl': MALICIOUS_PICKLE,
    });
    const token = await hub.hfToken(HF_ALICE);
    const res = await request(hub.server)
      .get('/api/model-hub/hf/default/tainted/resolve/main/model.pkl')
      .set('Authorization', `Bearer ${token}`);
    expect(res.status).toBe(200);
    const owner = await request(hub.server)
      .get('/api/model-hub/hf/api/models/ml-team/tainted')
      .set('Authorization', `Bearer ${token}`);
    expect(owner.status).toBe(404);
  });
});
