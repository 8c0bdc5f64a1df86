import http from 'node:http';
import { AddressInfo } from 'node:net';
import path from 'node:path';
import { mockCredentials } from '@backstage/backend-test-utils';
import { Entity } from '@backstage/catalog-model';
import {
  MODEL_HUB_SHA256_HEADER,
  modelHubApiPaths,
  ModelVersion,
} from '@internal/plugin-model-hub-common';
import request from 'supertest';
import { artifactKey } from '../artifacts/ArtifactStore';
import {
  BENIGN_PICKLE,
  listFiles,
  MALICIOUS_PICKLE,
  safetensors,
  sha256,
} from '../__testUtils__/fixtures';
import {
  ModelHubTestBackend,
  ownersPublishPolicy,
  startModelHubTestBackend,
} from '../__testUtils__/modelHubBackend';

jest.setTimeout(60_000);

const MAX_UPLOAD = 64 * 1024;
const ALICE = 'user:default/alice'; // member of group:default/ml-team
const BOB = 'user:default/bob'; // owns nothing
const MODEL_REF = 'model:default/support-assistant';

const model: Entity = {
  apiVersion: 'modelhub.io/v1alpha1',
  kind: 'Model',
  metadata: { name: 'support-assistant', namespace: 'default' },
  spec: { owner: 'ml-team', type: 'llm', lifecycle: 'production' },
};
const component: Entity = {
  apiVersion: 'backstage.io/v1alpha1',
  kind: 'Component',
  metadata: { name: 'payments-api', namespace: 'default' },
  spec: { owner: 'ml-team', type: 'service', lifecycle: 'production' },
};

const binary = (
  res: any,
  callback: (err: Error | null, body: Buffer) => void,
) => {
  const chunks: Buffer[] = [];
  res.on('data', (chunk: Buffer) => chunks.push(chunk));
  res.on('end', () => callback(null, Buffer.concat(chunks)));
};

