import { createHash } from 'node:crypto';
import fs from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import {
  GetObjectCommand,
  HeadObjectCommand,
  S3Client,
} from '@aws-sdk/client-s3';
import { SchedulerService } from '@backstage/backend-plugin-api';
import { mockCredentials } from '@backstage/backend-test-utils';
import {
  MODEL_HUB_DIRECT_DOWNLOAD_HEADER,
  MODEL_HUB_SHA256_HEADER,
  modelHubApiPaths,
} from '@internal/plugin-model-hub-common';
import request from 'supertest';
import { artifactKey } from '../artifacts/ArtifactStore';
import { MALICIOUS_PICKLE, sha256 } from '../__testUtils__/fixtures';
import {
  DIRECT_MIN_PART,
  startDirectBackend,
} from '../__testUtils__/directBackend';
import { RecordingProxy } from '../__testUtils__/recordingProxy';
import { startTestS3Server, TestS3Server } from '../__testUtils__/s3';
import {
  ALICE,
  BOB,
  bytesOf,
  MODEL_REF,
  SECRET_REF,
} from '../__testUtils__/transfersBackend';
import { captureScheduler } from '../__testUtils__/scheduler';
import { COLLECT_UPLOADS_TASK_ID } from './setup';

jest.setTimeout(120_000);

const PART = DIRECT_MIN_PART; // the test backend's smallest part size
const as = (user: string) => mockCredentials.user.header(user);
const api = (p: string) => `/api/model-hub${p}`;

/** The client side of the protocol, spoken over plain HTTP. */
function client(hub: string) {
  const uploads = (version: string, ref = MODEL_REF) =>
    api(`${modelHubApiPaths.version(ref, version)}/uploads`);
  return {
    async draft(version: string, user = ALICE) {
      const res = await request(hub)
        .post(api(modelHubApiPaths.versions(MODEL_REF)))
        .set('Authorization', as(user))
        .send({ version });
      expect([200, 201]).toContain(res.status);
    },
    start(version: string, filePath: string, bytes: Buffer, user = ALICE) {
      return request(hub)
        .post(uploads(version))
        .set('Authorization', as(user))
        .send({
          path: filePath,
          sha256: sha256(bytes),
          size: bytes.length,
          partSize: PART,
          direct: true,
        });
    },
    status(version: string, uploadId: string) {
      return request(hub)
        .get(`${uploads(version)}/${uploadId}`)
        .set('Authorization', as(ALICE));
    },
    report(
      version: string,
      uploadId: string,
      part: { number: number; size: number; sha256: string; etag: string },
    ) {
      return request(hub)
        .post(`${uploads(version)}/${uploadId}/direct-parts`)
        .set('Authorization', as(ALICE))
        .send(part);
    },
    complete(version: string, uploadId: string) {
      return request(hub)
        .post(`${uploads(version)}/${uploadId}/complete`)
        .set('Authorization', as(ALICE));
    },
    seal(version: string) {
      return request(hub)
        .post(api(modelHubApiPaths.seal(MODEL_REF, version)))
        .set('Authorization', as(ALICE));
    },
    file(version: string, filePath: string, ref = MODEL_REF) {
      return api(modelHubApiPaths.file(ref, version, filePath));
    },
  };
}

/** PUTs bytes to a presigned URL as any HTTP client would, without hub credentials. */
async function putToS3(url: string, body: Buffer) {
  const res = await fetch(url, { method: 'PUT', body });
  return { status: res.status, etag: res.headers.get('etag') ?? '' };
}

const partOf = (bytes: Buffer, n: number) =>
  bytes.subarray((n - 1) * PART, n * PART);

