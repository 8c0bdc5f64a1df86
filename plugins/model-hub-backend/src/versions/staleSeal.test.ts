/*
 * A seal that recovery reset as stale (its request looked dead for
 * STALE_SEAL_MINUTES) must not finish later over another seal's claim: two
 * VersionStores on one database stand for two replicas, each with its own
 * pause point between the steps of a seal.
 */
import { mockServices, TestDatabases } from '@backstage/backend-test-utils';
import { Knex } from 'knex';
import {
  BENIGN_PICKLE,
  MALICIOUS_PICKLE,
  scanBytes,
  sha256,
} from '../__testUtils__/fixtures';
import { normalizeManifest } from './manifest';
import { NewVersionFile, SealStep } from './VersionDrafts';
import { VersionStore } from './VersionStore';

jest.setTimeout(60_000);

const MODEL = 'model:default/stale-seal';
const ALICE = 'user:default/alice';

const databases = TestDatabases.create({ ids: ['SQLITE_3', 'POSTGRES_16'] });

/** A pause point: `reached` resolves when the seal stops at `step`, `resume()` lets it go on. */
function pausePoint(step: SealStep) {
  let resume!: () => void;
  let reached!: () => void;
  const released = new Promise<void>(r => (resume = r));
  const arrived = new Promise<void>(r => (reached = r));
  return {
    resume,
    reached: arrived,
    hook: async (at: SealStep) => {
      if (at !== step) return;
      reached();
      await released;
    },
  };
}

async function fileOf(
  store: VersionStore,
  bytes: Buffer,
  path: string,
): Promise<NewVersionFile> {
  const scan = await scanBytes(bytes, path);
  await store.recordBlob(sha256(bytes), bytes.length);
  return {
    path,
    sha256: sha256(bytes),
    size: bytes.length,
    format: scan.format,
    scan,
    uploadedBy: ALICE,
  };
}

const manifestOf = (bytes: Buffer) =>
  normalizeManifest([{ path: 'model.pkl', sha256: sha256(bytes) }]);

