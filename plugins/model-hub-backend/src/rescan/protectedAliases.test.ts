import path from 'node:path';
import {
  mockCredentials,
  mockServices,
  TestDatabases,
} from '@backstage/backend-test-utils';
import {
  FileScanResult,
  modelHubApiPaths,
} from '@internal/plugin-model-hub-common';
import request from 'supertest';
import { defaultFileScanner, FileScanner } from '../artifacts/FileScanner';
import { LocalArtifactStore } from '../artifacts/LocalArtifactStore';
import { safetensors } from '../__testUtils__/fixtures';
import {
  ModelHubTestBackend,
  ownersPublishPolicy,
  startModelHubTestBackend,
} from '../__testUtils__/modelHubBackend';
import { ALICE, MODEL_REF, model } from '../__testUtils__/transfersBackend';
import { VersionStore } from '../versions/VersionStore';
import { Rescanner } from './Rescanner';
import { RescanStore } from './RescanStore';

jest.setTimeout(120_000);

const databases = TestDatabases.create({ ids: ['SQLITE_3', 'POSTGRES_16'] });

/** What a newer scanner says of a file an older one passed. */
const unsafe = (scan: FileScanResult): FileScanResult => ({
  ...scan,
  verdict: 'unsafe',
  findings: [
    {
      severity: 'critical',
      rule: 'pickle/dangerous-import',
      message: 'imports os.system',
    },
  ],
});

describe.each(databases.eachSupportedId())(
  'latest and champion against rescanned verdicts on %s',
  databaseId => {
    let backend: ModelHubTestBackend;
    let versions: VersionStore;
    let rescans: RescanStore;
    const api = (p: string) => `/api/model-hub${p}`;
    const as = (user: string) => mockCredentials.user.header(user);
    const publish = async (version: string, seed: number[]) => {
      await request(backend.server)
        .post(api(modelHubApiPaths.versions(MODEL_REF)))
        .set('Authorization', as(ALICE))
        .send({ version })
        .expect(201);
      await request(backend.server)
        .put(
          api(
            `${modelHubApiPaths.version(
              MODEL_REF,
              version,
            )}/files/w.safetensors`,
          ),
        )
        .set('Authorization', as(ALICE))
        .set('Content-Type', 'application/octet-stream')
        .send(safetensors(seed))
        .expect(201);
      await request(backend.server)
        .post(api(`${modelHubApiPaths.version(MODEL_REF, version)}/seal`))
        .set('Authorization', as(ALICE))
        .send({})
        .expect(200);
    };
    const setAlias = (alias: string, version: string) =>
      request(backend.server)
        .put(api(`/v1/models/default/support-assistant/aliases/${alias}`))
        .set('Authorization', as(ALICE))
        .send({ version });
    const aliasesOf = async (version: string) =>
      (
        await request(backend.server)
          .get(api(modelHubApiPaths.version(MODEL_REF, version)))
          .set('Authorization', as(ALICE))
      ).body.aliases;

    beforeAll(async () => {
      const knex = await databases.init(databaseId);
      backend = await startModelHubTestBackend({
        entities: [model('support-assistant')],
        groups: { [ALICE]: ['group:default/ml-team'] },
        policy: ownersPublishPolicy(),
        knex,
      });
      const database = mockServices.database({
        knex,
        migrations: { skip: false },
      });
      versions = await VersionStore.create({ database });
      rescans = await RescanStore.create({ database });
    });

    afterEach(() => jest.restoreAllMocks());

    afterAll(() => backend.stop());

    it('takes latest and champion off a version a rescan finds unsafe, and keeps its other aliases', async () => {
      await publish('1.0.0', [1, 2]);
      for (const alias of ['champion', 'latest', 'staging']) {
        expect((await setAlias(alias, '1.0.0')).status).toBe(200);
      }
      const scanner: FileScanner = {
        version: '99.0.0',
        scan: async (p, display) =>
          unsafe(await defaultFileScanner.scan(p, display)),
      };
      const logger = mockServices.logger.mock();
      const audit: Array<{ eventId: string; outcome: string; meta: unknown }> =
        [];
      const auditor = mockServices.auditor.mock({
        async createEvent(o) {
          const record = (outcome: string) => async () => {
            audit.push({ eventId: o.eventId, outcome, meta: o.meta });
          };
          return { success: record('success'), fail: record('fail') };
        },
      });
      await new Rescanner({
        auditor,
        store: rescans,
        artifacts: new LocalArtifactStore({
          directory: path.join(backend.dataDir, 'artifacts'),
        }),
        scanner,
        batchSize: 10,
        logger,
        onVerdictChanged: async () => {},
      }).run();
      expect(
        (await versions.getVersion(MODEL_REF, '1.0.0'))!.files[0].scan.verdict,
      ).toBe('unsafe');
      expect(await aliasesOf('1.0.0')).toEqual(['staging']);
      expect(logger.warn).toHaveBeenCalledWith(
        `Rescan found an unsafe file in ${MODEL_REF}@1.0.0: removed its alias(es) champion, latest`,
      );
      // Every removal is attributable: one audit event each, by the hub's
      // own rescan, naming the scanner version and the unsafe file.
      expect(audit).toEqual(
        ['champion', 'latest'].map(alias => ({
          eventId: 'alias-removed',
          outcome: 'success',
          meta: {
            actor: 'model-hub:rescan',
            model: MODEL_REF,
            version: '1.0.0',
            alias,
            scannerVersion: '99.0.0',
            files: ['w.safetensors'],
            reason: 'a rescan found an unsafe file',
          },
        })),
      );
    });

    it('refuses latest for a version a rescan marks unsafe while the alias is being set', async () => {
      await publish('2.0.0', [3]);
      const set = VersionStore.prototype.setAlias;
      jest
        .spyOn(VersionStore.prototype, 'setAlias')
        .mockImplementationOnce(async function racing(
          this: VersionStore,
          ...args
        ) {
          // The rescan commits its verdict after the route checked the files.
          const [file] = (await rescans.nextFiles(undefined, 100)).filter(
            f => f.version === '2.0.0',
          );
          const stored = (await versions.getVersion(MODEL_REF, '2.0.0'))!;
          await rescans.commitBatch({
            scannerVersion: '99.0.1',
            updates: [
              {
                versionId: file.versionId,
                path: file.path,
                sha256: file.sha256,
                scan: unsafe(stored.files[0].scan),
              },
            ],
            cursor: { versionId: file.versionId, path: file.path },
            scanned: 1,
            changed: 1,
          });
          return set.apply(this, args);
        });
      const res = await setAlias('latest', '2.0.0');
      expect(res.status).toBe(409);
      expect(res.body.error.message).toBe(
        `Version 2.0.0 of ${MODEL_REF} cannot be 'latest': w.safetensors is unsafe (pickle/dangerous-import); publish a version without unsafe files`,
      );
      expect(await aliasesOf('2.0.0')).toEqual([]);
    });
  },
);
