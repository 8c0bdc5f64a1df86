import fs from 'node:fs/promises';
import http from 'node:http';
import { AddressInfo } from 'node:net';
import os from 'node:os';
import path from 'node:path';
import { SchedulerService } from '@backstage/backend-plugin-api';
import { mockCredentials } from '@backstage/backend-test-utils';
import {
  MODEL_HUB_SHA256_HEADER,
  modelHubApiPaths,
} from '@internal/plugin-model-hub-common';
import { captureScheduler } from '../__testUtils__/scheduler';
import request from 'supertest';
import { artifactKey } from '../artifacts/ArtifactStore';
import { COLLECT_UPLOADS_TASK_ID } from './setup';
import { compressingFront } from '../__testUtils__/compressingFront';
import { listFiles, sha256 } from '../__testUtils__/fixtures';
import {
  ownersPublishPolicy,
  startModelHubTestBackend,
} from '../__testUtils__/modelHubBackend';
import {
  ALICE,
  BOB,
  bytesOf,
  CAROL,
  hideSecretFromBob,
  MODEL_REF,
  model,
  SECRET_REF,
} from '../__testUtils__/transfersBackend';

jest.setTimeout(60_000);

const PART = 1024; // the test backend's smallest part size

/** Bob owns nothing; everyone else is in the owning team. */
const groupsOf = (ref: string) =>
  ref === BOB ? [] : ['group:default/ml-team'];

async function startBackend(
  dataDir: string,
  transfers: object,
  extra: any[] = [],
) {
  const backend = await startModelHubTestBackend({
    entities: [model('support-assistant'), model('secret-model')],
    groups: groupsOf,
    policy: ownersPublishPolicy(),
    wrapCatalog: hideSecretFromBob,
    dataDir,
    features: extra,
    modelHub: {
      artifacts: { maxUploadBytes: 64 * 1024 },
      transfers: {
        minPartBytes: PART,
        maxPartBytes: 16 * 1024,
        ...transfers,
      },
    },
  });
  return compressingFront(backend.server);
}

const base = '/api/model-hub';
const api = (p: string) => `${base}${p}`;
const as = (user: string) => mockCredentials.user.header(user);

