import { promises as fs } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { mockServices, TestDatabases } from '@backstage/backend-test-utils';
import { FileScanResult } from '@internal/plugin-model-hub-common';
import { LocalArtifactStore } from '../artifacts/LocalArtifactStore';
import { defaultFileScanner, FileScanner } from '../artifacts/FileScanner';
import {
  MALICIOUS_PICKLE,
  safetensors,
  scanBytes,
  sha256,
} from '../__testUtils__/fixtures';
import { VersionStore } from '../versions/VersionStore';
import { needsRescan, Rescanner, VerdictChangeListener } from './Rescanner';
import { RescanStore } from './RescanStore';

jest.setTimeout(60_000);

const databases = TestDatabases.create({ ids: ['SQLITE_3', 'POSTGRES_16'] });
const REF = 'model:default/rescanned';

/** The scanner of a real bump: today's scanner, reporting a newer version. */
const bumped = (version: string, calls: string[] = []): FileScanner => ({
  version,
  scan: async (p, display) => {
    calls.push(display);
    return defaultFileScanner.scan(p, display);
  },
});

describe('needsRescan', () => {
  it('rescans results of unknown or older scanners only', () => {
    expect(needsRescan(null, '2.0.0')).toBe(true);
    expect(needsRescan('1.0.0', '2.0.0')).toBe(true);
    expect(needsRescan('2.0.0', '2.0.0')).toBe(false);
    expect(needsRescan('2.1.0', '2.0.0')).toBe(false);
  });
});

describe.each(databases.eachSupportedId())('Rescanner on %p', databaseId => {
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
    dir = await fs.mkdtemp(path.join(os.tmpdir(), 'rescan-'));
    artifacts = new LocalArtifactStore({ directory: dir });
  });
  afterAll(() => fs.rm(dir, { recursive: true, force: true }));

  /** Stores a file as an older scanner judged it. */
  async function store(
    version: string,
    p: string,
    bytes: Buffer,
    stale: Partial<FileScanResult>,
  ) {
    const digest = sha256(bytes);
    const tmp = path.join(dir, `upload-${digest}`);
    await fs.writeFile(tmp, bytes);
    await artifacts.put(digest, tmp, bytes.length);
    await versions.recordBlob(digest, bytes.length);
    const scan = { ...(await scanBytes(bytes, p)), ...stale };
    await versions.addFile(REF, version, {
      path: p,
      sha256: digest,
      size: bytes.length,
      format: scan.format,
      scan,
      uploadedBy: 'user:default/alice',
      scannerVersion: '1.0.0',
    });
  }

  it('rescans stored files after a version bump, updates verdicts, reports changed sealed versions, and resumes after a crash', async () => {
    await versions.createVersion({
      entityRef: REF,
      version: '1.0.0',
      createdBy: 'user:default/alice',
    });
    await store('1.0.0', 'model.safetensors', safetensors([1, 2]), {});
    // The old scanner missed it: stored as safe with no findings.
    await store('1.0.0', 'hidden.pkl', MALICIOUS_PICKLE, {
      verdict: 'safe',
      findings: [],
    });
    await versions.sealVersion(REF, '1.0.0');
    await versions.createVersion({
      entityRef: REF,
      version: '1.1.0',
      createdBy: 'user:default/alice',
    });
    await store('1.1.0', 'model.safetensors', safetensors([3]), {});
    await versions.sealVersion(REF, '1.1.0');

    // First attempt crashes on the third file: two batches of one are committed.
    const calls: string[] = [];
    const crashing: FileScanner = {
      version: '9.0.0',
      scan: async (p, display) => {
        if (calls.length === 2) throw new Error('killed');
        return bumped('9.0.0', calls).scan(p, display);
      },
    };
    const changes: Parameters<VerdictChangeListener>[0][] = [];
    const onVerdictChanged: VerdictChangeListener = async c => {
      changes.push(c);
    };
    const logger = mockServices.logger.mock();
    await expect(
      new Rescanner({
        auditor: mockServices.auditor.mock(),
        store: rescans,
        artifacts,
        scanner: crashing,
        batchSize: 1,
        logger,
        onVerdictChanged,
      }).run(),
    ).rejects.toThrow('killed');
    // Files are ordered by version id, then path: hidden.pkl, model.safetensors, ...
    expect(calls).toEqual(['hidden.pkl', 'model.safetensors']);
    expect(changes).toEqual([
      {
        entityRef: REF,
        version: '1.0.0',
        scannerVersion: '9.0.0',
        files: [{ path: 'hidden.pkl', before: 'safe', after: 'unsafe' }],
      },
    ]);

    // The restart continues after the committed cursor.
    const resumedCalls: string[] = [];
    const summary = await new Rescanner({
      auditor: mockServices.auditor.mock(),
      store: rescans,
      artifacts,
      scanner: bumped('9.0.0', resumedCalls),
      batchSize: 1,
      logger,
      onVerdictChanged,
    }).run();
    expect(resumedCalls).toEqual(['model.safetensors']);
    expect(summary).toEqual({
      scannerVersion: '9.0.0',
      scanned: 1,
      changed: 0,
      finished: true,
    });
    expect(changes).toHaveLength(1);

    const stored = await versions.getVersion(REF, '1.0.0');
    const hidden = stored!.files.find(f => f.path === 'hidden.pkl')!;
    expect(hidden.scan.verdict).toBe('unsafe');
    expect(hidden.scan.findings[0].severity).toMatch(/critical|high/);
    expect(stored!.scanVerdict).toBe('unsafe');

    // Finished: another run does nothing, and files stored by this scanner are never rescanned.
    const again: string[] = [];
    const idle = await new Rescanner({
      auditor: mockServices.auditor.mock(),
      store: rescans,
      artifacts,
      scanner: bumped('9.0.0', again),
      batchSize: 1,
      logger,
      onVerdictChanged,
    }).run();
    expect(idle).toMatchObject({ scanned: 0, finished: true });
    expect(again).toEqual([]);

    // The next bump rescans everything once more, in larger batches.
    const next: string[] = [];
    const bump = await new Rescanner({
      auditor: mockServices.auditor.mock(),
      store: rescans,
      artifacts,
      scanner: bumped('9.1.0', next),
      batchSize: 50,
      logger,
      onVerdictChanged,
    }).run();
    expect(bump).toMatchObject({ scanned: 3, changed: 0, finished: true });
  });
});
