/*
 * The rescan window: after a scanner bump, a stored verdict stays the old
 * scanner's until the background rescan reaches its file. A gauntlet run in
 * that window must not earn a tier on such a verdict: it rescans the file
 * itself (small files, up to modelHub.scanner.rescan.inlineMaxBytes), or
 * the security result is pending and earns nothing it did not hold. The
 * test stores verdicts "by an older scanner" the way one would have: the
 * row's verdict and scanner version, as that scanner wrote them.
 */
import fs from 'node:fs/promises';
import path from 'node:path';
import { SchedulerService } from '@backstage/backend-plugin-api';
import { mockCredentials, TestDatabases } from '@backstage/backend-test-utils';
import { Entity } from '@backstage/catalog-model';
import { modelHubApiPaths } from '@internal/plugin-model-hub-common';
import { SCANNER_INFO } from '@internal/plugin-model-hub-node';
import { Knex } from 'knex';
import { captureScheduler } from '../__testUtils__/scheduler';
import request from 'supertest';
import {
  ModelHubTestBackend,
  startModelHubTestBackend,
} from '../__testUtils__/modelHubBackend';
import {
  EXAMPLE_ARTIFACTS_DIR,
  EXAMPLE_MODEL_REF,
  exampleDataset,
  exampleModel,
} from '../__testUtils__/gauntletExample';
import { MALICIOUS_PICKLE, sha256 } from '../__testUtils__/fixtures';
import { publishVersion } from '../__testUtils__/publish';
import { RESCAN_TASK_ID } from '../rescan';

jest.setTimeout(300_000);

const ALICE = 'user:default/alice';
const M = '/v1/models/default/sentiment-classifier';
const INLINE_MAX_BYTES = 1024;

const model: Entity = {
  ...exampleModel,
  spec: {
    ...exampleModel.spec,
    metrics: [
      {
        name: 'accuracy',
        value: 0.88,
        dataset: 'resource:default/product-reviews',
      },
    ],
  },
  relations: [{ type: 'ownedBy', targetRef: 'group:default/marketing' }],
};

/**
 * MALICIOUS_PICKLE behind a 4 KiB string that is pushed and popped: still
 * a pickle calling os.system, too large to be rescanned inline here.
 */
function largeMaliciousPickle(): Buffer {
  const filler = Buffer.alloc(4096, 'a');
  const length = Buffer.alloc(4);
  length.writeUInt32LE(filler.length);
  return Buffer.concat([
    MALICIOUS_PICKLE.subarray(0, 2), // PROTO 2
    Buffer.from('X'), // BINUNICODE
    length,
    filler,
    Buffer.from('0'), // POP
    MALICIOUS_PICKLE.subarray(2),
  ]);
}

const databases = TestDatabases.create({ ids: ['SQLITE_3', 'POSTGRES_16'] });