describe('transfers', () => {
  let server: http.Server;
  let dataDir: string;

  beforeAll(async () => {
    dataDir = await fs.mkdtemp(path.join(os.tmpdir(), 'model-hub-transfers-'));
    server = await startBackend(dataDir, {});
  });

  afterAll(async () => {
    await fs.rm(dataDir, { recursive: true, force: true });
  });

  async function draft(version: string, user = ALICE, ref = MODEL_REF) {
    const res = await request(server)
      .post(api(modelHubApiPaths.versions(ref)))
      .set('Authorization', as(user))
      .send({ version });
    expect([200, 201]).toContain(res.status);
  }

  const uploadsUrl = (version: string, ref = MODEL_REF) =>
    api(`${modelHubApiPaths.version(ref, version)}/uploads`);

  async function start(
    version: string,
    filePath: string,
    bytes: Buffer,
    user = ALICE,
    ref = MODEL_REF,
  ) {
    return request(server)
      .post(uploadsUrl(version, ref))
      .set('Authorization', as(user))
      .send({
        path: filePath,
        sha256: sha256(bytes),
        size: bytes.length,
        partSize: PART,
      });
  }

  function sendPart(
    version: string,
    uploadId: string,
    n: number,
    body: Buffer,
    options: { sha?: string; user?: string; ref?: string } = {},
  ) {
    return request(server)
      .put(`${uploadsUrl(version, options.ref)}/${uploadId}/parts/${n}`)
      .set('Authorization', as(options.user ?? ALICE))
      .set('Content-Type', 'application/octet-stream')
      .set(MODEL_HUB_SHA256_HEADER, options.sha ?? sha256(body))
      .send(body);
  }

  const part = (bytes: Buffer, n: number) =>
    bytes.subarray((n - 1) * PART, n * PART);

  function complete(
    version: string,
    uploadId: string,
    user = ALICE,
    ref = MODEL_REF,
  ) {
    return request(server)
      .post(`${uploadsUrl(version, ref)}/${uploadId}/complete`)
      .set('Authorization', as(user));
  }

  async function uploadWhole(
    version: string,
    filePath: string,
    bytes: Buffer,
    user = ALICE,
    ref = MODEL_REF,
  ) {
    const started = await start(version, filePath, bytes, user, ref);
    expect(started.status).toBe(201);
    for (let n = 1; n <= started.body.partCount; n++) {
      const res = await sendPart(
        version,
        started.body.uploadId,
        n,
        part(bytes, n),
        { user, ref },
      );
      expect(res.status).toBe(201);
    }
    const done = await complete(version, started.body.uploadId, user, ref);
    expect(done.status).toBe(201);
    return done.body;
  }

  function rawGet(urlPath: string, headers: Record<string, string>) {
    const { port } = server.address() as AddressInfo;
    return new Promise<{ res: http.IncomingMessage; body: Buffer }>(
      (resolve, reject) =>
        http
          .get({ host: '127.0.0.1', port, path: urlPath, headers }, res => {
            const chunks: Buffer[] = [];
            res.on('data', c => chunks.push(c));
            res.on('end', () => resolve({ res, body: Buffer.concat(chunks) }));
          })
          .on('error', reject),
    );
  }

  it('assembles parts sent out of order and re-sent, verifying the whole file', async () => {
    const bytes = bytesOf(3 * PART + 100, 1);
    await draft('1.0.0');
    const started = await start('1.0.0', 'weights/model.bin', bytes);
    expect(started.status).toBe(201);
    expect(started.body).toMatchObject({ partCount: 4, parts: [] });
    const id = started.body.uploadId;
    for (const n of [3, 1, 4, 2, 3]) {
      const res = await sendPart('1.0.0', id, n, part(bytes, n));
      expect(res.status).toBe(201);
      expect(res.body).toEqual({
        number: n,
        size: part(bytes, n).length,
        sha256: sha256(part(bytes, n)),
      });
    }
    const done = await complete('1.0.0', id);
    expect(done.status).toBe(201);
    expect(done.body).toMatchObject({
      path: 'weights/model.bin',
      sha256: sha256(bytes),
      size: bytes.length,
    });
    // The parts are gone once assembled; the upload cannot be continued.
    expect(await listFiles(path.join(dataDir, 'staging', 'parts'))).toEqual([]);
    expect((await complete('1.0.0', id)).status).toBe(404);

    await request(server)
      .post(api(modelHubApiPaths.seal(MODEL_REF, '1.0.0')))
      .set('Authorization', as(ALICE))
      .expect(200);
    const download = await rawGet(
      api(modelHubApiPaths.file(MODEL_REF, '1.0.0', 'weights/model.bin')),
      { authorization: as(BOB) },
    );
    expect(download.body.equals(bytes)).toBe(true);
  });

  it('never completes from bytes a re-sent part replaced, nor with a part whose re-send failed', async () => {
    const bytes = bytesOf(2 * PART + 10, 11);
    const changed = Buffer.from(bytes);
    changed[5] ^= 0xff; // part 1 differs
    await draft('1.1.0');
    const started = await start('1.1.0', 'm.bin', bytes);
    const id = started.body.uploadId;
    for (const n of [1, 2, 3]) {
      await sendPart('1.1.0', id, n, part(bytes, n)).expect(201);
    }
    // Part 1, already in the running hash, is replaced by other bytes.
    await sendPart('1.1.0', id, 1, part(changed, 1)).expect(201);
    const done = await complete('1.1.0', id);
    expect(done.status).toBe(400);
    expect(done.body.error.message).toContain('SHA-256 mismatch');
    // A failed re-send leaves the part missing, not half-overwritten.
    await sendPart('1.1.0', id, 1, part(bytes, 1), {
      sha: sha256(Buffer.from('x')),
    }).expect(400);
    const missing = await complete('1.1.0', id);
    expect(missing.status).toBe(409);
    expect(missing.body.error.message).toContain('missing part(s) 1');
    await sendPart('1.1.0', id, 1, part(bytes, 1)).expect(201);
    const fixed = await complete('1.1.0', id);
    expect(fixed.status).toBe(201);
    expect(fixed.body).toMatchObject({ sha256: sha256(bytes) });
  });

  it('takes one request per part at a time: a second one while the first streams is a 409', async () => {
    const bytes = bytesOf(PART + 1, 12);
    await draft('1.2.0');
    const started = await start('1.2.0', 'm.bin', bytes);
    const id = started.body.uploadId;
    const first = part(bytes, 1);
    const { port } = server.address() as AddressInfo;
    const slow = http.request({
      host: '127.0.0.1',
      port,
      method: 'PUT',
      path: `${uploadsUrl('1.2.0')}/${id}/parts/1`,
      headers: {
        authorization: as(ALICE),
        'content-type': 'application/octet-stream',
        'content-length': String(first.length),
        [MODEL_HUB_SHA256_HEADER]: sha256(first),
      },
    });
    const answer = new Promise<number>((resolve, reject) => {
      slow.on('response', res => {
        res.resume();
        resolve(res.statusCode!);
      });
      slow.on('error', reject);
    });
    slow.write(first.subarray(0, 100));
    // Wait until the hub holds the part (a second request is refused).
    let second = 0;
    for (let i = 0; i < 50 && second !== 409; i++) {
      await new Promise(r => setTimeout(r, 20));
      second = (await sendPart('1.2.0', id, 1, first)).status;
    }
    expect(second).toBe(409);
    expect((await complete('1.2.0', id)).status).toBe(409);
    slow.end(first.subarray(100));
    expect(await answer).toBe(201);
    await sendPart('1.2.0', id, 2, part(bytes, 2)).expect(201);
    const done = await complete('1.2.0', id);
    expect(done.status).toBe(201);
    expect(done.body).toMatchObject({ sha256: sha256(bytes) });
  });

  it('answers a download that asks for gzip with the raw bytes, unencoded, and honours Range, If-Range and If-None-Match', async () => {
    // Compressible and past the middleware's 1 kB threshold: gzip bait.
    const zeros = Buffer.alloc(40 * 1024);
    await draft('1.1.0');
    await uploadWhole('1.1.0', 'zeros.bin', zeros);
    const url = api(modelHubApiPaths.file(MODEL_REF, '1.1.0', 'zeros.bin'));
    const { res, body } = await rawGet(url, {
      authorization: as(BOB),
      'accept-encoding': 'gzip, deflate, br',
    });
    expect(res.statusCode).toBe(200);
    expect(res.headers['content-encoding']).toBeUndefined();
    expect(res.headers['cache-control']).toContain('no-transform');
    expect(res.headers.etag).toBe(`"${sha256(zeros)}"`);
    expect(body.equals(zeros)).toBe(true);
    // The middleware does compress other answers, so the test can tell.
    const listing = await rawGet(api(modelHubApiPaths.versions(MODEL_REF)), {
      authorization: as(BOB),
      'accept-encoding': 'gzip',
    });
    expect(listing.res.headers['content-encoding']).toBe('gzip');

    const ranged = await rawGet(url, {
      authorization: as(BOB),
      'accept-encoding': 'gzip',
      range: 'bytes=100-',
      'if-range': `"${sha256(zeros)}"`,
    });
    expect(ranged.res.statusCode).toBe(206);
    expect(ranged.res.headers['content-encoding']).toBeUndefined();
    expect(ranged.body.length).toBe(zeros.length - 100);

    // A resume against other content (stale If-Range) gets the whole file.
    const stale = await rawGet(url, {
      authorization: as(BOB),
      'accept-encoding': 'gzip',
      range: 'bytes=100-',
      'if-range': `"${sha256(Buffer.from('older content'))}"`,
    });
    expect(stale.res.statusCode).toBe(200);
    expect(stale.res.headers['content-encoding']).toBeUndefined();
    expect(stale.body.equals(zeros)).toBe(true);

    // A client holding the file revalidates it for free.
    const cached = await rawGet(url, {
      authorization: as(BOB),
      'accept-encoding': 'gzip',
      'if-none-match': `"${sha256(zeros)}"`,
    });
    expect(cached.res.statusCode).toBe(304);
    expect(cached.res.headers['content-encoding']).toBeUndefined();
    expect(cached.body.length).toBe(0);
  });

  it('resumes: starting again returns the same upload with the parts it holds', async () => {
    const bytes = bytesOf(2 * PART + 1, 2);
    await draft('2.0.0');
    const first = await start('2.0.0', 'model.bin', bytes);
    await sendPart('2.0.0', first.body.uploadId, 2, part(bytes, 2)).expect(201);
    const again = await start('2.0.0', 'model.bin', bytes);
    expect(again.body.uploadId).toBe(first.body.uploadId);
    expect(again.body.parts.map((p: { number: number }) => p.number)).toEqual([
      2,
    ]);
    // Completing with parts missing names them.
    const early = await complete('2.0.0', first.body.uploadId);
    expect(early.status).toBe(409);
    expect(early.body.error.message).toContain('missing part(s) 1, 3');
    // Another publisher of the model cannot continue Alice's upload.
    const carol = await sendPart(
      '2.0.0',
      first.body.uploadId,
      1,
      part(bytes, 1),
      { user: CAROL },
    );
    expect(carol.status).toBe(403);
  });

  it('completes on a retry after a completion stopped once it had taken the assembly, even with a part re-sent', async () => {
    const bytes = bytesOf(3 * PART + 7, 21);
    await draft('2.1.0');
    const uploads = path.join(dataDir, 'staging', 'parts');
    for (const resend of [undefined, 2]) {
      const filePath = `stopped-${resend ?? 'none'}.bin`;
      const { body } = await start('2.1.0', filePath, bytes);
      for (const n of [1, 2, 3, 4]) {
        await sendPart('2.1.0', body.uploadId, n, part(bytes, n)).expect(201);
      }
      // What a hub that stopped right after a completion took the
      // assembly leaves behind.
      const dir = path.join(uploads, body.uploadId);
      await fs.rename(path.join(dir, 'assembly'), path.join(dir, 'assembled'));
      if (resend) {
        const n = resend;
        await sendPart('2.1.0', body.uploadId, n, part(bytes, n)).expect(201);
      }
      const done = await complete('2.1.0', body.uploadId);
      expect([done.status, done.body.error?.message]).toEqual([201, undefined]);
      expect(done.body).toMatchObject({
        path: filePath,
        sha256: sha256(bytes),
      });
      await expect(fs.stat(dir)).rejects.toThrow('ENOENT');
    }
  });

  it('starts afresh after a completion stopped once the store took the bytes, instead of resuming parts that are gone', async () => {
    const bytes = bytesOf(2 * PART + 3, 22);
    await draft('2.2.0');
    const first = await start('2.2.0', 'gone.bin', bytes);
    const id = first.body.uploadId;
    for (const n of [1, 2, 3]) {
      await sendPart('2.2.0', id, n, part(bytes, n)).expect(201);
    }
    // The store moved the assembled file away; the file row never came.
    await fs.rm(path.join(dataDir, 'staging', 'parts', id), {
      recursive: true,
    });
    const retry = await complete('2.2.0', id);
    expect(retry.status).toBe(409);
    expect(retry.body.error.message).toContain(
      'start the upload again, it begins afresh',
    );
    // Resuming would offer the vanished parts as held, and the same 409.
    const again = await start('2.2.0', 'gone.bin', bytes);
    expect(again.body.uploadId).not.toBe(id);
    expect(again.body.parts).toEqual([]);
    for (const n of [1, 2, 3]) {
      await sendPart('2.2.0', again.body.uploadId, n, part(bytes, n)).expect(
        201,
      );
    }
    const done = await complete('2.2.0', again.body.uploadId);
    expect(done.status).toBe(201);
    expect(done.body).toMatchObject({ sha256: sha256(bytes) });
  });

  it('refuses a part whose bytes do not match its declared SHA-256', async () => {
    const bytes = bytesOf(2 * PART, 3);
    await draft('3.0.0');
    const { body } = await start('3.0.0', 'model.bin', bytes);
    const res = await sendPart('3.0.0', body.uploadId, 1, part(bytes, 1), {
      sha: sha256(Buffer.from('something else')),
    });
    expect(res.status).toBe(400);
    expect(res.body.error.message).toContain('SHA-256 mismatch');
    const status = await request(server)
      .get(`${uploadsUrl('3.0.0')}/${body.uploadId}`)
      .set('Authorization', as(ALICE));
    expect(status.body.parts).toEqual([]);
    // A part without a declared hash is refused too.
    const unhashed = await request(server)
      .put(`${uploadsUrl('3.0.0')}/${body.uploadId}/parts/1`)
      .set('Authorization', as(ALICE))
      .send(part(bytes, 1));
    expect(unhashed.status).toBe(400);
  });

  it('answers 413 to a part larger than its slot, announced or streamed', async () => {
    const bytes = bytesOf(PART + 10, 4);
    await draft('4.0.0');
    const { body } = await start('4.0.0', 'model.bin', bytes);
    const tooBig = bytesOf(PART + 1, 4);
    const announced = await sendPart('4.0.0', body.uploadId, 1, tooBig);
    expect(announced.status).toBe(413);
    // The last part's slot is only 10 bytes.
    const last = await sendPart('4.0.0', body.uploadId, 2, bytesOf(11, 4));
    expect(last.status).toBe(413);
    // Chunked, with no Content-Length to refuse early.
    const { port } = server.address() as AddressInfo;
    const streamed = await new Promise<number>((resolve, reject) => {
      const req = http.request(
        {
          host: '127.0.0.1',
          port,
          method: 'PUT',
          path: `${uploadsUrl('4.0.0')}/${body.uploadId}/parts/1`,
          headers: {
            authorization: as(ALICE),
            'transfer-encoding': 'chunked',
            [MODEL_HUB_SHA256_HEADER]: sha256(tooBig),
          },
        },
        res => {
          res.resume();
          resolve(res.statusCode!);
        },
      );
      req.on('error', reject);
      req.write(tooBig.subarray(0, 600));
      req.end(tooBig.subarray(600));
    });
    expect(streamed).toBe(413);
    // A part size out of bounds is refused when the upload starts.
    const huge = await request(server)
      .post(uploadsUrl('4.0.0'))
      .set('Authorization', as(ALICE))
      .send({
        path: 'x.bin',
        sha256: sha256(bytes),
        size: bytes.length,
        partSize: 1024 * 1024,
      });
    expect(huge.status).toBe(400);
    const tooLargeFile = await request(server)
      .post(uploadsUrl('4.0.0'))
      .set('Authorization', as(ALICE))
      .send({
        path: 'x.bin',
        sha256: sha256(bytes),
        size: 65 * 1024,
        partSize: PART,
      });
    expect(tooLargeFile.status).toBe(413);
  });

  it('keeps nothing when the assembled file does not hash to the declared SHA-256', async () => {
    const bytes = bytesOf(PART + 5, 5);
    await draft('5.0.0');
    const started = await request(server)
      .post(uploadsUrl('5.0.0'))
      .set('Authorization', as(ALICE))
      .send({
        path: 'model.bin',
        sha256: sha256(Buffer.from('other')),
        size: bytes.length,
        partSize: PART,
      });
    for (const n of [1, 2]) {
      await sendPart('5.0.0', started.body.uploadId, n, part(bytes, n)).expect(
        201,
      );
    }
    const done = await complete('5.0.0', started.body.uploadId);
    expect(done.status).toBe(400);
    expect(done.body.error.message).toContain('SHA-256 mismatch');
    const version = await request(server)
      .get(api(modelHubApiPaths.version(MODEL_REF, '5.0.0')))
      .set('Authorization', as(ALICE));
    expect(version.body.files).toEqual([]);
    const key = artifactKey(sha256(bytes));
    expect(await listFiles(path.join(dataDir, 'artifacts'))).not.toContain(key);
  });

  it('stores content once when two clients upload it, and lets readers reuse it without sending it', async () => {
    const bytes = bytesOf(2 * PART, 6);
    await draft('6.0.0');
    await draft('6.0.1', CAROL);
    // Alice and Carol upload the same content at the same time.
    await Promise.all([
      uploadWhole('6.0.0', 'shared.bin', bytes),
      uploadWhole('6.0.1', 'copy/shared.bin', bytes, CAROL),
    ]);
    const key = artifactKey(sha256(bytes));
    const stored = (await listFiles(path.join(dataDir, 'artifacts'))).filter(
      f => f.split(path.sep).join('/') === key,
    );
    expect(stored).toHaveLength(1);

    // Existence is answered only for content the caller can read.
    const exists = await request(server)
      .post(api('/v1/blobs/exists'))
      .set('Authorization', as(BOB))
      .send({ sha256: [sha256(bytes), sha256(Buffer.from('never uploaded'))] });
    expect(exists.status).toBe(200);
    expect(exists.body.present).toEqual([sha256(bytes)]);

    // A new version adds the file by content: no bytes sent.
    await draft('6.1.0');
    const linked = await request(server)
      .post(
        api(`${modelHubApiPaths.version(MODEL_REF, '6.1.0')}/files-by-content`),
      )
      .set('Authorization', as(ALICE))
      .send({
        path: 'adapter/shared.bin',
        sha256: sha256(bytes).toUpperCase(),
      });
    expect(linked.status).toBe(201);
    expect(linked.body).toMatchObject({
      path: 'adapter/shared.bin',
      size: bytes.length,
      sha256: sha256(bytes),
    });
    expect(linked.body.scan.path).toBe('adapter/shared.bin');
  });

  it('is no existence oracle for content in models the caller cannot read', async () => {
    const secret = bytesOf(PART, 7);
    await draft('1.0.0', ALICE, SECRET_REF);
    await uploadWhole('1.0.0', 'secret.bin', secret, ALICE, SECRET_REF);
    const asBob = await request(server)
      .post(api('/v1/blobs/exists'))
      .set('Authorization', as(BOB))
      .send({ sha256: [sha256(secret)] });
    expect(asBob.body.present).toEqual([]);
    const asCarol = await request(server)
      .post(api('/v1/blobs/exists'))
      .set('Authorization', as(CAROL))
      .send({ sha256: [sha256(secret)] });
    expect(asCarol.body.present).toEqual([sha256(secret)]);
    // Without a token, nothing at all.
    await request(server)
      .post(api('/v1/blobs/exists'))
      .send({ sha256: [sha256(secret)] })
      .expect(401);
  });

  it('lets nobody claim content by hash that they cannot read', async () => {
    const secret = bytesOf(PART, 8);
    await draft('1.1.0', ALICE, SECRET_REF);
    await uploadWhole('1.1.0', 'secret2.bin', secret, ALICE, SECRET_REF);
    // Bob owns no model; give him the same test through a model he could
    // publish to by making the caller Carol on a hash that nobody stored.
    const unknown = await request(server)
      .post(
        api(`${modelHubApiPaths.version(MODEL_REF, '6.1.0')}/files-by-content`),
      )
      .set('Authorization', as(CAROL))
      .send({ path: 'x.bin', sha256: sha256(Buffer.from('not stored')) });
    expect(unknown.status).toBe(404);
    const bob = await request(server)
      .post(
        api(`${modelHubApiPaths.version(MODEL_REF, '6.1.0')}/files-by-content`),
      )
      .set('Authorization', as(BOB))
      .send({ path: 'x.bin', sha256: sha256(secret) });
    expect(bob.status).toBe(403);
  });
});

