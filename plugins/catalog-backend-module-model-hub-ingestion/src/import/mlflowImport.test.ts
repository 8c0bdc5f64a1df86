import { createHash } from 'node:crypto';
import fs from 'node:fs/promises';
import path from 'node:path';
import { mockCredentials } from '@backstage/backend-test-utils';
import { Entity } from '@backstage/catalog-model';
import net from 'node:net';
import request from 'supertest';
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
 * Import of MLflow model versions into the hub through its real route:
 * the fake MLflow server serves get-download-uri and the proxied artifact
 * routes; the hub stores the files content-addressed, scans them, seals the
 * version and enqueues its gauntlet; the version is then pullable.
 */

jest.setTimeout(120_000);

const OWNER = 'user:default/ava';
const OUTSIDER = 'user:default/olaf';
const WEIGHTS = safetensorsFile([0.5, -1.25, 3]);
const MLMODEL =
  'flavors:\n  python_function:\n    loader_module: mlflow.pytorch\n';
const RUN = '1/0a1b2c/artifacts/model';

const versions: MlflowModelVersion[] = [
  {
    name: 'fraud-scorer',
    version: '1',
    status: 'READY',
    current_stage: 'Production',
    source: `mlflow-artifacts:/${RUN}`,
  },
  {
    name: 'fraud-scorer',
    version: '2',
    status: 'READY',
    source: 's3://acme-models/fraud-scorer/2',
  },
];

function entityOf(sourceId: string, baseUrl: string): Entity {
  return mapMlflowModel(
    {
      name: 'fraud-scorer',
      tags: [{ key: 'owner', value: 'group:default/fraud' }],
    },
    versions,
    {
      sourceId,
      modelPageUrl: n => `${baseUrl}/#/models/${n}`,
      defaultOwner: 'group:default/fraud',
      ownerTag: 'owner',
      deprecationTag: 'deprecated',
      defaultLicense: 'NOASSERTION',
      namespace: 'default',
    },
  );
}

/** A local port nothing listens on (bound, then released). */
async function closedPort(): Promise<number> {
  const server = net.createServer();
  await new Promise<void>(r => server.listen(0, '127.0.0.1', r));
  const { port } = server.address() as net.AddressInfo;
  await new Promise(r => server.close(r));
  return port;
}