describe.each(databases.eachSupportedId())(
  'gauntlet runs in the rescan window on %s',
  databaseId => {
    let knex: Knex;
    let backend: ModelHubTestBackend;
    const api = (p: string) => `/api/model-hub${p}`;
    const asAlice = mockCredentials.user.header(ALICE);
    let scheduler: SchedulerService | undefined;
    let onnx: Buffer;
    let benchmark: Buffer;

    beforeAll(async () => {
      knex = await databases.init(databaseId);
      backend = await startModelHubTestBackend({
        entities: [model, exampleDataset],
        groups: { [ALICE]: ['group:default/marketing'] },
        knex,
        features: [captureScheduler(s => (scheduler = s))],
        modelHub: {
          scanner: {
            // The background rescan waits for the test: the window is open.
            rescan: {
              inlineMaxBytes: INLINE_MAX_BYTES,
              schedule: {
                frequency: { hours: 24 },
                timeout: { minutes: 5 },
                initialDelay: { hours: 24 },
              },
            },
          },
          gauntlet: {
            performance: {
              thresholds: {
                'text-classification': { official: { accuracy: 0.85 } },
              },
            },
          },
        },
      });
      onnx = await fs.readFile(path.join(EXAMPLE_ARTIFACTS_DIR, 'model.onnx'));
      benchmark = await fs.readFile(
        path.join(EXAMPLE_ARTIFACTS_DIR, 'benchmark.csv'),
      );
    });
    afterAll(() => backend?.stop());

    /** The runs of a version, newest first. */
    const runsOf = async (version: string) =>
      (
        await request(backend.server)
          .get(api(`${M}/versions/${version}/gauntlet/runs`))
          .set('Authorization', asAlice)
          .expect(200)
      ).body.items as Array<{
        id: number;
        tier: string;
        status: string;
        results: Array<{
          checkId: string;
          status: string;
          summary: string;
          evidence: Record<string, unknown>;
        }>;
      }>;

    /** Waits until `count` runs of the version are over. */
    async function settled(version: string, count: number) {
      const deadline = Date.now() + 120_000;
      for (;;) {
        const runs = await runsOf(version);
        const over = runs.filter(
          r => r.status === 'completed' || r.status === 'failed',
        );
        if (over.length >= count && over.length === runs.length) return runs;
        if (Date.now() > deadline) {
          throw new Error(`runs of ${version}: ${JSON.stringify(runs)}`);
        }
        await new Promise(r => setTimeout(r, 200));
      }
    }

    const gauntlet = async () =>
      (
        await request(backend.server)
          .get(api(`${M}/gauntlet`))
          .set('Authorization', asAlice)
          .expect(200)
      ).body as { effectiveTier: string | null; version: string };

    /** What an older scanner stored for a file: `safe`, nothing found. */
    async function scannedSafeByOlderScanner(version: string, file: string) {
      const row = await knex('model_versions')
        .where({ entity_ref: EXAMPLE_MODEL_REF, version })
        .first();
      const stored = await knex('model_version_files')
        .where({ version_id: row.id, path: file })
        .first();
      const scan = {
        ...JSON.parse(stored.scan),
        verdict: 'safe',
        findings: [],
      };
      await knex('model_version_files')
        .where({ version_id: row.id, path: file })
        .update({
          scan_verdict: 'safe',
          scan: JSON.stringify(scan),
          scanner_version: '0.0.1',
        });
    }

    /** Re-runs the gauntlet of a version (as its owner) and waits for it. */
    async function rerun(version: string) {
      const before = (await runsOf(version)).length;
      await request(backend.server)
        .post(api(`${M}/versions/${version}/gauntlet/runs`))
        .set('Authorization', asAlice)
        .expect(202);
      return settled(version, before + 2);
    }

    const security = (runs: Awaited<ReturnType<typeof runsOf>>, tier: string) =>
      runs
        .find(r => r.tier === tier)!
        .results.find(r => r.checkId === 'security')!;

    it('keeps the tier a version held when its verdicts await their rescan', async () => {
      await publishVersion({
        server: backend.server,
        auth: asAlice,
        entityRef: EXAMPLE_MODEL_REF,
        version: '1.0.0',
        files: { 'model.onnx': onnx, 'benchmark.csv': benchmark },
      });
      await settled('1.0.0', 2);
      // Too large to be rescanned inline in this test.
      expect(benchmark.length).toBeGreaterThan(INLINE_MAX_BYTES);
      expect(await gauntlet()).toMatchObject({
        version: '1.0.0',
        effectiveTier: 'community',
      });
      // The scanner is bumped: both verdicts are the old scanner's now.
      await scannedSafeByOlderScanner('1.0.0', 'model.onnx');
      await scannedSafeByOlderScanner('1.0.0', 'benchmark.csv');
      const runs = await rerun('1.0.0');
      const held = security(runs, 'community');
      expect(held.status).toBe('pass');
      expect(held.evidence.heldDuringRescan).toMatchObject({
        pending: expect.stringContaining(
          'benchmark.csv was scanned by scanner 0.0.1; its rescan by scanner',
        ),
      });
      expect(await gauntlet()).toMatchObject({
        version: '1.0.0',
        effectiveTier: 'community',
      });
    });

    it('rescans a small file an older scanner passed, and earns no tier on it', async () => {
      await publishVersion({
        server: backend.server,
        auth: asAlice,
        entityRef: EXAMPLE_MODEL_REF,
        version: '1.1.0',
        files: {
          'model.onnx': onnx,
          'benchmark.csv': benchmark,
          'tokenizer.pkl': MALICIOUS_PICKLE,
        },
      });
      await settled('1.1.0', 2);
      expect((await gauntlet()).effectiveTier).toBeNull();
      await scannedSafeByOlderScanner('1.1.0', 'tokenizer.pkl');
      const runs = await rerun('1.1.0');
      const result = security(runs, 'community');
      expect(result.status).toBe('fail');
      expect(result.summary).toMatch(/tokenizer\.pkl is unsafe/);
      expect(await gauntlet()).toMatchObject({
        version: '1.1.0',
        effectiveTier: null,
      });
    });

    it('links content by its current verdict: an older scanner’s is rescanned, a current one kept with its scanner', async () => {
      // 1.1.0 holds tokenizer.pkl, stored safe by scanner 0.0.1 above.
      const stale = MALICIOUS_PICKLE;
      await request(backend.server)
        .post(api(modelHubApiPaths.versions(EXAMPLE_MODEL_REF)))
        .set('Authorization', asAlice)
        .send({ version: '1.3.0' })
        .expect(201);
      const link = (file: string, bytes: Buffer) =>
        request(backend.server)
          .post(
            api(
              `${modelHubApiPaths.version(
                EXAMPLE_MODEL_REF,
                '1.3.0',
              )}/files-by-content`,
            ),
          )
          .set('Authorization', asAlice)
          .send({ path: file, sha256: sha256(bytes) })
          .expect(201);
      const linkedStale = await link('tokenizer.pkl', stale);
      expect(linkedStale.body.scan.verdict).toBe('unsafe');
      await link('model.onnx', onnx);
      const stored = await knex('model_version_files as f')
        .join('model_versions as v', 'v.id', 'f.version_id')
        .where({ 'v.entity_ref': EXAMPLE_MODEL_REF, 'v.version': '1.3.0' })
        .select('f.path', 'f.scanner_version', 'f.scan_verdict');
      expect(
        Object.fromEntries(
          stored.map(r => [r.path, [r.scan_verdict, r.scanner_version]]),
        ),
      ).toEqual({
        'tokenizer.pkl': ['unsafe', SCANNER_INFO.version],
        'model.onnx': ['safe', SCANNER_INFO.version],
      });
    });

    it('earns no tier on a large file an older scanner passed', async () => {
      await publishVersion({
        server: backend.server,
        auth: asAlice,
        entityRef: EXAMPLE_MODEL_REF,
        version: '1.2.0',
        files: {
          'model.onnx': onnx,
          'benchmark.csv': benchmark,
          'tokenizer.pkl': largeMaliciousPickle(),
        },
      });
      const first = await settled('1.2.0', 2);
      expect(security(first, 'community').summary).toMatch(
        /tokenizer\.pkl is unsafe/,
      );
      for (const file of ['model.onnx', 'benchmark.csv', 'tokenizer.pkl']) {
        await scannedSafeByOlderScanner('1.2.0', file);
      }
      const runs = await rerun('1.2.0');
      const result = security(runs, 'community');
      expect(result.status).toBe('error');
      expect(result.summary).toContain(
        'tokenizer.pkl was scanned by scanner 0.0.1; its rescan by scanner',
      );
      expect(await gauntlet()).toMatchObject({
        version: '1.2.0',
        effectiveTier: null,
      });
    });

    it('decides a version whose verdicts were pending once the rescan confirms them', async () => {
      const file = (name: string, bytes: Buffer) =>
        request(backend.server)
          .put(api(modelHubApiPaths.file(EXAMPLE_MODEL_REF, '1.4.0', name)))
          .set('Authorization', asAlice)
          .set('Content-Type', 'application/octet-stream')
          .send(bytes)
          .expect(201);
      await request(backend.server)
        .post(api(modelHubApiPaths.versions(EXAMPLE_MODEL_REF)))
        .set('Authorization', asAlice)
        .send({ version: '1.4.0' })
        .expect(201);
      await file('model.onnx', onnx);
      await file('benchmark.csv', benchmark);
      // Stored by the older scanner, with the verdict the new one gives too.
      const draft = await knex('model_versions')
        .where({ entity_ref: EXAMPLE_MODEL_REF, version: '1.4.0' })
        .first();
      await knex('model_version_files')
        .where({ version_id: draft.id, path: 'benchmark.csv' })
        .update({ scanner_version: '0.0.1' });
      await request(backend.server)
        .post(
          api(`${modelHubApiPaths.version(EXAMPLE_MODEL_REF, '1.4.0')}/seal`),
        )
        .set('Authorization', asAlice)
        .send({})
        .expect(200);
      const pending = await settled('1.4.0', 2);
      expect(security(pending, 'community').status).toBe('error');
      expect(await gauntlet()).toMatchObject({
        version: '1.4.0',
        effectiveTier: null,
      });
      await scheduler!.triggerTask(RESCAN_TASK_ID);
      // The rescan queued the runs; the worker executes them.
      const deadline = Date.now() + 120_000;
      while ((await runsOf('1.4.0')).length < 4 && Date.now() < deadline) {
        await new Promise(r => setTimeout(r, 200));
      }
      await scheduler!.triggerTask('model-hub-gauntlet-worker');
      const decided = await settled('1.4.0', 4);
      expect(security(decided, 'community').status).toBe('pass');
      expect(await gauntlet()).toMatchObject({
        version: '1.4.0',
        effectiveTier: 'community',
      });
    });
  },
);