describe('abandoned uploads', () => {
  it('are collected with their parts by the scheduled task', async () => {
    const dataDir = await fs.mkdtemp(path.join(os.tmpdir(), 'model-hub-gc-'));
    try {
      let scheduler: SchedulerService | undefined;
      const server = await startBackend(
        dataDir,
        { abandonedAfter: { seconds: 1 }, collectEvery: { hours: 1 } },
        [captureScheduler(s => (scheduler = s))],
      );
      const bytes = bytesOf(2 * PART, 9);
      await request(server)
        .post(api(modelHubApiPaths.versions(MODEL_REF)))
        .set('Authorization', as(ALICE))
        .send({ version: '9.0.0' })
        .expect(201);
      const url = api(
        `${modelHubApiPaths.version(MODEL_REF, '9.0.0')}/uploads`,
      );
      const started = await request(server)
        .post(url)
        .set('Authorization', as(ALICE))
        .send({
          path: 'm.bin',
          sha256: sha256(bytes),
          size: bytes.length,
          partSize: PART,
        });
      await request(server)
        .put(`${url}/${started.body.uploadId}/parts/1`)
        .set('Authorization', as(ALICE))
        .set(MODEL_HUB_SHA256_HEADER, sha256(bytes.subarray(0, PART)))
        .send(bytes.subarray(0, PART))
        .expect(201);
      const parts = path.join(dataDir, 'staging', 'parts');
      expect(await listFiles(parts)).toHaveLength(1);
      const statusOf = async () =>
        (
          await request(server)
            .get(`${url}/${started.body.uploadId}`)
            .set('Authorization', as(ALICE))
        ).status;
      // Still fresh: the collection leaves it alone.
      await scheduler!.triggerTask(COLLECT_UPLOADS_TASK_ID);
      expect(await statusOf()).toBe(200);
      await new Promise(r => setTimeout(r, 1500));
      await scheduler!.triggerTask(COLLECT_UPLOADS_TASK_ID);
      const status = await statusOf();
      expect(status).toBe(404);
      expect(await listFiles(parts)).toEqual([]);
    } finally {
      await fs.rm(dataDir, { recursive: true, force: true });
    }
  });
});