describe('importing MLflow versions into the hub', () => {
  let fake: FakeMlflowServer;
  let hub: HubBackend;
  let entity: Entity;
  let down: Entity;

  beforeAll(async () => {
    fake = await FakeMlflowServer.start({
      models: [{ name: 'fraud-scorer' }],
      versions,
      artifacts: {
        [`${RUN}/MLmodel`]: MLMODEL,
        [`${RUN}/data/model.safetensors`]: WEIGHTS,
        [`${RUN}/requirements.txt`]: 'torch==2.5.1\n',
      },
    });
    const downUrl = `http://127.0.0.1:${await closedPort()}`;
    entity = entityOf('prod', fake.url);
    down = entityOf('down', downUrl);
    down.metadata.name = 'mlflow-down-fraud-scorer';
    hub = await startHubBackend({
      entities: [entity, down],
      refuseImport: [OUTSIDER],
      ingestion: {
        mlflow: [
          {
            id: 'prod',
            baseUrl: fake.url,
            defaultOwner: 'group:default/fraud',
          },
          {
            id: 'down',
            baseUrl: downUrl,
            defaultOwner: 'group:default/fraud',
          },
        ],
      },
    });
  });
  afterAll(async () => {
    await hub?.stop();
    await fake?.close();
  });

  const model = () =>
    `/api/model-hub/v1/models/default/${entity.metadata.name}`;
  const as = (user: string) => mockCredentials.user.header(user);

  it('stores the files content-addressed, scans and seals them, runs the gauntlet, and serves them', async () => {
    const res = await request(hub.server)
      .post(`${model()}/import`)
      .set('authorization', as(OWNER))
      .send({ version: '1' });
    expect(res.status).toBe(201);
    expect(res.body).toMatchObject({
      version: '1.0.0',
      source: 'mlflow:prod',
      remoteId: 'fraud-scorer',
      remoteVersion: '1',
      state: 'imported',
      requestedBy: OWNER,
    });

    const version = await request(hub.server)
      .get(`${model()}/versions/1.0.0`)
      .set('authorization', as(OWNER));
    expect(version.status).toBe(200);
    expect(version.body.state).toBe('sealed');
    expect(version.body.description).toContain('mlflow:prod');
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
    const weights = files.find(f => f.path === 'data/model.safetensors')!;
    const sha = createHash('sha256').update(WEIGHTS).digest('hex');
    expect(weights.sha256).toBe(sha);
    expect(weights.scan.verdict).toBe('safe');
    // Content-addressed in the local store (keys sha256/ab/cdef…).
    expect(
      await fs.readFile(
        path.join(
          hub.dataDir,
          'artifacts',
          'sha256',
          sha.slice(0, 2),
          sha.slice(2),
        ),
      ),
    ).toEqual(WEIGHTS);

    // Pullable like any published version.
    const pulled = await request(hub.server)
      .get(`${model()}/versions/1.0.0/files/data/model.safetensors`)
      .set('authorization', as(OUTSIDER))
      .buffer(true)
      .parse(rawBytes);
    expect(pulled.status).toBe(200);
    expect(pulled.body).toEqual(WEIGHTS);

    // The seal enqueued a gauntlet run, as for an upload.
    const runs = await until('a gauntlet run', async () => {
      const r = await request(hub.server)
        .get(`${model()}/versions/1.0.0/gauntlet/runs`)
        .set('authorization', as(OWNER));
      return r.body.items?.length > 0 ? r.body.items : undefined;
    });
    expect(runs[0]).toMatchObject({ version: '1.0.0' });
  });

  it('answers a repeated import with the finished one, without fetching again', async () => {
    const before = fake.requests.get(
      '/api/2.0/mlflow/model-versions/get-download-uri',
    );
    const res = await request(hub.server)
      .post(`${model()}/import`)
      .set('authorization', as(OWNER))
      .send({ version: '1' });
    expect(res.status).toBe(200);
    expect(res.body.state).toBe('imported');
    expect(
      fake.requests.get('/api/2.0/mlflow/model-versions/get-download-uri'),
    ).toBe(before);
  });

  it('refuses artifacts in S3 with one line naming the scheme, and keeps nothing', async () => {
    const res = await request(hub.server)
      .post(`${model()}/import`)
      .set('authorization', as(OWNER))
      .send({ version: '2' });
    expect(res.status).toBe(400);
    expect(res.body.error.message).toMatch(
      /in s3 storage \(s3:\/\/acme-models/,
    );
    expect(res.body.error.message).not.toContain('\n');
    const version = await request(hub.server)
      .get(`${model()}/versions/2.0.0`)
      .set('authorization', as(OWNER));
    expect(version.status).toBe(404);
    const imports = await request(hub.server)
      .get(`${model()}/imports`)
      .set('authorization', as(OWNER));
    expect(imports.body.items).toEqual(
      expect.arrayContaining([
        expect.objectContaining({ version: '2.0.0', state: 'failed' }),
      ]),
    );
  });

  it('refuses a version the catalog does not mirror as READY', async () => {
    const res = await request(hub.server)
      .post(`${model()}/import`)
      .set('authorization', as(OWNER))
      .send({ version: '7' });
    expect(res.status).toBe(404);
    expect(res.body.error.message).toMatch(/not a READY version .*\(2, 1\)/);
  });

  it('gives 403 to a caller the policy refuses, and tells the page who may import', async () => {
    const res = await request(hub.server)
      .post(`${model()}/import`)
      .set('authorization', as(OUTSIDER))
      .send({ version: '1' });
    expect(res.status).toBe(403);
    expect(res.body.error.message).toMatch(
      /only its owner group:default\/fraud or the governance group may import/,
    );
    const outsider = await request(hub.server)
      .get(`${model()}/imports`)
      .set('authorization', as(OUTSIDER));
    expect(outsider.body.canImport).toBe(false);
    const owner = await request(hub.server)
      .get(`${model()}/imports`)
      .set('authorization', as(OWNER));
    expect(owner.body.canImport).toBe(true);
  });

  it('reports an unreachable source in one line and records the failure', async () => {
    const res = await request(hub.server)
      .post(`/api/model-hub/v1/models/default/${down.metadata.name}/import`)
      .set('authorization', as(OWNER))
      .send({ version: '1' });
    expect(res.status).toBe(503);
    expect(res.body.error.message).toMatch(
      /^Could not reach mlflow:down at http:\/\/127\.0\.0\.1:\d+ \(ECONNREFUSED\) while reading the download URI of version 1 of fraud-scorer;/,
    );
    expect(res.body.error.message).not.toContain('\n');
    const imports = await request(hub.server)
      .get(`/api/model-hub/v1/models/default/${down.metadata.name}/imports`)
      .set('authorization', as(OWNER));
    expect(imports.body.items[0]).toMatchObject({
      version: '1.0.0',
      state: 'failed',
      error: expect.stringMatching(/^Could not reach mlflow:down/),
    });
  });
});
