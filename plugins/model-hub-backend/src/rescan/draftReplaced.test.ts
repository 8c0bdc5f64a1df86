/*
 * A draft's file can be replaced while the rescan reads the old bytes: the
 * rescan's verdict is about the bytes it read, and must never land on the
 * file that replaced them.
 */
import { promises as fs } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { mockServices, TestDatabases } from '@backstage/backend-test-utils';
import { LocalArtifactStore } from '../artifacts/LocalArtifactStore';
import { defaultFileScanner, FileScanner } from '../artifacts/FileScanner';
import {
  BENIGN_PICKLE,
  MALICIOUS_PICKLE,
  scanBytes,
  sha256,
} from '../__testUtils__/fixtures';
import { VersionStore } from '../versions/VersionStore';
import { Rescanner, VerdictChangeListener } from './Rescanner';
import { RescanStore } from './RescanStore';

jest.setTimeout(60_000);

const databases = TestDatabases.create({ ids: ['SQLITE_3', 'POSTGRES_16'] });
const REF = 'model:default/replaced-while-rescanned';
const ALICE = 'user:default/alice';

describe.each(databases.eachSupportedId())(
  'a rescan racing an upload on %s',
  databaseId => {
    let dir: string;
    let versions: VersionStore;
    let rescans: RescanStore;
    let artifacts: LocalArtifactStore;

    beforeAll(async () => {
      const knex = await databases.init(databaseId);
      const database = mockServices.database({
        knex,
        migrations: { skip: false },
      });
      versions = await VersionStore.create({ database });
      rescans = await RescanStore.create({ database });
      dir = await fs.mkdtemp(path.join(os.tmpdir(), 'rescan-race-'));
      artifacts = new LocalArtifactStore({ directory: dir });
    });
    afterAll(() => fs.rm(dir, { recursive: true, force: true }));

    /** Stores `bytes` as draft file model.pkl, scanned by `scannerVersion`. */
    async function upload(bytes: Buffer, scannerVersion: string) {
      const digest = sha256(bytes);
      const tmp = path.join(dir, `upload-${digest}`);
      await fs.writeFile(tmp, bytes);
      await artifacts.put(digest, tmp, bytes.length);
      await versions.recordBlob(digest, bytes.length);
      const scan = await scanBytes(bytes, 'model.pkl');
      await versions.addFile(REF, '1.0.0', {
        path: 'model.pkl',
        sha256: digest,
        size: bytes.length,
        format: scan.format,
        scan,
        uploadedBy: ALICE,
        scannerVersion,
      });
    }

    it("keeps the replacing upload's verdict, not the rescan's of the old bytes", async () => {
      await versions.createVersion({
        entityRef: REF,
        version: '1.0.0',
        createdBy: ALICE,
      });
      await upload(BENIGN_PICKLE, '1.0.0');
      // While the rescan scans the benign bytes, the owner uploads other
      // bytes to the same path (scanned unsafe by the running scanner).
      const scanner: FileScanner = {
        version: '9.0.0',
        scan: async (p, display) => {
          const result = await defaultFileScanner.scan(p, display);
          await upload(MALICIOUS_PICKLE, '9.0.0');
          return result;
        },
      };
      await new Rescanner({
        store: rescans,
        artifacts,
        scanner,
        batchSize: 10,
        logger: mockServices.logger.mock(),
        auditor: mockServices.auditor.mock(),
        onVerdictChanged: async () => {},
      }).run();
      const [file] = (await versions.getVersion(REF, '1.0.0'))!.files;
      expect(file.sha256).toBe(sha256(MALICIOUS_PICKLE));
      expect(file.scan.sha256).toBe(sha256(MALICIOUS_PICKLE));
      expect(file.scan.verdict).toBe('unsafe');
    });

    it('reports a changed verdict of a draft sealed while it was rescanned', async () => {
      await versions.createVersion({
        entityRef: REF,
        version: '2.0.0',
        createdBy: ALICE,
      });
      const bytes = Buffer.concat([MALICIOUS_PICKLE]);
      const digest = sha256(bytes);
      const tmp = path.join(dir, `upload-${digest}`);
      await fs.writeFile(tmp, bytes);
      await artifacts.put(digest, tmp, bytes.length);
      await versions.recordBlob(digest, bytes.length);
      // An older scanner passed it.
      const scan = {
        ...(await scanBytes(bytes, 'model.pkl')),
        verdict: 'safe' as const,
        findings: [],
      };
      await versions.addFile(REF, '2.0.0', {
        path: 'model.pkl',
        sha256: digest,
        size: bytes.length,
        format: scan.format,
        scan,
        uploadedBy: ALICE,
        scannerVersion: '1.0.0',
      });
      // The owner seals while the rescan reads the draft's file.
      const scanner: FileScanner = {
        version: '9.1.0',
        scan: async (p, display) => {
          const result = await defaultFileScanner.scan(p, display);
          await versions.sealVersion(REF, '2.0.0');
          return result;
        },
      };
      const changes: Parameters<VerdictChangeListener>[0][] = [];
      await new Rescanner({
        store: rescans,
        artifacts,
        scanner,
        batchSize: 10,
        logger: mockServices.logger.mock(),
        auditor: mockServices.auditor.mock(),
        onVerdictChanged: async c => {
          changes.push(c);
        },
      }).run();
      expect(changes).toEqual([
        {
          entityRef: REF,
          version: '2.0.0',
          scannerVersion: '9.1.0',
          files: [{ path: 'model.pkl', before: 'safe', after: 'unsafe' }],
        },
      ]);
    });
  },
);
