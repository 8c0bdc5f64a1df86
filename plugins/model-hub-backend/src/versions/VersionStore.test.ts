import { mockServices, TestDatabases } from '@backstage/backend-test-utils';
import { FileScanResult } from '@internal/plugin-model-hub-common';
import {
  BENIGN_PICKLE,
  MALICIOUS_PICKLE,
  safetensors,
  scanBytes,
  sha256,
} from '../__testUtils__/fixtures';
import { NewVersionFile, VersionStore } from './VersionStore';

jest.setTimeout(60_000);

const MODEL = 'model:default/support-assistant';
const ALICE = 'user:default/alice';

const databases = TestDatabases.create({ ids: ['SQLITE_3', 'POSTGRES_16'] });

async function fileOf(
  store: VersionStore,
  bytes: Buffer,
  path: string,
): Promise<NewVersionFile> {
  const scan: FileScanResult = await scanBytes(bytes, path);
  const digest = sha256(bytes);
  await store.recordBlob(digest, bytes.length);
  return {
    path,
    sha256: digest,
    size: bytes.length,
    format: scan.format,
    scan,
    uploadedBy: ALICE,
  };
}

describe.each(databases.eachSupportedId())('VersionStore on %s', databaseId => {
  let store: VersionStore;

  beforeAll(async () => {
    const knex = await databases.init(databaseId);
    store = await VersionStore.create({
      database: mockServices.database({ knex, migrations: { skip: false } }),
    });
  });

  it('creates a draft version once and returns it on repeat', async () => {
    const first = await store.createVersion({
      entityRef: MODEL,
      version: '1.0.0',
      description: 'first cut',
      createdBy: ALICE,
    });
    expect(first.created).toBe(true);
    expect(first.version).toMatchObject({
      entityRef: MODEL,
      version: '1.0.0',
      state: 'draft',
      description: 'first cut',
      files: [],
      aliases: [],
      scanVerdict: 'safe',
      createdBy: ALICE,
    });
    expect(Date.parse(first.version.createdAt)).toBeGreaterThan(
      Date.now() - 60_000,
    );
    const again = await store.createVersion({
      entityRef: MODEL,
      version: '1.0.0',
      createdBy: 'user:default/bob',
    });
    expect(again.created).toBe(false);
    expect(again.version.createdBy).toBe(ALICE);
  });

  it('records files with scan results and the worst verdict', async () => {
    await store.createVersion({
      entityRef: MODEL,
      version: '1.1.0',
      createdBy: ALICE,
    });
    const weights = await fileOf(
      store,
      safetensors([1, 2, 3]),
      'model.safetensors',
    );
    const evil = await fileOf(store, MALICIOUS_PICKLE, 'extra/evil.pkl');
    await store.addFile(MODEL, '1.1.0', weights);
    const added = await store.addFile(MODEL, '1.1.0', evil);
    expect(added).toMatchObject({ path: 'extra/evil.pkl', format: 'pickle' });

    const version = (await store.getVersion(MODEL, '1.1.0'))!;
    expect(version.files.map(f => [f.path, f.format, f.scan.verdict])).toEqual([
      ['extra/evil.pkl', 'pickle', 'unsafe'],
      ['model.safetensors', 'safetensors', 'safe'],
    ]);
    expect(version.files[1].size).toBe(safetensors([1, 2, 3]).length);
    expect(version.scanVerdict).toBe('unsafe');
  });

  it('replaces a file of a draft at the same path', async () => {
    await store.createVersion({
      entityRef: MODEL,
      version: '1.2.0',
      createdBy: ALICE,
    });
    await store.addFile(
      MODEL,
      '1.2.0',
      await fileOf(store, MALICIOUS_PICKLE, 'm.pkl'),
    );
    await store.addFile(
      MODEL,
      '1.2.0',
      await fileOf(store, BENIGN_PICKLE, 'm.pkl'),
    );
    const version = (await store.getVersion(MODEL, '1.2.0'))!;
    expect(version.files).toHaveLength(1);
    expect(version.files[0].sha256).toBe(sha256(BENIGN_PICKLE));
    expect(version.scanVerdict).toBe('safe');
  });

  it('refuses to seal an empty version', async () => {
    await store.createVersion({
      entityRef: MODEL,
      version: '2.0.0',
      createdBy: ALICE,
    });
    await expect(store.sealVersion(MODEL, '2.0.0')).rejects.toMatchObject({
      name: 'InputError',
      message: expect.stringContaining('has no files'),
    });
  });

  it('seals a version, after which it is immutable', async () => {
    await store.createVersion({
      entityRef: MODEL,
      version: '2.1.0',
      createdBy: ALICE,
    });
    await store.addFile(
      MODEL,
      '2.1.0',
      await fileOf(store, BENIGN_PICKLE, 'a.pkl'),
    );
    const sealed = await store.sealVersion(MODEL, '2.1.0');
    expect(sealed.state).toBe('sealed');
    expect(sealed.sealedAt).toEqual(expect.any(String));
    // Sealing again changes nothing.
    expect((await store.sealVersion(MODEL, '2.1.0')).sealedAt).toBe(
      sealed.sealedAt,
    );
    await expect(
      store.addFile(
        MODEL,
        '2.1.0',
        await fileOf(store, MALICIOUS_PICKLE, 'a.pkl'),
      ),
    ).rejects.toMatchObject({ name: 'ConflictError' });
    expect((await store.getVersion(MODEL, '2.1.0'))!.files[0].sha256).toBe(
      sha256(BENIGN_PICKLE),
    );
  });

  it('reports unknown versions as not found', async () => {
    await expect(store.sealVersion(MODEL, '9.9.9')).rejects.toMatchObject({
      name: 'NotFoundError',
    });
    await expect(
      store.addFile(
        MODEL,
        '9.9.9',
        await fileOf(store, BENIGN_PICKLE, 'a.pkl'),
      ),
    ).rejects.toMatchObject({ name: 'NotFoundError' });
    expect(await store.getVersion(MODEL, '9.9.9')).toBeUndefined();
  });

  it('sets and moves aliases, only onto sealed versions', async () => {
    const ref = 'model:default/aliased';
    for (const v of ['1.0.0', '1.1.0']) {
      await store.createVersion({
        entityRef: ref,
        version: v,
        createdBy: ALICE,
      });
      await store.addFile(ref, v, await fileOf(store, BENIGN_PICKLE, 'a.pkl'));
      await store.sealVersion(ref, v);
    }
    await store.createVersion({
      entityRef: ref,
      version: '2.0.0-rc.1',
      createdBy: ALICE,
    });

    await store.setAlias({
      entityRef: ref,
      alias: 'champion',
      version: '1.0.0',
      updatedBy: ALICE,
    });
    expect((await store.resolveVersion(ref, 'champion'))!.version).toBe(
      '1.0.0',
    );

    const moved = await store.setAlias({
      entityRef: ref,
      alias: 'champion',
      version: '1.1.0',
      updatedBy: ALICE,
    });
    expect(moved.aliases).toEqual(['champion']);
    expect((await store.getVersion(ref, '1.0.0'))!.aliases).toEqual([]);
    expect((await store.resolveVersion(ref, 'champion'))!.version).toBe(
      '1.1.0',
    );
    expect((await store.resolveVersion(ref, '1.0.0'))!.version).toBe('1.0.0');
    expect(await store.resolveVersion(ref, 'nope')).toBeUndefined();

    await expect(
      store.setAlias({
        entityRef: ref,
        alias: 'next',
        version: '2.0.0-rc.1',
        updatedBy: ALICE,
      }),
    ).rejects.toMatchObject({ name: 'ConflictError' });
    // Aliases are per model.
    expect(await store.resolveVersion(MODEL, 'champion')).toBeUndefined();
  });

  it('lists versions of one model, most recently created first', async () => {
    const ref = 'model:default/listed';
    for (const v of ['0.1.0', '0.3.0', '0.2.0']) {
      await store.createVersion({
        entityRef: ref,
        version: v,
        createdBy: ALICE,
      });
    }
    const items = await store.listVersions(ref);
    expect(items.map(v => v.version)).toEqual(['0.2.0', '0.3.0', '0.1.0']);
    expect(await store.listVersions('model:default/nothing')).toEqual([]);
  });

  it('stores each blob once', async () => {
    const digest = sha256(BENIGN_PICKLE);
    await store.recordBlob(digest, BENIGN_PICKLE.length);
    await store.recordBlob(digest, BENIGN_PICKLE.length);
    expect(await store.getBlob(digest)).toEqual({ size: BENIGN_PICKLE.length });
    expect(await store.getBlob('0'.repeat(64))).toBeUndefined();
  });
});
