import { createHash } from 'node:crypto';
import { PutObjectCommand, S3Client } from '@aws-sdk/client-s3';
import { mockCredentials } from '@backstage/backend-test-utils';
import { Entity } from '@backstage/catalog-model';
import request from 'supertest';
// Tests only: the hub's own s3rver harness and hostile pickle, so both packages test against the same.
// eslint-disable-next-line @backstage/no-forbidden-package-imports, @backstage/no-mixed-plugin-imports
import { MALICIOUS_PICKLE } from '@internal/plugin-model-hub-backend/src/__testUtils__/fixtures';
// eslint-disable-next-line @backstage/no-forbidden-package-imports, @backstage/no-mixed-plugin-imports
import * as hubS3 from '@internal/plugin-model-hub-backend/src/__testUtils__/s3';
import {
  HubBackend,
  rawBytes,
  startHubBackend,
} from '../__testUtils__/hubBackend';
import { until } from '../__testUtils__/integration';
import { safetensorsFile } from '../__testUtils__/safetensors';
import { FakeMlflowServer } from '../demo/FakeMlflowServer';
import { mapMlflowModel } from '../mlflow/mapMlflowModel';
import { MlflowModelVersion } from '../mlflow/types';

/*
 * Import of MLflow versions whose artifacts live in S3: get-download-uri
 * answers `s3://bucket/prefix`; the hub lists the prefix with the source's
 * own credentials (paged), streams each object through the same staged
 * upload, SHA-256 and scanner as a publish, and seals the version. An
 * escaping prefix, a bucket not allow-listed, an object over the upload
 * limit, wrong credentials and a hostile pickle are each refused in one
 * line, with nothing kept. The S3 server is s3rver, over HTTP.
 */

jest.setTimeout(180_000);

const OWNER = 'user:default/ava';
const MAX_UPLOAD = 64 * 1024;
const KEYS = 1_250;
const WEIGHTS = safetensorsFile([0.5, -1.25, 3, 8]);
const MLMODEL =
  'flavors:\n  python_function:\n    loader_module: mlflow.onnx\n';

/** Versions by number: where get-download-uri says their artifacts are. */
const SOURCES: Record<string, string> = {
  '1': 's3://BUCKET/fraud/1/model',
  '2': 's3://BUCKET/fraud/2/model/../../../secrets',
  '3': 's3://BUCKET/fraud/3/model/%2e%2e/%2E%2E/secrets',
  '4': 's3://elsewhere-bucket/fraud/4/model',
  '5': 's3://BUCKET/fraud/5/model',
  '6': 's3://BUCKET/fraud/6/model',
  '7': 's3://BUCKET/many/7',
};

