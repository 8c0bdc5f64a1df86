import { SchedulerService } from '@backstage/backend-plugin-api';
import { mockCredentials, TestDatabases } from '@backstage/backend-test-utils';
import {
  MODEL_HUB_SHA256_HEADER,
  modelHubApiPaths,
} from '@internal/plugin-model-hub-common';
import request from 'supertest';
import { sha256 } from '../__testUtils__/fixtures';
import { captureScheduler } from '../__testUtils__/scheduler';
import { ModelHubTestBackend } from '../__testUtils__/modelHubBackend';
import {
  ALICE,
  bytesOf,
  MODEL_REF,
  startAliceBackend,
} from '../__testUtils__/transfersBackend';
import { MultipartUploads } from './MultipartUploads';
import { MultipartUploadStore } from './MultipartUploadStore';
import { COLLECT_UPLOADS_TASK_ID } from './setup';

jest.setTimeout(120_000);

const PART = 1024;
const databases = TestDatabases.create({ ids: ['SQLITE_3', 'POSTGRES_16'] });

describe.each(databases.eachSupportedId())(
  'the abandoned-upload collection racing a resumed upload on %s',
  databaseId => {
    let backend: ModelHubTestBackend;
    let scheduler: SchedulerService | undefined;
    const api = (p: string) => `/api/model-hub${p}`;
    const as = (user: string) => mockCredentials.user.header(user);

    beforeAll(async () => {
      backend = await startAliceBackend({
        knex: await databases.init(databaseId),
        features: [captureScheduler(s => (scheduler = s))],
        modelHub: {
          artifacts: { maxUploadBytes: 64 * 1024 },
          transfers: {
            minPartBytes: PART,
            maxPartBytes: 16 * 1024,
            abandonedAfter: { seconds: 1 },
            collectEvery: { hours: 1 },
          },
        },
      });
    });

    afterEach(() => jest.restoreAllMocks());

    afterAll(() => backend.stop());

    it('keeps an upload that received a part after the collection listed it as idle', async () => {
      const V = modelHubApiPaths.version(MODEL_REF, '1.0.0');
      await request(backend.server)
        .post(api(modelHubApiPaths.versions(MODEL_REF)))
        .set('Authorization', as(ALICE))
        .send({ version: '1.0.0' })
        .expect(201);
      const bytes = bytesOf(2 * PART, 31);
      const started = await request(backend.server)
        .post(api(`${V}/uploads`))
        .set('Authorization', as(ALICE))
        .send({
          path: 'w.bin',
          sha256: sha256(bytes),
          size: bytes.length,
          partSize: PART,
        });
      expect(started.status).toBe(201);
      const id = started.body.uploadId;
      const sendPart = (n: number) => {
        const body = bytes.subarray((n - 1) * PART, n * PART);
        return request(backend.server)
          .put(api(`${V}/uploads/${id}/parts/${n}`))
          .set('Authorization', as(ALICE))
          .set('Content-Type', 'application/octet-stream')
          .set(MODEL_HUB_SHA256_HEADER, sha256(body))
          .send(body);
      };
      expect((await sendPart(1)).status).toBe(201);
      await new Promise(r => setTimeout(r, 1500));

      // The client resumes right after the collection listed the upload.
      let resumed: number | undefined;
      const list = MultipartUploadStore.prototype.listIdleSince;
      jest
        .spyOn(MultipartUploadStore.prototype, 'listIdleSince')
        .mockImplementationOnce(async function listed(
          this: MultipartUploadStore,
          ...args
        ) {
          const idle = await list.apply(this, args);
          expect(idle.map(u => u.id)).toContain(id);
          resumed = (await sendPart(2)).status;
          return idle;
        });
      let collected: Promise<number> | undefined;
      const collect = MultipartUploads.prototype.collectIdle;
      jest
        .spyOn(MultipartUploads.prototype, 'collectIdle')
        .mockImplementationOnce(function collecting(
          this: MultipartUploads,
          ...args
        ) {
          collected = collect.apply(this, args);
          return collected;
        });
      await scheduler!.triggerTask(COLLECT_UPLOADS_TASK_ID);
      for (let i = 0; i < 100 && !collected; i++) {
        await new Promise(r => setTimeout(r, 50));
      }
      expect(await collected).toBe(0);
      expect(resumed).toBe(201);

      const completed = await request(backend.server)
        .post(api(`${V}/uploads/${id}/complete`))
        .set('Authorization', as(ALICE));
      expect(completed.status).toBe(201);
      expect(completed.body.sha256).toBe(sha256(bytes));
    });
  },
);