describe('direct S3 transfers', () => {
  let s3: TestS3Server;
  let dataDir: string;
  let hub: string;
  let hubLog: RecordingProxy;
  let s3Log: RecordingProxy;
  let bucket: S3Client;
  let c: ReturnType<typeof client>;
  let stopBackend: () => Promise<void>;

  beforeAll(async () => {
    s3 = await startTestS3Server();
    dataDir = await fs.mkdtemp(path.join(os.tmpdir(), 'model-hub-direct-'));
    const started = await startDirectBackend(s3, dataDir);
    ({ hub, hubLog, s3Log } = started);
    stopBackend = () => started.backend.stop();
    c = client(hub);
    bucket = new S3Client({
      endpoint: s3.endpoint,
      region: 'us-east-1',
      forcePathStyle: true,
      credentials: s3.credentials,
    });
  });

  afterAll(async () => {
    await stopBackend();
    bucket.destroy();
    await hubLog.close();
    await s3Log.close();
    await s3.stop();
    await fs.rm(dataDir, { recursive: true, force: true });
  });

  const objectExists = async (key: string) =>
    bucket.send(new HeadObjectCommand({ Bucket: s3.bucket, Key: key })).then(
      () => true,
      e => (e.$metadata?.httpStatusCode === 404 ? false : Promise.reject(e)),
    );
  const stagingKeys = () =>
    s3Log.requests
      .filter(r => r.method === 'POST' && r.url.includes('?uploads'))
      .map(r => decodeURIComponent(r.url.split('?')[0].split('/').pop()!));

  /** Starts a direct upload and PUTs `parts` (default: the right bytes) to S3. */
  async function sendDirect(
    version: string,
    filePath: string,
    bytes: Buffer,
    parts: (n: number) => Buffer = n => partOf(bytes, n),
  ) {
    const started = await c.start(version, filePath, bytes);
    expect(started.status).toBe(201);
    const { uploadId, partCount, direct } = started.body;
    expect(direct.parts).toHaveLength(partCount);
    for (const target of direct.parts) {
      const body = parts(target.number);
      const put = await putToS3(target.url, body);
      expect(put.status).toBe(200);
      const reported = await c.report(version, uploadId, {
        number: target.number,
        size: partOf(bytes, target.number).length,
        sha256: sha256(partOf(bytes, target.number)),
        etag: put.etag,
      });
      expect(reported.status).toBe(201);
    }
    return uploadId as string;
  }

  it('uploads parts straight to S3; the hub verifies, copies to the content address and shows the file', async () => {
    const bytes = bytesOf(3 * PART + 500, 1);
    await c.draft('1.0.0');
    const hubBefore = hubLog.requests.length;
    const uploadId = await sendDirect('1.0.0', 'weights/model.bin', bytes);
    // Resuming lists what was reported and offers no URLs for it.
    const status = await c.status('1.0.0', uploadId);
    expect(status.body.parts.map((p: { number: number }) => p.number)).toEqual([
      1, 2, 3, 4,
    ]);
    expect(status.body.direct.parts).toEqual([]);

    const done = await c.complete('1.0.0', uploadId);
    expect(done.status).toBe(201);
    expect(done.body).toMatchObject({
      path: 'weights/model.bin',
      sha256: sha256(bytes),
      size: bytes.length,
    });
    // No part went through the hub: only JSON, a fraction of the file.
    const toHub = hubLog.requests.slice(hubBefore);
    expect(toHub.filter(r => r.method === 'PUT')).toEqual([]);
    expect(toHub.reduce((n, r) => n + r.bodyBytes, 0)).toBeLessThan(
      bytes.length / 2,
    );
    // The parts went to S3, each once.
    const partPuts = s3Log.requests.filter(
      r => r.method === 'PUT' && r.url.includes('partNumber='),
    );
    expect(partPuts.map(r => r.bodyBytes).sort((a, b) => a - b)).toEqual([
      500,
      PART,
      PART,
      PART,
    ]);
    // Visible under its content address; the staging object is gone.
    const stored = await bucket.send(
      new GetObjectCommand({
        Bucket: s3.bucket,
        Key: artifactKey(sha256(bytes)),
      }),
    );
    expect(sha256(Buffer.from(await stored.Body!.transformToByteArray()))).toBe(
      sha256(bytes),
    );
    expect(await objectExists(`staging/${uploadId}`)).toBe(false);
    // A browser (no redirect header) still streams through the hub.
    await c.seal('1.0.0').expect(200);
    const streamed = await request(hub)
      .get(c.file('1.0.0', 'weights/model.bin'))
      .set('Authorization', as(BOB))
      .buffer(true)
      .parse((res, cb) => {
        const chunks: Buffer[] = [];
        res.on('data', (d: Buffer) => chunks.push(d));
        res.on('end', () => cb(null, Buffer.concat(chunks)));
      });
    expect(streamed.status).toBe(200);
    expect(sha256(streamed.body)).toBe(sha256(bytes));
  });

  it('refuses a tampered part at completion (409): nothing visible, staging object deleted', async () => {
    const bytes = bytesOf(2 * PART + 10, 2);
    await c.draft('2.0.0');
    const tampered = Buffer.from(partOf(bytes, 2));
    tampered[17] ^= 0xff; // same length, one byte flipped
    const uploadId = await sendDirect('2.0.0', 'model.bin', bytes, n =>
      n === 2 ? tampered : partOf(bytes, n),
    );
    const done = await c.complete('2.0.0', uploadId);
    expect(done.status).toBe(409);
    expect(done.body.error.message).toMatch(
      /SHA-256 mismatch.*do not form the declared file, start the upload again/,
    );
    expect(done.body.error.stack).toBeUndefined();
    const version = await request(hub)
      .get(api(modelHubApiPaths.version(MODEL_REF, '2.0.0')))
      .set('Authorization', as(ALICE));
    expect(version.body.files).toEqual([]);
    expect(await objectExists(artifactKey(sha256(bytes)))).toBe(false);
    expect(stagingKeys()).toContain(`${uploadId}`);
    expect(await objectExists(`staging/${uploadId}`)).toBe(false);
    expect((await c.status('2.0.0', uploadId)).status).toBe(404);
  });

  it('refuses a short part at completion by size, before reading it', async () => {
    const bytes = bytesOf(2 * PART + 10, 3);
    await c.draft('3.0.0');
    const uploadId = await sendDirect('3.0.0', 'model.bin', bytes, n =>
      n === 3 ? Buffer.from('short') : partOf(bytes, n),
    );
    const gets = () =>
      s3Log.requests.filter(
        r => r.method === 'GET' && r.url.includes(`staging/${uploadId}`),
      ).length;
    const done = await c.complete('3.0.0', uploadId);
    expect(done.status).toBe(409);
    expect(done.body.error.message).toContain(
      `assembled ${2 * PART + 5} bytes in S3, ${bytes.length} declared`,
    );
    expect(gets()).toBe(0);
    expect(await objectExists(`staging/${uploadId}`)).toBe(false);
  });

  it('refuses parts through the hub for a direct upload, and reports of the wrong size', async () => {
    const bytes = bytesOf(PART + 1, 4);
    await c.draft('4.0.0');
    const { body } = await c.start('4.0.0', 'model.bin', bytes);
    const viaHub = await request(hub)
      .put(
        `${api(modelHubApiPaths.version(MODEL_REF, '4.0.0'))}/uploads/${
          body.uploadId
        }/parts/1`,
      )
      .set('Authorization', as(ALICE))
      .set(MODEL_HUB_SHA256_HEADER, sha256(partOf(bytes, 1)))
      .send(partOf(bytes, 1));
    expect(viaHub.status).toBe(409);
    expect(viaHub.body.error.message).toContain(
      'goes directly to S3: PUT part 1 to its presigned URL',
    );
    const wrongSize = await c.report('4.0.0', body.uploadId, {
      number: 2,
      size: 2,
      sha256: sha256(Buffer.from('x')),
      etag: '"x"',
    });
    expect(wrongSize.status).toBe(400);
    expect(wrongSize.body.error.message).toBe(
      'Part 2 must be 1 bytes, reported 2',
    );
  });

  it('gives no part URLs to a caller who may not publish', async () => {
    const bytes = bytesOf(PART, 5);
    await c.draft('5.0.0');
    const bob = await c.start('5.0.0', 'model.bin', bytes, BOB);
    expect(bob.status).toBe(403);
    expect(JSON.stringify(bob.body)).not.toContain('X-Amz-Signature');
  });

  describe('downloads', () => {
    const bytes = bytesOf(3 * PART, 6);

    beforeAll(async () => {
      await c.draft('6.0.0');
      await request(hub)
        .put(c.file('6.0.0', 'dir/model.bin'))
        .set('Authorization', as(ALICE))
        .set('Content-Type', 'application/octet-stream')
        .send(bytes)
        .expect(201);
      await request(hub)
        .put(c.file('6.0.0', 'evil.pkl'))
        .set('Authorization', as(ALICE))
        .set('Content-Type', 'application/octet-stream')
        .send(MALICIOUS_PICKLE)
        .expect(201);
      await c.seal('6.0.0').expect(200);
    });

    it('redirects a reader who asks to a presigned GET that resumes with Range', async () => {
      const res = await request(hub)
        .get(c.file('6.0.0', 'dir/model.bin'))
        .set('Authorization', as(BOB))
        .set(MODEL_HUB_DIRECT_DOWNLOAD_HEADER, 'redirect')
        .redirects(0);
      expect(res.status).toBe(307);
      expect(res.headers['cache-control']).toBe('no-store');
      expect(res.headers.etag).toBe(`"${sha256(bytes)}"`);
      const location = new URL(res.headers.location);
      expect(location.origin).toBe(s3Log.url);
      expect(location.searchParams.get('X-Amz-Expires')).toBe('300');
      const resumed = await fetch(location, {
        headers: { range: `bytes=${PART}-` },
      });
      expect(resumed.status).toBe(206);
      expect(resumed.headers.get('content-disposition')).toBe(
        "attachment; filename*=UTF-8''model.bin",
      );
      const rest = Buffer.from(await resumed.arrayBuffer());
      expect(
        createHash('sha256')
          .update(bytes.subarray(0, PART))
          .update(rest)
          .digest('hex'),
      ).toBe(sha256(bytes));
    });

    it('keeps a file the scanner found unsafe behind the hub', async () => {
      const res = await request(hub)
        .get(c.file('6.0.0', 'evil.pkl'))
        .set('Authorization', as(BOB))
        .set(MODEL_HUB_DIRECT_DOWNLOAD_HEADER, 'redirect')
        .redirects(0);
      expect(res.status).toBe(200);
      expect(res.headers.location).toBeUndefined();
    });

    it('gives no URL to a caller who cannot read the model', async () => {
      await request(hub)
        .post(api(modelHubApiPaths.versions(SECRET_REF)))
        .set('Authorization', as(ALICE))
        .send({ version: '1.0.0' })
        .expect(201);
      await request(hub)
        .put(api(modelHubApiPaths.file(SECRET_REF, '1.0.0', 'model.bin')))
        .set('Authorization', as(ALICE))
        .set('Content-Type', 'application/octet-stream')
        .send(bytes)
        .expect(201);
      const url = c.file('1.0.0', 'model.bin', SECRET_REF);
      const bob = await request(hub)
        .get(url)
        .set('Authorization', as(BOB))
        .set(MODEL_HUB_DIRECT_DOWNLOAD_HEADER, 'redirect')
        .redirects(0);
      expect(bob.status).toBe(404);
      expect(bob.headers.location).toBeUndefined();
      expect(JSON.stringify(bob.body)).not.toContain('X-Amz');
      const anonymous = await request(hub)
        .get(url)
        .set(MODEL_HUB_DIRECT_DOWNLOAD_HEADER, 'redirect')
        .redirects(0);
      expect(anonymous.status).toBe(401);
      expect(anonymous.headers.location).toBeUndefined();
      const alice = await request(hub)
        .get(url)
        .set('Authorization', as(ALICE))
        .set(MODEL_HUB_DIRECT_DOWNLOAD_HEADER, 'redirect')
        .redirects(0);
      expect(alice.status).toBe(307);
    });
  });
});

