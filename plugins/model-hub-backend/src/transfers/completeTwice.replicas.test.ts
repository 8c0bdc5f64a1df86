import fs from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { mockCredentials, TestDatabases } from '@backstage/backend-test-utils';
import {
  MODEL_HUB_SHA256_HEADER,
  modelHubApiPaths,
} from '@internal/plugin-model-hub-common';
import request from 'supertest';
import { sha256 } from '../__testUtils__/fixtures';
import { ModelVersionService } from '../versions/ModelVersionService';
import { ModelHubTestBackend } from '../__testUtils__/modelHubBackend';
import {
  ALICE,
  bytesOf,
  MODEL_REF,
  startAliceBackend,
} from '../__testUtils__/transfersBackend';

jest.setTimeout(120_000);

const PART = 1024;
const databases = TestDatabases.create({ ids: ['SQLITE_3', 'POSTGRES_16'] });

describe.each(databases.eachSupportedId())(
  'one multipart upload completed on two replicas at once (shared staging) on %s',
  databaseId => {
    let dataDir: string;
    let one: ModelHubTestBackend;
    let two: ModelHubTestBackend;
    const api = (p: string) => `/api/model-hub${p}`;
    const as = (user: string) => mockCredentials.user.header(user);

    beforeAll(async () => {
      const knex = await databases.init(databaseId);
      dataDir = await fs.mkdtemp(path.join(os.tmpdir(), 'model-hub-2x-'));
      const start = () =>
        startAliceBackend({
          knex,
          dataDir,
          modelHub: {
            artifacts: { maxUploadBytes: 64 * 1024 },
            transfers: { minPartBytes: PART, maxPartBytes: 16 * 1024 },
          },
        });
      one = await start();
      two = await start();
    });

    afterEach(() => jest.restoreAllMocks());

    afterAll(async () => {
      await one.stop();
      await two.stop();
      await fs.rm(dataDir, { recursive: true, force: true });
    });

    it('stores the file once with its bytes, and answers the other completion 409, not an internal error', async () => {
      const V = modelHubApiPaths.version(MODEL_REF, '1.0.0');
      await request(one.server)
        .post(api(modelHubApiPaths.versions(MODEL_REF)))
        .set('Authorization', as(ALICE))
        .send({ version: '1.0.0' })
        .expect(201);
      const bytes = bytesOf(3 * PART + 100, 21);
      const started = await request(one.server)
        .post(api(`${V}/uploads`))
        .set('Authorization', as(ALICE))
        .send({
          path: 'w.bin',
          sha256: sha256(bytes),
          size: bytes.length,
          partSize: PART,
        })
        .expect(201);
      const id = started.body.uploadId;
      for (let n = 1; n <= 4; n++) {
        const body = bytes.subarray((n - 1) * PART, n * PART);
        await request(n % 2 ? one.server : two.server)
          .put(api(`${V}/uploads/${id}/parts/${n}`))
          .set('Authorization', as(ALICE))
          .set('Content-Type', 'application/octet-stream')
          .set(MODEL_HUB_SHA256_HEADER, sha256(body))
          .send(body)
          .expect(201);
      }
      // A completion reaching the version's upload path waits there for the
      // other (or two seconds, when the other never gets there).
      let arrived = 0;
      let go!: () => void;
      const both = new Promise<void>(resolve => {
        go = resolve;
        setTimeout(resolve, 2000);
      });
      const upload = ModelVersionService.prototype.uploadFile;
      jest
        .spyOn(ModelVersionService.prototype, 'uploadFile')
        .mockImplementation(async function held(
          this: ModelVersionService,
          ...args
        ) {
          arrived += 1;
          if (arrived === 2) go();
          await both;
          return upload.apply(this, args);
        });
      const answers = await Promise.all(
        [one, two].map(r =>
          request(r.server)
            .post(api(`${V}/uploads/${id}/complete`))
            .set('Authorization', as(ALICE)),
        ),
      );
      // One completion stores the file; the other is told one is under way
      // (before this fix it reached the store too and failed with a 500).
      expect(answers.map(a => a.status).sort()).toEqual([201, 409]);
      expect(answers.find(a => a.status === 409)!.body.error.message).toBe(
        `Upload ${id} is being completed by another request; wait for its answer (the version lists the file once it is stored), or retry in a minute`,
      );
      expect(arrived).toBe(1);
      const file = await request(two.server)
        .get(api(`${V}/files/w.bin`))
        .set('Authorization', as(ALICE))
        .buffer(true)
        .parse((res, cb) => {
          const chunks: Buffer[] = [];
          res.on('data', (c: Buffer) => chunks.push(c));
          res.on('end', () => cb(null, Buffer.concat(chunks)));
        });
      expect(file.status).toBe(200);
      expect(sha256(file.body)).toBe(sha256(bytes));
    });

    it('refuses a part sent to another replica while the upload is being completed', async () => {
      const V = modelHubApiPaths.version(MODEL_REF, '2.0.0');
      await request(one.server)
        .post(api(modelHubApiPaths.versions(MODEL_REF)))
        .set('Authorization', as(ALICE))
        .send({ version: '2.0.0' })
        .expect(201);
      const bytes = bytesOf(2 * PART, 22);
      const started = await request(one.server)
        .post(api(`${V}/uploads`))
        .set('Authorization', as(ALICE))
        .send({
          path: 'x.bin',
          sha256: sha256(bytes),
          size: bytes.length,
          partSize: PART,
        });
      expect(started.status).toBe(201);
      const id = started.body.uploadId;
      const sendPart = (replica: ModelHubTestBackend, n: number) => {
        const body = bytes.subarray((n - 1) * PART, n * PART);
        return request(replica.server)
          .put(api(`${V}/uploads/${id}/parts/${n}`))
          .set('Authorization', as(ALICE))
          .set('Content-Type', 'application/octet-stream')
          .set(MODEL_HUB_SHA256_HEADER, sha256(body))
          .send(body);
      };
      for (const n of [1, 2]) expect((await sendPart(one, n)).status).toBe(201);

      // The completion on replica one holds in the version's upload path.
      let entered!: () => void;
      const inside = new Promise<void>(resolve => {
        entered = resolve;
      });
      let release!: () => void;
      const released = new Promise<void>(resolve => {
        release = resolve;
      });
      const upload = ModelVersionService.prototype.uploadFile;
      jest
        .spyOn(ModelVersionService.prototype, 'uploadFile')
        .mockImplementationOnce(async function held(
          this: ModelVersionService,
          ...args
        ) {
          entered();
          await released;
          return upload.apply(this, args);
        });
      const completing = request(one.server)
        .post(api(`${V}/uploads/${id}/complete`))
        .set('Authorization', as(ALICE))
        .then(r => r);
      await inside;
      const part = await sendPart(two, 2);
      release();
      expect(part.status).toBe(409);
      expect(part.body.error.message).toBe(
        `Upload ${id} is being completed; wait for that answer before sending parts`,
      );
      expect((await completing).status).toBe(201);
    });
  },
);
