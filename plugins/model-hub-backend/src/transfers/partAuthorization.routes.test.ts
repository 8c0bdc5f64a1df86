import { createHash, randomBytes } from 'node:crypto';
import { mockCredentials } from '@backstage/backend-test-utils';
import { CatalogService } from '@backstage/plugin-catalog-node';
import {
  MODEL_HUB_SHA256_HEADER,
  modelHubApiPaths,
} from '@internal/plugin-model-hub-common';
import request from 'supertest';
import {
  ModelHubTestBackend,
  ownersPublishPolicy,
  startModelHubTestBackend,
} from '../__testUtils__/modelHubBackend';
import { ALICE, MODEL_REF, model } from '../__testUtils__/transfersBackend';

jest.setTimeout(60_000);

const PART = 1024;
const PARTS = 6;
const api = (p: string) => `/api/model-hub${p}`;
const sha256 = (b: Buffer) => createHash('sha256').update(b).digest('hex');

/**
 * A multipart upload's parts reuse the caller's authorization of the upload
 * for modelHub.transfers.partAuthorizationSeconds; starting and completing
 * are checked live, so a revoked publisher never completes the file.
 */
describe.each([
  ['reused for 30 s', 30],
  ['checked on every part', 0],
])('multipart part authorization, %s', (_label, seconds) => {
  let hub: ModelHubTestBackend;
  let revoked = false;
  let lookups = 0;

  beforeAll(async () => {
    hub = await startModelHubTestBackend({
      entities: [model('support-assistant')],
      groups: ref =>
        ref === ALICE && !revoked ? ['group:default/ml-team'] : [],
      policy: ownersPublishPolicy(),
      wrapCatalog: (catalog: CatalogService) => {
        // Counts the lookups (the mock's methods live on its prototype).
        const lookup = catalog.getEntityByRef.bind(catalog);
        catalog.getEntityByRef = async (ref, options) => {
          lookups += 1;
          return lookup(ref, options);
        };
        return catalog;
      },
      modelHub: {
        artifacts: { maxUploadBytes: 64 * 1024 },
        transfers: {
          minPartBytes: PART,
          maxPartBytes: 16 * 1024,
          partAuthorizationSeconds: seconds,
        },
      },
    });
  });

  afterAll(async () => {
    await hub?.stop();
  });

  const uploads = (version: string) =>
    api(`${modelHubApiPaths.version(MODEL_REF, version)}/uploads`);
  const sendPart = (version: string, id: string, n: number, bytes: Buffer) => {
    const body = bytes.subarray((n - 1) * PART, n * PART);
    return request(hub.server)
      .put(`${uploads(version)}/${id}/parts/${n}`)
      .set('Authorization', mockCredentials.user.header(ALICE))
      .set('Content-Type', 'application/octet-stream')
      .set(MODEL_HUB_SHA256_HEADER, sha256(body))
      .send(body);
  };

  it('looks the upload up once per window, and a publisher revoked half-way never completes the file', async () => {
    revoked = false;
    const version = '1.0.0';
    const bytes = randomBytes(PARTS * PART);
    await request(hub.server)
      .post(api(modelHubApiPaths.versions(MODEL_REF)))
      .set('Authorization', mockCredentials.user.header(ALICE))
      .send({ version })
      .expect(201);
    const started = await request(hub.server)
      .post(uploads(version))
      .set('Authorization', mockCredentials.user.header(ALICE))
      .send({
        path: 'model.safetensors',
        sha256: sha256(bytes),
        size: bytes.length,
        partSize: PART,
      })
      .expect(201);
    const id = started.body.uploadId as string;

    lookups = 0;
    for (let n = 1; n <= 3; n++) {
      await sendPart(version, id, n, bytes).expect(201);
    }
    expect(lookups).toBe(seconds > 0 ? 1 : 3);

    // Alice leaves the owning team.
    revoked = true;
    // Within the window the remaining parts are staged, as with presigned
    // S3 part URLs handed out before the revocation; checked live, refused …
    const statuses: number[] = [];
    for (let n = 4; n <= PARTS; n++) {
      statuses.push((await sendPart(version, id, n, bytes)).status);
    }
    expect(statuses).toEqual(
      new Array(PARTS - 3).fill(seconds > 0 ? 201 : 403),
    );
    // … but completing is checked live: the file never becomes visible.
    await request(hub.server)
      .post(`${uploads(version)}/${id}/complete`)
      .set('Authorization', mockCredentials.user.header(ALICE))
      .expect(403);
    revoked = false;
    const files = await request(hub.server)
      .get(api(modelHubApiPaths.version(MODEL_REF, version)))
      .set('Authorization', mockCredentials.user.header(ALICE))
      .expect(200);
    expect(files.body.files ?? []).toEqual([]);
  });
});