describe('direct S3 transfers with short-lived URLs', () => {
  let s3: TestS3Server;
  let dataDir: string;
  let hub: string;
  let s3Log: RecordingProxy;
  let hubLog: RecordingProxy;
  let scheduler: SchedulerService | undefined;
  let c: ReturnType<typeof client>;
  let stopBackend: () => Promise<void>;
  // URLs live 3 s. Presigning dates them to the whole second, so a URL can
  // be 0.99 s old when made: with 1 s, a fresh URL fetched at once was
  // sometimes refused on a loaded machine. Waiting 4.2 s expires any URL.
  const waitPastExpiry = () => new Promise(r => setTimeout(r, 4200));

  beforeAll(async () => {
    s3 = await startTestS3Server();
    dataDir = await fs.mkdtemp(path.join(os.tmpdir(), 'model-hub-direct-'));
    const started = await startDirectBackend(s3, dataDir, {
      direct: { uploadUrlExpirySeconds: 3, downloadUrlExpirySeconds: 3 },
      transfers: { abandonedAfter: { seconds: 1 }, collectEvery: { hours: 1 } },
      extra: [captureScheduler(x => (scheduler = x))],
    });
    ({ hub, hubLog, s3Log } = started);
    stopBackend = () => started.backend.stop();
    c = client(hub);
  });

  afterAll(async () => {
    await stopBackend();
    await hubLog.close();
    await s3Log.close();
    await s3.stop();
    await fs.rm(dataDir, { recursive: true, force: true });
  });

  it('refuses an expired presigned download; a new request gets a fresh URL', async () => {
    const bytes = bytesOf(PART, 7);
    await c.draft('1.0.0');
    await request(hub)
      .put(c.file('1.0.0', 'model.bin'))
      .set('Authorization', as(ALICE))
      .set('Content-Type', 'application/octet-stream')
      .send(bytes)
      .expect(201);
    await c.seal('1.0.0').expect(200);
    const redirect = () =>
      request(hub)
        .get(c.file('1.0.0', 'model.bin'))
        .set('Authorization', as(ALICE))
        .set(MODEL_HUB_DIRECT_DOWNLOAD_HEADER, 'redirect')
        .redirects(0);
    const old = (await redirect()).headers.location;
    await waitPastExpiry();
    const expired = await fetch(old);
    expect(expired.status).toBe(403);
    expect(await expired.text()).toContain('Request has expired');
    const fresh = await fetch((await redirect()).headers.location);
    expect(fresh.status).toBe(200);
    expect(sha256(Buffer.from(await fresh.arrayBuffer()))).toBe(sha256(bytes));
  });

  it('refuses an expired part URL; the upload hands out fresh ones', async () => {
    const bytes = bytesOf(PART, 8);
    await c.draft('2.0.0');
    const started = await c.start('2.0.0', 'model.bin', bytes);
    await waitPastExpiry();
    const late = await putToS3(started.body.direct.parts[0].url, bytes);
    expect(late.status).toBe(403);
    const status = await c.status('2.0.0', started.body.uploadId);
    const put = await putToS3(status.body.direct.parts[0].url, bytes);
    expect(put.status).toBe(200);
  });

  it('aborts the S3 multipart upload of an abandoned session and deletes its staging', async () => {
    const bytes = bytesOf(2 * PART, 9);
    await c.draft('3.0.0');
    const started = await c.start('3.0.0', 'model.bin', bytes);
    const { uploadId, direct } = started.body;
    const put = await putToS3(direct.parts[0].url, partOf(bytes, 1));
    await c
      .report('3.0.0', uploadId, {
        number: 1,
        size: PART,
        sha256: sha256(partOf(bytes, 1)),
        etag: put.etag,
      })
      .expect(201);
    const s3UploadId = new URL(direct.parts[0].url).searchParams.get(
      'uploadId',
    )!;
    await new Promise(r => setTimeout(r, 1500));
    await scheduler!.triggerTask(COLLECT_UPLOADS_TASK_ID);
    for (let i = 0; i < 50; i++) {
      if ((await c.status('3.0.0', uploadId)).status === 404) break;
      await new Promise(r => setTimeout(r, 100));
    }
    expect((await c.status('3.0.0', uploadId)).status).toBe(404);
    const aborts = s3Log.requests.filter(
      r =>
        r.method === 'DELETE' &&
        r.url.includes(`staging/${uploadId}`) &&
        new URLSearchParams(r.url.split('?')[1] ?? '').get('uploadId') ===
          s3UploadId,
    );
    // s3rver 3.7 does not implement AbortMultipartUpload (it answers 405);
    // the hub logs that and goes on, as it would for any S3 without it.
    expect(aborts).toHaveLength(1);
    const deletes = s3Log.requests.filter(
      r =>
        r.method === 'DELETE' &&
        r.url.split('?')[0] === `/${s3.bucket}/staging/${uploadId}` &&
        !r.url.includes('uploadId='),
    );
    expect(deletes).toHaveLength(1);
  });
});
