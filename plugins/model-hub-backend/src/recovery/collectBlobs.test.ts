import fs from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { mockServices, TestDatabases } from '@backstage/backend-test-utils';
import { ArtifactStore } from '../artifacts/ArtifactStore';
import { LocalArtifactStore } from '../artifacts/LocalArtifactStore';
import {
  S3_MIN_PART_SIZE,
  S3ArtifactStore,
} from '../artifacts/S3ArtifactStore';
import { scanBytes, sha256 } from '../__testUtils__/fixtures';
import { startTestS3Server, TestS3Server } from '../__testUtils__/s3';
import { VersionStore } from '../versions/VersionStore';
import { collectUnreferencedBlobs } from './collectBlobs';

jest.setTimeout(60_000);

const MODEL = 'model:default/gc';
const ALICE = 'user:default/alice';
const HOUR = 3_600_000;
const databases = TestDatabases.create({ ids: ['SQLITE_3'] });

let s3: TestS3Server;
let tmp: string;

beforeAll(async () => {
  s3 = await startTestS3Server();
  tmp = await fs.mkdtemp(path.join(os.tmpdir(), 'model-hub-gc-'));
});

afterAll(async () => {
  await s3?.stop();
  await fs.rm(tmp, { recursive: true, force: true });
});

describe.each([
  [
    'local',
    () => new LocalArtifactStore({ directory: path.join(tmp, 'store') }),
  ],
  [
    's3',
    () =>
      S3ArtifactStore.create({
        bucket: s3.bucket,
        region: 'us-east-1',
        endpoint: s3.endpoint,
        forcePathStyle: true,
        credentials: s3.credentials,
        partSizeBytes: S3_MIN_PART_SIZE,
      }),
  ],
] as Array<[string, () => ArtifactStore]>)(
  'collecting unreferenced blobs from the %s store',
  (_name, createStore) => {
    it('deletes the orphan after the grace period and keeps the referenced blob', async () => {
      const knex = await databases.init('SQLITE_3');
      const versions = await VersionStore.create({
        database: mockServices.database({ knex, migrations: { skip: false } }),
      });
      const artifacts = createStore();
      const put = async (bytes: Buffer) => {
        const file = path.join(tmp, `src-${sha256(bytes)}`);
        await fs.writeFile(file, bytes);
        await versions.recordBlob(sha256(bytes), bytes.length);
        await artifacts.put(sha256(bytes), file, bytes.length);
      };
      const orphan = Buffer.from(`orphan ${_name}`);
      const used = Buffer.from(`referenced ${_name}`);
      await put(orphan);
      await put(used);
      await versions.createVersion({
        entityRef: MODEL,
        version: '1.0.0',
        createdBy: ALICE,
      });
      const scan = await scanBytes(used, 'w.bin');
      await versions.addFile(MODEL, '1.0.0', {
        path: 'w.bin',
        sha256: sha256(used),
        size: used.length,
        format: scan.format,
        scan,
        uploadedBy: ALICE,
      });
      const logger = mockServices.logger.mock();

      const early = await collectUnreferencedBlobs({
        versions,
        artifacts,
        graceMs: HOUR,
        now: new Date(),
        logger,
      });
      expect(early).toEqual([]);
      expect(await artifacts.stat(sha256(orphan))).toBeDefined();

      const later = await collectUnreferencedBlobs({
        versions,
        artifacts,
        graceMs: HOUR,
        now: new Date(Date.now() + 2 * HOUR),
        logger,
      });
      expect(later).toEqual([sha256(orphan)]);
      expect(await artifacts.stat(sha256(orphan))).toBeUndefined();
      expect(await versions.getBlob(sha256(orphan))).toBeUndefined();
      expect(await artifacts.stat(sha256(used))).toEqual({ size: used.length });
    });
  },
);
