import { mockServices, TestDatabases } from '@backstage/backend-test-utils';
import { MultipartUpload, MultipartUploadStore } from './MultipartUploadStore';

jest.setTimeout(60_000);

const databases = TestDatabases.create({ ids: ['SQLITE_3', 'POSTGRES_16'] });

const T0 = new Date('2026-12-06T10:00:00.000Z');
const T1 = new Date('2026-12-06T11:00:00.000Z');

const upload = (overrides: Partial<MultipartUpload> = {}): MultipartUpload => ({
  id: 'a'.repeat(32),
  entityRef: 'model:default/llm',
  version: '1.0.0',
  path: 'model-00001-of-00002.safetensors',
  sha256: 'b'.repeat(64),
  size: 20 * 1024 * 1024 * 1024, // past 32-bit integers on purpose
  partSize: 64 * 1024 * 1024,
  createdBy: 'user:default/alice',
  createdAt: T0,
  updatedAt: T0,
  ...overrides,
});

/** What a resumed publish of {@link upload}'s file asks for. */
const query = {
  entityRef: 'model:default/llm',
  version: '1.0.0',
  path: 'model-00001-of-00002.safetensors',
  sha256: 'b'.repeat(64),
  size: 20 * 1024 ** 3,
  partSize: 64 * 1024 ** 2,
  createdBy: 'user:default/alice',
};

describe.each(databases.eachSupportedId())(
  'MultipartUploadStore on %s',
  databaseId => {
    let store: MultipartUploadStore;

    beforeEach(async () => {
      const knex = await databases.init(databaseId);
      store = await MultipartUploadStore.create({
        database: mockServices.database({ knex, migrations: { skip: false } }),
      });
    });

    it('keeps sizes past 4 GiB and finds the upload to resume only for the same principal and content', async () => {
      await store.insert(upload());
      const found = await store.get('a'.repeat(32));
      expect(found).toMatchObject({
        size: 20 * 1024 ** 3,
        partSize: 64 * 1024 ** 2,
      });
      expect((await store.findResumable(query))?.id).toBe('a'.repeat(32));
      expect(
        await store.findResumable({ ...query, createdBy: 'user:default/bob' }),
      ).toBeUndefined();
      expect(
        await store.findResumable({ ...query, sha256: 'c'.repeat(64) }),
      ).toBeUndefined();
    });

    it('records parts, replaces a re-sent part, and lists idle uploads by their last part', async () => {
      await store.insert(upload());
      await store.insert(upload({ id: 'd'.repeat(32), path: 'other.bin' }));
      await store.putPart(
        'a'.repeat(32),
        { number: 2, size: 10, sha256: 'e'.repeat(64) },
        T1,
      );
      await store.putPart(
        'a'.repeat(32),
        { number: 1, size: 10, sha256: 'e'.repeat(64) },
        T1,
      );
      await store.putPart(
        'a'.repeat(32),
        { number: 2, size: 10, sha256: 'f'.repeat(64) },
        T1,
      );
      expect(await store.listParts('a'.repeat(32))).toEqual([
        { number: 1, size: 10, sha256: 'e'.repeat(64) },
        { number: 2, size: 10, sha256: 'f'.repeat(64) },
      ]);
      const cutoff = new Date('2026-12-06T10:30:00.000Z');
      expect((await store.listIdleSince(cutoff)).map(u => u.id)).toEqual([
        'd'.repeat(32),
      ]);
      await store.delete('a'.repeat(32));
      expect(await store.get('a'.repeat(32))).toBeUndefined();
      expect(await store.listParts('a'.repeat(32))).toEqual([]);
    });

    it('keeps the S3 upload id of a direct upload and the ETag of each part reported', async () => {
      const s3UploadId = `${'x'.repeat(200)}~direct`; // S3 ids are long and opaque
      await store.insert(upload({ s3UploadId }));
      await store.insert(upload({ id: 'd'.repeat(32), path: 'other.bin' }));
      expect((await store.get('a'.repeat(32)))?.s3UploadId).toBe(s3UploadId);
      expect((await store.get('d'.repeat(32)))?.s3UploadId).toBeUndefined();
      // A resumed publish continues only an upload of the same kind.
      expect((await store.findResumable({ ...query, direct: true }))?.id).toBe(
        'a'.repeat(32),
      );
      expect(
        await store.findResumable({ ...query, direct: false }),
      ).toBeUndefined();
      const part = { number: 1, size: 10, sha256: 'e'.repeat(64) };
      await store.putPart('a'.repeat(32), { ...part, etag: '"abc"' }, T1);
      await store.putPart('d'.repeat(32), part, T1);
      expect(await store.listParts('a'.repeat(32))).toStrictEqual([
        { ...part, etag: '"abc"' },
      ]);
      expect(await store.listParts('d'.repeat(32))).toStrictEqual([part]);
      // A re-sent part replaces the ETag too.
      await store.putPart('a'.repeat(32), { ...part, etag: '"def"' }, T1);
      expect((await store.listParts('a'.repeat(32)))[0].etag).toBe('"def"');
    });
  },
);