describe('importing MLflow versions from S3 artifact stores', () => {
  let s3: hubS3.TestS3Server;
  let client: S3Client;
  let mlflow: FakeMlflowServer;
  let hub: HubBackend;
  let entity: Entity;
  let stolen: Entity;

  const put = (key: string, body: string | Buffer) =>
    client.send(
      new PutObjectCommand({ Bucket: s3.bucket, Key: key, Body: body }),
    );

  beforeAll(async () => {
    s3 = await hubS3.startTestS3Server('mlflow-artifacts');
    client = new S3Client({
      endpoint: s3.endpoint,
      region: 'us-east-1',
      forcePathStyle: true,
      credentials: s3.credentials,
      requestChecksumCalculation: 'WHEN_REQUIRED',
      responseChecksumValidation: 'WHEN_REQUIRED',
    });
    await put('fraud/1/model/MLmodel', MLMODEL);
    await put('fraud/1/model/data/model.safetensors', WEIGHTS);
    await put('fraud/1/model/requirements.txt', 'onnx==1.17.0\n');
    // A sibling prefix that starts with the same characters is not part of the version.
    await put('fraud/1/model-old/stale.bin', 'not this');
    await put('secrets/credentials.json', '{"token":"top secret"}');
    await put('fraud/5/model/MLmodel', MLMODEL);
    await put('fraud/5/model/big.bin', Buffer.alloc(MAX_UPLOAD + 1, 7));
    await put('fraud/6/model/MLmodel', MLMODEL);
    await put('fraud/6/model/model.pkl', MALICIOUS_PICKLE);
    // 1,250 keys: three listing pages of 500 (listPageSize).
    const keys = Array.from(
      { length: KEYS },
      (_, i) => `many/7/shard-${String(i).padStart(5, '0')}.txt`,
    );
    for (let i = 0; i < keys.length; i += 100) {
      await Promise.all(keys.slice(i, i + 100).map(k => put(k, k)));
    }

    const versions: MlflowModelVersion[] = Object.entries(SOURCES).map(
      ([version, source]) => ({
        name: 'fraud-scorer',
        version,
        status: 'READY',
        source: source.replace('BUCKET', s3.bucket),
      }),
    );
    mlflow = await FakeMlflowServer.start({
      models: [{ name: 'fraud-scorer' }],
      versions,
    });
    const entityOf = (sourceId: string) =>
      mapMlflowModel(
        {
          name: 'fraud-scorer',
          tags: [{ key: 'owner', value: 'group:default/fraud' }],
        },
        versions,
        {
          sourceId,
          modelPageUrl: n => `${mlflow.url}/#/models/${n}`,
          defaultOwner: 'group:default/fraud',
          ownerTag: 'owner',
          deprecationTag: 'deprecated',
          defaultLicense: 'NOASSERTION',
          namespace: 'default',
        },
      );
    entity = entityOf('prod');
    stolen = entityOf('stolen');
    const s3Access = {
      buckets: [s3.bucket],
      endpoint: s3.endpoint,
      region: 'us-east-1',
      forcePathStyle: true,
      listPageSize: 500,
    };
    hub = await startHubBackend({
      entities: [entity, stolen],
      modelHub: { artifacts: { maxUploadBytes: MAX_UPLOAD } },
      ingestion: {
        mlflow: [
          {
            id: 'prod',
            baseUrl: mlflow.url,
            defaultOwner: 'group:default/fraud',
            s3: { ...s3Access, ...s3.credentials },
          },
          {
            id: 'stolen',
            baseUrl: mlflow.url,
            defaultOwner: 'group:default/fraud',
            s3: {
              ...s3Access,
              accessKeyId: 'NOT-S3RVER',
              secretAccessKey: 'not-the-secret-4f9a',
            },
          },
        ],
      },
    });
  });
  afterAll(async () => {
    await hub?.stop();
    await mlflow?.close();
    client?.destroy();
    await s3?.stop();
  });

  const as = mockCredentials.user.header(OWNER);
  const model = (e: Entity = entity) =>
    `/api/model-hub/v1/models/default/${e.metadata.name}`;
  const importVersion = (version: string, e: Entity = entity) =>
    request(hub.server)
      .post(`${model(e)}/import`)
      .set('authorization', as)
      .send({ version });
  /** The refusal is one line, and neither a version nor an imported record is kept. */
  const expectNothingKept = async (version: string, e: Entity = entity) => {
    const v = await request(hub.server)
      .get(`${model(e)}/versions/${version}.0.0`)
      .set('authorization', as);
    expect(v.status).toBe(404);
    const imports = await request(hub.server)
      .get(`${model(e)}/imports`)
      .set('authorization', as);
    expect(imports.body.items).toEqual(
      expect.arrayContaining([
        expect.objectContaining({ version: `${version}.0.0`, state: 'failed' }),
      ]),
    );
  };

  it('stores the prefix content-addressed, scans and seals it, runs the gauntlet, and serves it', async () => {
    const res = await importVersion('1');
    expect(res.status).toBe(201);
    expect(res.body).toMatchObject({ version: '1.0.0', state: 'imported' });
    const version = await request(hub.server)
      .get(`${model()}/versions/1.0.0`)
      .set('authorization', as);
    expect(version.body.state).toBe('sealed');
    expect(version.body.description).toContain(
      `s3://${s3.bucket}/fraud/1/model`,
    );
    const files = version.body.files as Array<{
      path: string;
      sha256: string;
      scan: { verdict: string };
    }>;
    expect(files.map(f => f.path).sort()).toEqual([
      'MLmodel',
      'data/model.safetensors',
      'requirements.txt',
    ]);
    expect(files.find(f => f.path === 'data/model.safetensors')).toMatchObject({
      sha256: createHash('sha256').update(WEIGHTS).digest('hex'),
      scan: { verdict: 'safe' },
    });
    const pulled = await request(hub.server)
      .get(`${model()}/versions/1.0.0/files/data/model.safetensors`)
      .set('authorization', as)
      .buffer(true)
      .parse(rawBytes);
    expect(pulled.body).toEqual(WEIGHTS);
    await until('a gauntlet run', async () => {
      const r = await request(hub.server)
        .get(`${model()}/versions/1.0.0/gauntlet/runs`)
        .set('authorization', as);
      return r.body.items?.length > 0 ? r.body.items : undefined;
    });
  });

  it.each([
    ['2', 'plain', /holds the segment '\.\.'/],
    ['3', 'percent-encoded', /holds the segment '%2e%2e'/],
  ])(
    'refuses a prefix that escapes with .. (%s) before reading the bucket',
    async (version, _how, message) => {
      const res = await importVersion(version);
      expect(res.status).toBe(400);
      expect(res.body.error.message).toMatch(message);
      expect(res.body.error.message).not.toContain('\n');
      await expectNothingKept(version);
    },
  );

  it('refuses a bucket that is not allow-listed for the source', async () => {
    const res = await importVersion('4');
    expect(res.status).toBe(403);
    expect(res.body.error.message).toMatch(
      /bucket elsewhere-bucket, which is not in modelHub\.ingestion\.mlflow\[\]\.s3\.buckets/,
    );
    await expectNothingKept('4');
  });

  it('refuses an object larger than the upload limit before fetching a byte', async () => {
    const res = await importVersion('5');
    expect(res.status).toBe(413);
    expect(res.body.error.message).not.toContain('\n');
    await expectNothingKept('5');
  });

  it('keeps a hostile pickle as unsafe, as the scanner does for any publish: it can never be champion', async () => {
    const res = await importVersion('6');
    expect(res.status).toBe(201);
    const version = await request(hub.server)
      .get(`${model()}/versions/6.0.0`)
      .set('authorization', as);
    const verdicts = Object.fromEntries(
      (
        version.body.files as Array<{ path: string; scan: { verdict: string } }>
      ).map(f => [f.path, f.scan.verdict]),
    );
    expect(verdicts['model.pkl']).toBe('unsafe');
    const champion = await request(hub.server)
      .put(`${model()}/aliases/champion`)
      .set('authorization', as)
      .send({ version: '6.0.0' });
    expect(champion.status).toBe(409);
    expect(champion.body.error.message).toMatch(/model\.pkl is unsafe/);
  });

  it('reports refused credentials in one line without the secret', async () => {
    const res = await importVersion('1', stolen);
    expect(res.body.error?.message).toMatch(
      /^S3 refused the credentials of mlflow:stolen \(403 /,
    );
    expect(res.status).toBe(503);
    expect(res.body.error.message).not.toContain('not-the-secret-4f9a');
    expect(res.body.error.message).not.toContain('\n');
    await expectNothingKept('1', stolen);
  });

  it('imports every key of a listing over several pages', async () => {
    const res = await importVersion('7');
    expect(res.body.error?.message).toBeUndefined();
    expect(res.status).toBe(201);
    const version = await request(hub.server)
      .get(`${model()}/versions/7.0.0`)
      .set('authorization', as);
    const paths = (version.body.files as Array<{ path: string }>).map(
      f => f.path,
    );
    expect(paths).toHaveLength(KEYS);
    expect(new Set(paths).size).toBe(KEYS);
    expect(paths).toContain('shard-01249.txt');
  });
});
