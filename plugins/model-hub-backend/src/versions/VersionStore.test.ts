import { mockServices, TestDatabases } from '@backstage/backend-test-utils';
import { FileScanResult } from '@internal/plugin-model-hub-common';
import {
  BENIGN_PICKLE,
  MALICIOUS_PICKLE,
  safetensors,
  scanBytes,
  sha256,
} from '../__testUtils__/fixtures';
import { Knex } from 'knex';
import { countQueries } from '../__testUtils__/countQueries';
import { normalizeManifest } from './manifest';
import { NewVersionFile } from './VersionDrafts';
import { VersionStore } from './VersionStore';

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
  let knex: Knex;

  beforeAll(async () => {
    knex = await databases.init(databaseId);
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
      createdBy: ALICE,
    });
    expect(again.created).toBe(false);
    expect(again.version.createdBy).toBe(ALICE);
    // The draft belongs to who opened it: another principal never joins it.
    await expect(
      store.createVersion({
        entityRef: MODEL,
        version: '1.0.0',
        createdBy: 'user:default/bob',
      }),
    ).rejects.toMatchObject({ name: 'ConflictError' });
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
    const { sealed: didSeal, version: sealed } = await store.sealVersion(
      MODEL,
      '2.1.0',
    );
    expect(didSeal).toBe(true);
    expect(sealed.state).toBe('sealed');
    expect(sealed.sealedAt).toEqual(expect.any(String));
    // Sealing again changes nothing.
    const again = await store.sealVersion(MODEL, '2.1.0');
    expect(again.sealed).toBe(false);
    expect(again.version.sealedAt).toBe(sealed.sealedAt);
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

  it('lists a model’s versions with their files and aliases in two statements (the versions GET)', async () => {
    const ref = 'model:default/listed-whole';
    const other = 'model:default/listed-other';
    for (const [model, v, files] of [
      [ref, '1.0.0', ['b.safetensors', 'a.safetensors']],
      [ref, '1.1.0', ['weights.safetensors']],
      [ref, '2.0.0-rc.1', []],
      [other, '1.0.0', ['a.safetensors']],
    ] as const) {
      await store.createVersion({
        entityRef: model,
        version: v,
        createdBy: ALICE,
      });
      for (const [i, path] of files.entries()) {
        await store.addFile(
          model,
          v,
          await fileOf(store, safetensors([i, v.length]), path),
        );
      }
      if (files.length > 0) await store.sealVersion(model, v);
    }
    for (const [model, alias, v] of [
      [ref, 'stable', '1.0.0'],
      [ref, 'latest', '1.1.0'],
      [ref, 'champion', '1.1.0'],
      [other, 'latest', '1.0.0'],
    ]) {
      await store.setAlias({
        entityRef: model,
        alias,
        version: v,
        updatedBy: ALICE,
      });
    }
    const { value: items, count } = await countQueries(knex, () =>
      store.listVersions(ref),
    );
    // The same versions, files and aliases as each version read alone.
    const alone = await Promise.all(
      ['2.0.0-rc.1', '1.1.0', '1.0.0'].map(v => store.getVersion(ref, v)),
    );
    expect(items).toEqual(alone);
    expect(
      items.map(v => [v.version, v.aliases, v.files.map(f => f.path)]),
    ).toEqual([
      ['2.0.0-rc.1', [], []],
      ['1.1.0', ['champion', 'latest'], ['weights.safetensors']],
      ['1.0.0', ['stable'], ['a.safetensors', 'b.safetensors']],
    ]);
    // Versions with their files, and the aliases; three before.
    expect(count).toBeLessThanOrEqual(2);
  });

  it('assembles files of more versions than one query chunk holds', async () => {
    // #assemble reads files and aliases 1,000 versions per query: a list
    // past that size must give every version its own files, across chunks.
    const ref = 'model:default/many-versions';
    const count = 1005;
    for (let i = 0; i < count; i++) {
      await store.createVersion({
        entityRef: ref,
        version: `0.0.${i}`,
        createdBy: ALICE,
      });
    }
    for (const i of [0, 999, 1000, count - 1]) {
      await store.addFile(
        ref,
        `0.0.${i}`,
        await fileOf(store, safetensors([i]), `weights-${i}.safetensors`),
      );
    }
    const items = await store.listVersions(ref);
    expect(items).toHaveLength(count);
    const withFiles = items
      .filter(v => v.files.length > 0)
      .map(v => [v.version, v.files.map(f => f.path)]);
    expect(withFiles).toEqual(
      [count - 1, 1000, 999, 0].map(i => [
        `0.0.${i}`,
        [`weights-${i}.safetensors`],
      ]),
    );
  });

  it('stores each blob once', async () => {
    const digest = sha256(BENIGN_PICKLE);
    await store.recordBlob(digest, BENIGN_PICKLE.length);
    await store.recordBlob(digest, BENIGN_PICKLE.length);
    expect(await store.getBlob(digest)).toEqual({ size: BENIGN_PICKLE.length });
    expect(await store.getBlob('0'.repeat(64))).toBeUndefined();
  });

  it('refuses a second principal while a draft is open, and a second manifest from the same one', async () => {
    const manifest = normalizeManifest([
      {
        path: 'a.pkl',
        sha256: sha256(BENIGN_PICKLE),
        size: BENIGN_PICKLE.length,
      },
    ]);
    const first = await store.createVersion({
      entityRef: MODEL,
      version: '5.0.0',
      createdBy: ALICE,
      manifest,
    });
    expect(first.created).toBe(true);
    await expect(
      store.createVersion({
        entityRef: MODEL,
        version: '5.0.0',
        createdBy: 'user:default/bob',
        manifest,
      }),
    ).rejects.toThrow(/open draft of user:default\/alice/);
    await expect(
      store.createVersion({
        entityRef: MODEL,
        version: '5.0.0',
        createdBy: ALICE,
        manifest: normalizeManifest([
          { path: 'a.pkl', sha256: sha256(MALICIOUS_PICKLE) },
        ]),
      }),
    ).rejects.toThrow(/declares different files/);
    // The same publish resuming is welcome.
    const resumed = await store.createVersion({
      entityRef: MODEL,
      version: '5.0.0',
      createdBy: ALICE,
      manifest,
    });
    expect(resumed.created).toBe(false);
    // A file outside the manifest or with other content never joins it.
    await expect(
      store.addFile(
        MODEL,
        '5.0.0',
        await fileOf(store, BENIGN_PICKLE, 'b.pkl'),
      ),
    ).rejects.toThrow(/'b.pkl' is not in the draft's declared manifest/);
    await expect(
      store.addFile(
        MODEL,
        '5.0.0',
        await fileOf(store, MALICIOUS_PICKLE, 'a.pkl'),
      ),
    ).rejects.toThrow(/'a.pkl' has \d+ bytes, the manifest declares/);
  });

  it('seals only when the files match the manifest, naming the first difference', async () => {
    const good = safetensors([1, 2]);
    await store.createVersion({
      entityRef: MODEL,
      version: '5.1.0',
      createdBy: ALICE,
    });
    await store.addFile(
      MODEL,
      '5.1.0',
      await fileOf(store, good, 'w.safetensors'),
    );
    await store.addFile(
      MODEL,
      '5.1.0',
      await fileOf(store, BENIGN_PICKLE, 'z.pkl'),
    );
    const declared = (extra: object[] = []) =>
      normalizeManifest([
        { path: 'w.safetensors', sha256: sha256(good), size: good.length },
        ...(extra as any[]),
      ]);
    await expect(
      store.sealVersion(
        MODEL,
        '5.1.0',
        declared([{ path: 'a.bin', sha256: sha256(good) }]),
      ),
    ).rejects.toThrow(
      /'a.bin' is declared but was not uploaded \(and 1 more\)/,
    );
    await expect(store.sealVersion(MODEL, '5.1.0', declared())).rejects.toThrow(
      /'z.pkl' was uploaded but is not in the manifest; it stays a draft/,
    );
    await expect(
      store.sealVersion(
        MODEL,
        '5.1.0',
        normalizeManifest([
          {
            path: 'w.safetensors',
            sha256: sha256(good),
            size: good.length + 1,
          },
          { path: 'z.pkl', sha256: sha256(BENIGN_PICKLE) },
        ]),
      ),
    ).rejects.toThrow(/'w.safetensors' has \d+ bytes, the manifest declares/);
    await expect(
      store.sealVersion(
        MODEL,
        '5.1.0',
        normalizeManifest([
          { path: 'w.safetensors', sha256: sha256(good) },
          { path: 'z.pkl', sha256: sha256(good) },
        ]),
      ),
    ).rejects.toThrow(
      /'z.pkl' has SHA-256 [0-9a-f]{64}, the manifest declares/,
    );
    expect((await store.getVersion(MODEL, '5.1.0'))!.state).toBe('draft');
    const sealed = await store.sealVersion(
      MODEL,
      '5.1.0',
      declared([{ path: 'z.pkl', sha256: sha256(BENIGN_PICKLE) }]),
    );
    expect(sealed.sealed).toBe(true);
  });

  it('lets exactly one of many concurrent seals through', async () => {
    await store.createVersion({
      entityRef: MODEL,
      version: '5.2.0',
      createdBy: ALICE,
    });
    await store.addFile(
      MODEL,
      '5.2.0',
      await fileOf(store, BENIGN_PICKLE, 'a.pkl'),
    );
    const results = await Promise.allSettled(
      Array.from({ length: 8 }, () => store.sealVersion(MODEL, '5.2.0')),
    );
    const sealedNow = results.filter(
      r => r.status === 'fulfilled' && r.value.sealed,
    );
    expect(sealedNow).toHaveLength(1);
    const refusals = results.flatMap(r =>
      r.status === 'rejected' ? [r.reason] : [],
    );
    for (const reason of refusals) {
      expect(reason).toMatchObject({
        name: 'ConflictError',
        message: expect.stringContaining('being sealed by another request'),
      });
    }
    const states = results.flatMap(r =>
      r.status === 'fulfilled' ? [r.value.version.state] : [],
    );
    expect(new Set(states)).toEqual(new Set(['sealed']));
  });

  it('returns seals abandoned mid-way to draft', async () => {
    await store.createVersion({
      entityRef: MODEL,
      version: '5.3.0',
      createdBy: ALICE,
    });
    await knex('model_versions')
      .where({ entity_ref: MODEL, version: '5.3.0' })
      .update({ state: 'sealing', sealed_at: new Date(Date.now() - 60_000) });
    await expect(
      store.addFile(
        MODEL,
        '5.3.0',
        await fileOf(store, BENIGN_PICKLE, 'a.pkl'),
      ),
    ).rejects.toThrow(/being sealed/);
    expect(await store.resetStaleSeals(new Date(Date.now() - 120_000))).toBe(0);
    expect(await store.resetStaleSeals(new Date())).toBe(1);
    await store.addFile(
      MODEL,
      '5.3.0',
      await fileOf(store, BENIGN_PICKLE, 'a.pkl'),
    );
  });

  it('refuses a file whose name collides after case folding or NFC', async () => {
    await store.createVersion({
      entityRef: MODEL,
      version: '5.4.0',
      createdBy: ALICE,
    });
    await store.addFile(
      MODEL,
      '5.4.0',
      await fileOf(store, BENIGN_PICKLE, 'Caf\u00e9.pkl'),
    );
    await expect(
      store.addFile(
        MODEL,
        '5.4.0',
        await fileOf(store, BENIGN_PICKLE, 'cafe\u0301.PKL'),
      ),
    ).rejects.toMatchObject({
      name: 'ConflictError',
      message: expect.stringContaining(
        'after case folding or Unicode (NFC) normalisation',
      ),
    });
  });

  it('collects only unreferenced blobs unclaimed for the grace period', async () => {
    const orphan = Buffer.from('orphan bytes');
    const used = Buffer.from('used bytes');
    await store.recordBlob(sha256(orphan), orphan.length);
    await store.createVersion({
      entityRef: MODEL,
      version: '5.5.0',
      createdBy: ALICE,
    });
    await store.addFile(MODEL, '5.5.0', {
      ...(await fileOf(store, used, 'u.bin')),
      format: 'unknown' as any,
    });
    const future = new Date(Date.now() + 60_000);
    const candidates = await store.listUnreferencedBlobs(future);
    expect(candidates).toContain(sha256(orphan));
    expect(candidates).not.toContain(sha256(used));
    // Within the grace period nothing is a candidate.
    expect(
      await store.listUnreferencedBlobs(new Date(Date.now() - 60_000)),
    ).not.toContain(sha256(orphan));
    const deletedBytes: string[] = [];
    expect(
      await store.deleteBlobIfUnreferenced(sha256(used), future, async () => {
        deletedBytes.push(sha256(used));
      }),
    ).toBe(false);
    // A byte deletion that fails keeps the record for the next run.
    await expect(
      store.deleteBlobIfUnreferenced(sha256(orphan), future, async () => {
        throw new Error('bucket unavailable');
      }),
    ).rejects.toThrow('bucket unavailable');
    expect(await store.getBlob(sha256(orphan))).toBeDefined();
    expect(
      await store.deleteBlobIfUnreferenced(sha256(orphan), future, async () => {
        deletedBytes.push(sha256(orphan));
      }),
    ).toBe(true);
    expect(deletedBytes).toEqual([sha256(orphan)]);
    expect(await store.getBlob(sha256(orphan))).toBeUndefined();
  });
});