describe.each(databases.eachSupportedId())(
  'a seal reset as stale on %s',
  databaseId => {
    let knex: Knex;
    let plain: VersionStore;

    const storeWith = (sealPause: (step: SealStep) => Promise<void>) =>
      VersionStore.create({
        database: mockServices.database({ knex, migrations: { skip: true } }),
        sealPause,
      });

    beforeAll(async () => {
      knex = await databases.init(databaseId);
      plain = await VersionStore.create({
        database: mockServices.database({ knex, migrations: { skip: false } }),
      });
    });

    /** A draft of `version` holding model.pkl with `bytes`. */
    async function draft(version: string, bytes: Buffer) {
      await plain.createVersion({
        entityRef: MODEL,
        version,
        createdBy: ALICE,
      });
      await plain.addFile(
        MODEL,
        version,
        await fileOf(plain, bytes, 'model.pkl'),
      );
    }

    /** What recovery does once the first seal looks dead. */
    const recover = () => plain.resetStaleSeals(new Date(Date.now() + 1000));

    it('fails the stalled seal when it wakes while a second seal is in flight', async () => {
      await draft('1.0.0', BENIGN_PICKLE);
      const pauseA = pausePoint('verified');
      const pauseB = pausePoint('verified');
      const sealA = (await storeWith(pauseA.hook)).sealVersion(
        MODEL,
        '1.0.0',
        manifestOf(BENIGN_PICKLE),
      );
      const outcomeA = sealA.then(
        () => 'sealed',
        (e: Error) => e,
      );
      await pauseA.reached;
      expect(await recover()).toBe(1);
      // The draft's owner replaces the file and seals again (on the other replica).
      await plain.addFile(
        MODEL,
        '1.0.0',
        await fileOf(plain, MALICIOUS_PICKLE, 'model.pkl'),
      );
      const sealB = (await storeWith(pauseB.hook)).sealVersion(
        MODEL,
        '1.0.0',
        manifestOf(MALICIOUS_PICKLE),
      );
      await pauseB.reached;
      // A wakes with its view (the benign bytes) while B holds the claim.
      pauseA.resume();
      const a = await outcomeA;
      expect(a).toMatchObject({
        name: 'ConflictError',
        message: expect.stringMatching(/claim.*another seal/),
      });
      expect((a as Error).message).not.toContain('\n');
      const row = await knex('model_versions')
        .where({ entity_ref: MODEL, version: '1.0.0' })
        .first();
      expect(row.state).toBe('sealing');
      pauseB.resume();
      const b = await sealB;
      expect(b.sealed).toBe(true);
      expect(b.version.files.map(f => f.sha256)).toEqual([
        sha256(MALICIOUS_PICKLE),
      ]);
    });

    it('leaves the second seal alone when the stalled one fails its check', async () => {
      await draft('1.1.0', BENIGN_PICKLE);
      const pauseA = pausePoint('claimed');
      const pauseB = pausePoint('verified');
      const outcomeA = (await storeWith(pauseA.hook))
        .sealVersion(MODEL, '1.1.0', manifestOf(BENIGN_PICKLE))
        .then(
          () => 'sealed',
          (e: Error) => e,
        );
      await pauseA.reached;
      await recover();
      await plain.addFile(
        MODEL,
        '1.1.0',
        await fileOf(plain, MALICIOUS_PICKLE, 'model.pkl'),
      );
      const sealB = (await storeWith(pauseB.hook)).sealVersion(
        MODEL,
        '1.1.0',
        manifestOf(MALICIOUS_PICKLE),
      );
      await pauseB.reached;
      pauseA.resume();
      expect(await outcomeA).toMatchObject({ name: 'ConflictError' });
      // A's failure must not return B's claim to draft.
      const row = await knex('model_versions')
        .where({ entity_ref: MODEL, version: '1.1.0' })
        .first();
      expect(row.state).toBe('sealing');
      pauseB.resume();
      expect((await sealB).sealed).toBe(true);
    });

    it('fails the stalled seal cleanly when the second one already finished', async () => {
      await draft('1.2.0', BENIGN_PICKLE);
      const pauseA = pausePoint('verified');
      const outcomeA = (await storeWith(pauseA.hook))
        .sealVersion(MODEL, '1.2.0')
        .then(
          () => 'sealed',
          (e: Error) => e,
        );
      await pauseA.reached;
      await recover();
      const b = await plain.sealVersion(MODEL, '1.2.0');
      expect(b.sealed).toBe(true);
      pauseA.resume();
      expect(await outcomeA).toMatchObject({ name: 'ConflictError' });
      const row = await knex('model_versions')
        .where({ entity_ref: MODEL, version: '1.2.0' })
        .first();
      expect(row.state).toBe('sealed');
      expect(new Date(row.sealed_at).getTime()).toBe(
        new Date(b.version.sealedAt!).getTime(),
      );
    });

    it('recovers from a seal whose process died: one sealed version, its blob referenced once and kept', async () => {
      await draft('1.3.0', BENIGN_PICKLE);
      // A's process dies after its claim: its pause never ends.
      const dead = pausePoint('claimed');
      void (await storeWith(dead.hook)).sealVersion(MODEL, '1.3.0');
      await dead.reached;
      expect(await recover()).toBe(1);
      const b = await plain.sealVersion(
        MODEL,
        '1.3.0',
        manifestOf(BENIGN_PICKLE),
      );
      expect(b.sealed).toBe(true);
      const row = await knex('model_versions')
        .where({ entity_ref: MODEL, version: '1.3.0' })
        .first();
      const files = await knex('model_version_files').where({
        version_id: row.id,
      });
      expect(files).toHaveLength(1);
      expect(
        await knex('artifact_blobs').where({ sha256: sha256(BENIGN_PICKLE) }),
      ).toHaveLength(1);
      expect(
        await plain.listUnreferencedBlobs(new Date(Date.now() + 60_000)),
      ).not.toContain(sha256(BENIGN_PICKLE));
    });
  },
);