describe('model hub router', () => {
  let server: http.Server;
  let dataDir: string;
  let artifactsDir: string;
  let stagingDir: string;
  const base = '/api/model-hub';
  const asAlice = mockCredentials.user.header(ALICE);
  const asBob = mockCredentials.user.header(BOB);

  let backend: ModelHubTestBackend;
  beforeAll(async () => {
    backend = await startModelHubTestBackend({
      entities: [model, component],
      groups: { [ALICE]: ['group:default/ml-team'] },
      policy: ownersPublishPolicy(),
      modelHub: { artifacts: { maxUploadBytes: MAX_UPLOAD } },
    });
    server = backend.server;
    dataDir = backend.dataDir;
    artifactsDir = path.join(dataDir, 'artifacts');
    stagingDir = path.join(dataDir, 'staging');
  });

  afterAll(async () => {
    await backend?.stop();
  });

  const api = (p: string) => `${base}${p}`;

  async function createVersion(version: string, body: object = {}) {
    return request(server)
      .post(api(modelHubApiPaths.versions(MODEL_REF)))
      .set('Authorization', asAlice)
      .send({ version, ...body });
  }

  async function upload(version: string, filePath: string, bytes: Buffer) {
    return request(server)
      .put(api(modelHubApiPaths.file(MODEL_REF, version, filePath)))
      .set('Authorization', asAlice)
      .set('Content-Type', 'application/octet-stream')
      .set(MODEL_HUB_SHA256_HEADER, sha256(bytes))
      .send(bytes);
  }

  async function publish(version: string, files: Record<string, Buffer>) {
    expect((await createVersion(version)).status).toBe(201);
    for (const [filePath, bytes] of Object.entries(files)) {
      const res = await upload(version, filePath, bytes);
      expect(res.status).toBe(201);
    }
    const sealed = await request(server)
      .post(api(modelHubApiPaths.seal(MODEL_REF, version)))
      .set('Authorization', asAlice);
    expect(sealed.status).toBe(200);
    return sealed.body as ModelVersion;
  }

  /** Sends a raw request, optionally aborting it after the given chunks. */
  function raw(options: {
    method: string;
    path: string;
    headers: Record<string, string>;
    chunks: Buffer[];
    abort?: boolean;
  }): Promise<{ status: number; body: string } | 'aborted'> {
    const { port } = server.address() as AddressInfo;
    return new Promise((resolve, reject) => {
      const req = http.request(
        {
          host: '127.0.0.1',
          port,
          method: options.method,
          path: options.path,
          headers: options.headers,
        },
        res => {
          let body = '';
          res.setEncoding('utf8');
          res.on('data', c => (body += c));
          res.on('end', () => resolve({ status: res.statusCode!, body }));
        },
      );
      req.on('error', error =>
        options.abort ? resolve('aborted') : reject(error),
      );
      (async () => {
        for (const chunk of options.chunks) {
          req.write(chunk);
          await new Promise(r => setTimeout(r, 10));
        }
        if (options.abort) {
          req.destroy();
        } else {
          req.end();
        }
      })();
    });
  }

  async function waitForEmptyStaging() {
    for (let i = 0; i < 100 && (await listFiles(stagingDir)).length > 0; i++) {
      await new Promise(r => setTimeout(r, 20));
    }
    return listFiles(stagingDir);
  }

  it('rejects unauthenticated requests with 401', async () => {
    const res = await request(server).get(
      api(modelHubApiPaths.versions(MODEL_REF)),
    );
    expect(res.status).toBe(401);
    const put = await request(server)
      .put(api(modelHubApiPaths.file(MODEL_REF, '1.0.0', 'a.bin')))
      .set('Content-Type', 'application/octet-stream')
      .send(Buffer.from('x'));
    expect(put.status).toBe(401);
  });

  it('answers the health check for authenticated callers', async () => {
    const res = await request(server)
      .get(api('/v1/health'))
      .set('Authorization', asBob);
    expect(res.status).toBe(200);
    expect(res.body).toEqual({ status: 'ok' });
  });

  it('names an unknown model clearly (404)', async () => {
    const res = await request(server)
      .post(api(modelHubApiPaths.versions('model:default/foo')))
      .set('Authorization', asAlice)
      .send({ version: '1.0.0' });
    expect(res.status).toBe(404);
    expect(res.body.error.message).toBe(
      'Model model:default/foo not found in the catalog',
    );
    const list = await request(server)
      .get(api(modelHubApiPaths.versions('model:default/foo')))
      .set('Authorization', asAlice);
    expect(list.status).toBe(404);
  });

  it('forbids publishing to non-owners (403)', async () => {
    const res = await request(server)
      .post(api(modelHubApiPaths.versions(MODEL_REF)))
      .set('Authorization', asBob)
      .send({ version: '0.0.1' });
    expect(res.status).toBe(403);
    expect(res.body.error.message).toContain('group:default/ml-team');
    const alias = await request(server)
      .put(api(modelHubApiPaths.alias(MODEL_REF, 'champion')))
      .set('Authorization', asBob)
      .send({ version: '0.0.1' });
    expect(alias.status).toBe(403);
    // Reading is open to every signed-in user who can see the model.
    const list = await request(server)
      .get(api(modelHubApiPaths.versions(MODEL_REF)))
      .set('Authorization', asBob);
    expect(list.status).toBe(200);
  });

  it('validates versions, paths and aliases (400)', async () => {
    expect((await createVersion('one')).status).toBe(400);
    expect((await createVersion('v1.0.0')).body.error.message).toContain(
      "use the canonical form '1.0.0'",
    );
    expect((await createVersion('0.9.0')).status).toBe(201);
    for (const bad of ['%2Fetc%2Fpasswd', 'a/%2E%2E/b', 'a%5Cb', 'a//b']) {
      const res = await request(server)
        .put(
          api(`${modelHubApiPaths.version(MODEL_REF, '0.9.0')}/files/${bad}`),
        )
        .set('Authorization', asAlice)
        .set('Content-Type', 'application/octet-stream')
        .send(Buffer.from('x'));
      expect({ bad, status: res.status }).toEqual({ bad, status: 400 });
      expect(res.body.error.message).toMatch(/^Invalid file path/);
    }
    const alias = await request(server)
      .put(api(modelHubApiPaths.alias(MODEL_REF, '1.0.0')))
      .set('Authorization', asAlice)
      .send({ version: '0.9.0' });
    expect(alias.status).toBe(400);
    expect(
      (
        await request(server)
          .post(api(modelHubApiPaths.versions(MODEL_REF)))
          .set('Authorization', asAlice)
          .send({ description: 'no version' })
      ).status,
    ).toBe(400);
    const sealEmpty = await request(server)
      .post(api(modelHubApiPaths.seal(MODEL_REF, '0.9.0')))
      .set('Authorization', asAlice);
    expect(sealEmpty.status).toBe(400);
    expect(sealEmpty.body.error.message).toContain('has no files');
  });

  it('publishes a version: create, upload, seal, list, get, alias', async () => {
    const weights = safetensors([0.5, -1, 2]);
    const created = await createVersion('1.0.0', { description: 'first' });
    expect(created.status).toBe(201);
    expect(created.body).toMatchObject({
      entityRef: MODEL_REF,
      version: '1.0.0',
      state: 'draft',
      createdBy: ALICE,
      files: [],
    });
    expect((await createVersion('1.0.0')).status).toBe(200);

    const uploaded = await upload(
      '1.0.0',
      'weights/model.safetensors',
      weights,
    );
    expect(uploaded.status).toBe(201);
    expect(uploaded.body).toMatchObject({
      path: 'weights/model.safetensors',
      size: weights.length,
      sha256: sha256(weights),
      format: 'safetensors',
      scan: { verdict: 'safe', format: 'safetensors' },
      uploadedBy: ALICE,
    });
    expect(await listFiles(artifactsDir)).toContain(
      artifactKey(sha256(weights)),
    );

    const sealed = await request(server)
      .post(api(modelHubApiPaths.seal(MODEL_REF, '1.0.0')))
      .set('Authorization', asAlice);
    expect(sealed.status).toBe(200);
    expect(sealed.body).toMatchObject({ state: 'sealed', scanVerdict: 'safe' });

    const alias = await request(server)
      .put(api(modelHubApiPaths.alias(MODEL_REF, 'champion')))
      .set('Authorization', asAlice)
      .send({ version: '1.0.0' });
    expect(alias.status).toBe(200);
    expect(alias.body.aliases).toEqual(['champion']);

    const byAlias = await request(server)
      .get(api(modelHubApiPaths.version(MODEL_REF, 'champion')))
      .set('Authorization', asBob);
    expect(byAlias.status).toBe(200);
    expect(byAlias.body).toMatchObject({
      version: '1.0.0',
      description: 'first',
      files: [{ path: 'weights/model.safetensors', sha256: sha256(weights) }],
    });

    await publish('1.1.0', { 'model.safetensors': safetensors([1]) });
    const moved = await request(server)
      .put(api(modelHubApiPaths.alias(MODEL_REF, 'champion')))
      .set('Authorization', asAlice)
      .send({ version: '1.1.0' });
    expect(moved.body).toMatchObject({
      version: '1.1.0',
      aliases: ['champion'],
    });

    const list = await request(server)
      .get(api(modelHubApiPaths.versions(MODEL_REF)))
      .set('Authorization', asBob);
    expect(list.status).toBe(200);
    const items = list.body.items as ModelVersion[];
    expect(items.map(v => v.version).slice(0, 2)).toEqual(['1.1.0', '1.0.0']);
    expect(items.find(v => v.version === '1.0.0')!.aliases).toEqual([]);

    const missing = await request(server)
      .get(api(modelHubApiPaths.version(MODEL_REF, 'nope')))
      .set('Authorization', asBob);
    expect(missing.status).toBe(404);
  });

  it('only aliases sealed versions (409)', async () => {
    expect((await createVersion('1.5.0')).status).toBe(201);
    const res = await request(server)
      .put(api(modelHubApiPaths.alias(MODEL_REF, 'next')))
      .set('Authorization', asAlice)
      .send({ version: '1.5.0' });
    expect(res.status).toBe(409);
  });

  it('stores the scan result and serves an unsafe verdict', async () => {
    const sealed = await publish('2.0.0', {
      'model.safetensors': safetensors([3, 4]),
      'legacy/model.pkl': MALICIOUS_PICKLE,
    });
    expect(sealed.scanVerdict).toBe('unsafe');
    const got = await request(server)
      .get(api(modelHubApiPaths.version(MODEL_REF, '2.0.0')))
      .set('Authorization', asBob);
    const pickle = (got.body as ModelVersion).files.find(
      f => f.path === 'legacy/model.pkl',
    )!;
    expect(pickle.format).toBe('pickle');
    expect(pickle.scan.verdict).toBe('unsafe');
    expect(pickle.scan.findings.length).toBeGreaterThan(0);
    expect(got.body.scanVerdict).toBe('unsafe');
  });

  it('keeps sealed versions immutable: 409 for changes, 200 for identical re-publish', async () => {
    const bytes = safetensors([7, 8, 9]);
    await publish('3.0.0', { 'model.safetensors': bytes });
    const same = await createVersion('3.0.0', {
      files: [{ path: 'model.safetensors', sha256: sha256(bytes) }],
    });
    expect(same.status).toBe(200);
    expect(same.body).toMatchObject({ version: '3.0.0', state: 'sealed' });

    const different = await createVersion('3.0.0', {
      files: [{ path: 'model.safetensors', sha256: sha256(BENIGN_PICKLE) }],
    });
    expect(different.status).toBe(409);
    expect(different.body.error.message).toContain(
      "'model.safetensors' has SHA-256",
    );
    expect((await createVersion('3.0.0')).status).toBe(409);

    const reupload = await upload('3.0.0', 'model.safetensors', BENIGN_PICKLE);
    expect(reupload.status).toBe(409);
    const extra = await upload('3.0.0', 'extra.pkl', BENIGN_PICKLE);
    expect(extra.status).toBe(409);
    const after = await request(server)
      .get(api(modelHubApiPaths.version(MODEL_REF, '3.0.0')))
      .set('Authorization', asAlice);
    expect(after.body.files).toHaveLength(1);
    expect(after.body.files[0].sha256).toBe(sha256(bytes));
  });

  it('rejects a SHA-256 mismatch and keeps nothing', async () => {
    expect((await createVersion('4.0.0')).status).toBe(201);
    const bytes = Buffer.from('not what was declared');
    const before = await listFiles(artifactsDir);
    const res = await request(server)
      .put(api(modelHubApiPaths.file(MODEL_REF, '4.0.0', 'a.bin')))
      .set('Authorization', asAlice)
      .set('Content-Type', 'application/octet-stream')
      .set(MODEL_HUB_SHA256_HEADER, sha256(Buffer.from('declared')))
      .send(bytes);
    expect(res.status).toBe(400);
    expect(res.body.error.message).toContain('SHA-256 mismatch');
    expect(await listFiles(artifactsDir)).toEqual(before);
    expect(await listFiles(artifactsDir)).not.toContain(
      artifactKey(sha256(bytes)),
    );
    expect(await waitForEmptyStaging()).toEqual([]);
    const version = await request(server)
      .get(api(modelHubApiPaths.version(MODEL_REF, '4.0.0')))
      .set('Authorization', asAlice);
    expect(version.body.files).toEqual([]);
  });

  it('answers 413 for uploads over the limit, declared or streamed', async () => {
    expect((await createVersion('5.0.0')).status).toBe(201);
    const before = await listFiles(artifactsDir);
    const tooBig = Buffer.alloc(MAX_UPLOAD + 1, 1);
    const declared = await raw({
      method: 'PUT',
      path: api(modelHubApiPaths.file(MODEL_REF, '5.0.0', 'big.bin')),
      headers: {
        authorization: asAlice,
        'content-type': 'application/octet-stream',
        'content-length': String(tooBig.length),
      },
      chunks: [tooBig],
    });
    expect(declared).toMatchObject({ status: 413 });

    const chunks = Array.from({ length: 10 }, () =>
      Buffer.alloc(MAX_UPLOAD / 8, 2),
    );
    const streamed = await raw({
      method: 'PUT',
      path: api(modelHubApiPaths.file(MODEL_REF, '5.0.0', 'big.bin')),
      headers: {
        authorization: asAlice,
        'content-type': 'application/octet-stream',
        'transfer-encoding': 'chunked',
      },
      chunks,
    });
    expect(streamed).toMatchObject({ status: 413 });
    expect(
      JSON.parse((streamed as { body: string }).body).error.message,
    ).toContain(`exceeds the limit of ${MAX_UPLOAD} bytes`);
    expect(await waitForEmptyStaging()).toEqual([]);
    expect(await listFiles(artifactsDir)).toEqual(before);
  });

  it('keeps nothing of an upload the client abandons midway', async () => {
    expect((await createVersion('6.0.0')).status).toBe(201);
    const before = await listFiles(artifactsDir);
    const result = await raw({
      method: 'PUT',
      path: api(modelHubApiPaths.file(MODEL_REF, '6.0.0', 'partial.bin')),
      headers: {
        authorization: asAlice,
        'content-type': 'application/octet-stream',
        'content-length': '50000',
      },
      chunks: [Buffer.alloc(10000, 3), Buffer.alloc(10000, 4)],
      abort: true,
    });
    expect(result).toBe('aborted');
    expect(await waitForEmptyStaging()).toEqual([]);
    expect(await listFiles(artifactsDir)).toEqual(before);
    const version = await request(server)
      .get(api(modelHubApiPaths.version(MODEL_REF, '6.0.0')))
      .set('Authorization', asAlice);
    expect(version.body.files).toEqual([]);
  });

  it('stores identical content once across versions', async () => {
    const bytes = safetensors([42, 43]);
    await publish('7.0.0', { 'a.safetensors': bytes });
    await publish('7.1.0', { 'renamed/b.safetensors': bytes });
    const copies = (await listFiles(artifactsDir)).filter(
      f => f === artifactKey(sha256(bytes)),
    );
    expect(copies).toHaveLength(1);
  });

  describe('downloads', () => {
    const bytes = safetensors(Array.from({ length: 64 }, (_, i) => i / 3));
    const url = () =>
      api(
        modelHubApiPaths.file(MODEL_REF, '8.0.0', 'weights/model.safetensors'),
      );

    beforeAll(async () => {
      await publish('8.0.0', { 'weights/model.safetensors': bytes });
    });

    it('serves the whole file with ETag, length and range support', async () => {
      const res = await request(server)
        .get(url())
        .set('Authorization', asBob)
        .buffer(true)
        .parse(binary);
      expect(res.status).toBe(200);
      expect(res.headers.etag).toBe(`"${sha256(bytes)}"`);
      expect(res.headers['content-length']).toBe(String(bytes.length));
      expect(res.headers['accept-ranges']).toBe('bytes');
      expect((res.body as Buffer).equals(bytes)).toBe(true);
    });

    it('serves a file through an alias', async () => {
      await request(server)
        .put(api(modelHubApiPaths.alias(MODEL_REF, 'latest')))
        .set('Authorization', asAlice)
        .send({ version: '8.0.0' })
        .expect(200);
      const res = await request(server)
        .get(
          api(
            modelHubApiPaths.file(
              MODEL_REF,
              'latest',
              'weights/model.safetensors',
            ),
          ),
        )
        .set('Authorization', asBob)
        .buffer(true)
        .parse(binary);
      expect(res.status).toBe(200);
      expect(sha256(res.body)).toBe(sha256(bytes));
    });

    it('answers a single range with 206 and exactly those bytes', async () => {
      const res = await request(server)
        .get(url())
        .set('Authorization', asBob)
        .set('Range', 'bytes=8-39')
        .buffer(true)
        .parse(binary);
      expect(res.status).toBe(206);
      expect(res.headers['content-range']).toBe(`bytes 8-39/${bytes.length}`);
      expect(res.headers['content-length']).toBe('32');
      expect((res.body as Buffer).equals(bytes.subarray(8, 40))).toBe(true);

      const suffix = await request(server)
        .get(url())
        .set('Authorization', asBob)
        .set('Range', 'bytes=-16')
        .buffer(true)
        .parse(binary);
      expect(suffix.status).toBe(206);
      expect(
        (suffix.body as Buffer).equals(bytes.subarray(bytes.length - 16)),
      ).toBe(true);
    });

    it('answers an unsatisfiable range with 416', async () => {
      const res = await request(server)
        .get(url())
        .set('Authorization', asBob)
        .set('Range', `bytes=${bytes.length}-`);
      expect(res.status).toBe(416);
      expect(res.headers['content-range']).toBe(`bytes */${bytes.length}`);
    });

    it('answers a matching If-None-Match with 304', async () => {
      const res = await request(server)
        .get(url())
        .set('Authorization', asBob)
        .set('If-None-Match', `"${sha256(bytes)}"`);
      expect(res.status).toBe(304);
      expect(res.text ?? '').toBe('');
      const stale = await request(server)
        .get(url())
        .set('Authorization', asBob)
        .set('If-None-Match', `"${sha256(BENIGN_PICKLE)}"`)
        .buffer(true)
        .parse(binary);
      expect(stale.status).toBe(200);
    });

    it('answers 404 for a file that is not in the version', async () => {
      const res = await request(server)
        .get(api(modelHubApiPaths.file(MODEL_REF, '8.0.0', 'nope.bin')))
        .set('Authorization', asBob);
      expect(res.status).toBe(404);
    });
  });

  it('only serves Model entities', async () => {
    // A Component of that name exists, but it is not a model.
    const res = await request(server)
      .get(api('/v1/models/default/payments-api/versions'))
      .set('Authorization', asAlice);
    expect(res.status).toBe(404);
    expect(res.body.error.message).toBe(
      'Model model:default/payments-api not found in the catalog',
    );
  });
});
