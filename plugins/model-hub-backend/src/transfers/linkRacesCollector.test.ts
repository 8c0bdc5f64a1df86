import path from 'node:path';
import {
  mockCredentials,
  mockServices,
  TestDatabases,
} from '@backstage/backend-test-utils';
import { modelHubApiPaths } from '@internal/plugin-model-hub-common';
import request from 'supertest';
import { LocalArtifactStore } from '../artifacts/LocalArtifactStore';
import { collectUnreferencedBlobs } from '../recovery/collectBlobs';
import { sha256 } from '../__testUtils__/fixtures';
import { ModelHubTestBackend } from '../__testUtils__/modelHubBackend';
import {
  ALICE,
  bytesOf,
  MODEL_REF,
  startAliceBackend,
} from '../__testUtils__/transfersBackend';
import { VersionStore } from '../versions/VersionStore';
import { ContentIndex } from './ContentIndex';

jest.setTimeout(120_000);

const HOUR = 3_600_000;
const databases = TestDatabases.create({ ids: ['SQLITE_3', 'POSTGRES_16'] });

describe.each(databases.eachSupportedId())(
  'a files-by-content link racing the blob collector on %s',
  databaseId => {
    let backend: ModelHubTestBackend;
    let versions: VersionStore;
    const api = (p: string) => `/api/model-hub${p}`;
    const as = (user: string) => mockCredentials.user.header(user);
    const draft = (version: string) =>
      request(backend.server)
        .post(api(modelHubApiPaths.versions(MODEL_REF)))
        .set('Authorization', as(ALICE))
        .send({ version })
        .expect(201);
    const put = (version: string, file: string, bytes: Buffer) =>
      request(backend.server)
        .put(
          api(`${modelHubApiPaths.version(MODEL_REF, version)}/files/${file}`),
        )
        .set('Authorization', as(ALICE))
        .set('Content-Type', 'application/octet-stream')
        .send(bytes)
        .expect(201);

    beforeAll(async () => {
      const knex = await databases.init(databaseId);
      backend = await startAliceBackend({
        knex,
      });
      versions = await VersionStore.create({
        database: mockServices.database({ knex, migrations: { skip: false } }),
      });
    });

    afterEach(() => jest.restoreAllMocks());

    afterAll(() => backend.stop());

    it('answers 404, not an internal error, when the collector took the blob after the link found it', async () => {
      const shared = bytesOf(2048, 11);
      await draft('1.0.0');
      await put('1.0.0', 'weights.bin', shared);
      await draft('2.0.0');

      // Between the link's lookup of a stored copy and its record, the only other reference
      // goes (the draft's file is replaced) and the collector runs, its
      // grace period past.
      const find = ContentIndex.prototype.findReference;
      jest
        .spyOn(ContentIndex.prototype, 'findReference')
        .mockImplementationOnce(async function seen(
          this: ContentIndex,
          ...args
        ) {
          const result = await find.apply(this, args);
          await put('1.0.0', 'weights.bin', bytesOf(2048, 12));
          const deleted = await collectUnreferencedBlobs({
            versions,
            artifacts: new LocalArtifactStore({
              directory: path.join(backend.dataDir, 'artifacts'),
            }),
            graceMs: HOUR,
            now: new Date(Date.now() + 2 * HOUR),
            logger: mockServices.logger.mock(),
          });
          expect(deleted).toContain(sha256(shared));
          return result;
        });

      const linked = await request(backend.server)
        .post(
          api(
            `${modelHubApiPaths.version(MODEL_REF, '2.0.0')}/files-by-content`,
          ),
        )
        .set('Authorization', as(ALICE))
        .send({ path: 'weights.bin', sha256: sha256(shared) });
      expect(linked.status).toBe(404);
      expect(linked.body.error.message).toBe(
        `The hub holds no content with SHA-256 ${sha256(
          shared,
        )} that you can read; upload the file instead`,
      );
      const version = await request(backend.server)
        .get(api(modelHubApiPaths.version(MODEL_REF, '2.0.0')))
        .set('Authorization', as(ALICE));
      expect(version.body.files).toEqual([]);
    });
  },
);
