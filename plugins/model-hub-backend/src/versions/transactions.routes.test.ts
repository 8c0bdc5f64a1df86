import fs from 'node:fs/promises';
import http from 'node:http';
import { AddressInfo } from 'node:net';
import path from 'node:path';
import {
  coreServices,
  createServiceFactory,
} from '@backstage/backend-plugin-api';
import {
  mockCredentials,
  mockServices,
  TestDatabases,
} from '@backstage/backend-test-utils';
import { Entity } from '@backstage/catalog-model';
import {
  MODEL_HUB_SHA256_HEADER,
  modelHubApiPaths,
  ModelVersion,
} from '@internal/plugin-model-hub-common';
import { Knex } from 'knex';
import request from 'supertest';
import { artifactKey } from '../artifacts/ArtifactStore';
import { ARTIFACT_GC_TASK_ID, STAGING_CLEANUP_TASK_ID } from '../recovery';
import { sha256 } from '../__testUtils__/fixtures';
import {
  ModelHubTestBackend,
  ownersPublishPolicy,
  startModelHubTestBackend,
} from '../__testUtils__/modelHubBackend';

jest.setTimeout(120_000);

const ALICE = 'user:default/alice'; // ml-team
const CAROL = 'user:default/carol'; // ml-team too
const MODEL_REF = 'model:default/support-assistant';
const model: Entity = {
  apiVersion: 'modelhub.io/v1alpha1',
  kind: 'Model',
  metadata: { name: 'support-assistant', namespace: 'default' },
  spec: { owner: 'ml-team', type: 'llm', lifecycle: 'production' },
};

const databases = TestDatabases.create({ ids: ['SQLITE_3', 'POSTGRES_16'] });

type Files = Record<string, Buffer>;

const manifestOf = (files: Files) =>
  Object.entries(files).map(([p, bytes]) => ({
    path: p,
    sha256: sha256(bytes),
    size: bytes.length,
  }));

describe.each(databases.eachSupportedId())(
  'transactional publishing on %s',
  databaseId => {
    let server: http.Server;
    let knex: Knex;
    let backend: ModelHubTestBackend;
    let artifactsDir: string;
    let stagingDir: string;
    const scheduler = mockServices.scheduler();
    const base = '/api/model-hub';
    const api = (p: string) => `${base}${p}`;
    const as = (user: string) => mockCredentials.user.header(user);

    beforeAll(async () => {
      knex = await databases.init(databaseId);
      backend = await startModelHubTestBackend({
        entities: [model],
        groups: () => ['group:default/ml-team'],
        policy: ownersPublishPolicy(),
        knex,
        modelHub: {
          artifacts: {
            maxUploadBytes: 4 * 1024 * 1024,
            staging: { maxAgeMinutes: 5 },
            gc: { graceHours: 1 },
          },
        },
        features: [
          // The mock scheduler, with no task run on start-up: the tests
          // trigger the recovery tasks themselves.
          createServiceFactory({
            service: coreServices.scheduler,
            deps: {},
            factory: () => scheduler,
          }),
        ],
      });
      server = backend.server;
      artifactsDir = path.join(backend.dataDir, 'artifacts');
      stagingDir = path.join(backend.dataDir, 'staging');
    });

    afterAll(async () => {
      // Before the test database goes: the gauntlet worker still polls it.
      await backend?.stop();
    });

    const create = (user: string, version: string, files?: Files) =>
      request(server)
        .post(api(modelHubApiPaths.versions(MODEL_REF)))
        .set('Authorization', as(user))
        .send({ version, files: files && manifestOf(files) });
    const upload = (
      user: string,
      version: string,
      filePath: string,
      bytes: Buffer,
    ) =>
      request(server)
        .put(api(modelHubApiPaths.file(MODEL_REF, version, filePath)))
        .set('Authorization', as(user))
        .set('Content-Type', 'application/octet-stream')
        .set(MODEL_HUB_SHA256_HEADER, sha256(bytes))
        .send(bytes);
    const seal = (user: string, version: string, files?: Files) =>
      request(server)
        .post(api(modelHubApiPaths.seal(MODEL_REF, version)))
        .set('Authorization', as(user))
        .send(files ? { files: manifestOf(files) } : {});
    const getVersion = async (version: string) =>
      (
        await request(server)
          .get(api(modelHubApiPaths.version(MODEL_REF, version)))
          .set('Authorization', as(ALICE))
      ).body as ModelVersion;
    const blobExists = (bytes: Buffer) =>
      fs
        .stat(path.join(artifactsDir, ...artifactKey(sha256(bytes)).split('/')))
        .then(
          () => true,
          () => false,
        );

    /** One whole publish as a client does it; the first refusal ends it. */
    async function publish(user: string, version: string, files: Files) {
      const created = await create(user, version, files);
      if (created.status !== 201 && created.status !== 200) {
        return {
          refused: created.status,
          message: created.body.error?.message,
        };
      }
      for (const [p, bytes] of Object.entries(files)) {
        const res = await upload(user, version, p, bytes);
        if (res.status !== 201) {
          return { refused: res.status, message: res.body.error?.message };
        }
      }
      const sealed = await seal(user, version);
      if (sealed.status !== 200) {
        return { refused: sealed.status, message: sealed.body.error?.message };
      }
      return { sealed: sealed.body as ModelVersion };
    }

    const filesOf = (v: ModelVersion) =>
      v.files
        .map(f => ({ path: f.path, sha256: f.sha256, size: f.size }))
        .sort((a, b) => a.path.localeCompare(b.path));

    it('keeps a draft to the principal that opened it', async () => {
      const files = { 'a.bin': Buffer.from('alice weights') };
      expect((await create(ALICE, '0.1.0', files)).status).toBe(201);
      const other = await create(CAROL, '0.1.0', files);
      expect(other.status).toBe(409);
      expect(other.body.error.message).toContain(`open draft of ${ALICE}`);
      const put = await upload(CAROL, '0.1.0', 'a.bin', files['a.bin']);
      expect(put.status).toBe(403);
      expect(put.body.error.message).toContain(`a draft opened by ${ALICE}`);
      expect((await seal(CAROL, '0.1.0')).status).toBe(403);
      expect((await getVersion('0.1.0')).files).toEqual([]);
      expect(
        (await upload(ALICE, '0.1.0', 'a.bin', files['a.bin'])).status,
      ).toBe(201);
      expect((await seal(ALICE, '0.1.0')).status).toBe(200);
    });

    it('seals only what the manifest declares, naming the first difference', async () => {
      const declared = {
        'config.json': Buffer.from('{"layers":2}'),
        'w.bin': Buffer.from('declared weights'),
      };
      expect((await create(ALICE, '0.2.0', declared)).status).toBe(201);
      // Files outside the manifest, or other bytes under a declared name,
      // are refused before anything is stored.
      const extra = await upload(ALICE, '0.2.0', 'extra.bin', Buffer.from('x'));
      expect(extra.status).toBe(409);
      expect(extra.body.error.message).toContain(
        "'extra.bin' is not in the draft's declared manifest",
      );
      const swapped = Buffer.from('swapped weights!');
      const other = await request(server)
        .put(api(modelHubApiPaths.file(MODEL_REF, '0.2.0', 'w.bin')))
        .set('Authorization', as(ALICE))
        .set('Content-Type', 'application/octet-stream')
        .send(swapped);
      // The manifest's hash is the expected hash of the upload.
      expect(other.status).toBe(400);
      expect(other.body.error.message).toContain('SHA-256 mismatch');
      expect(await blobExists(swapped)).toBe(false);

      expect(
        (await upload(ALICE, '0.2.0', 'config.json', declared['config.json']))
          .status,
      ).toBe(201);
      const early = await seal(ALICE, '0.2.0');
      expect(early.status).toBe(409);
      expect(early.body.error.message).toMatch(
        /does not match its manifest: 'w.bin' is declared but was not uploaded; it stays a draft/,
      );
      expect((await getVersion('0.2.0')).state).toBe('draft');
      expect(
        (await upload(ALICE, '0.2.0', 'w.bin', declared['w.bin'])).status,
      ).toBe(201);
      const done = await seal(ALICE, '0.2.0');
      expect(done.status).toBe(200);
      expect(filesOf(done.body)).toEqual(manifestOf(declared));
    });

    it('checks a manifest sent with the seal when the draft declared none', async () => {
      const bytes = Buffer.from('late manifest');
      expect((await create(ALICE, '0.3.0')).status).toBe(201);
      expect((await upload(ALICE, '0.3.0', 'a.bin', bytes)).status).toBe(201);
      const wrong = await seal(ALICE, '0.3.0', {
        'a.bin': Buffer.from('other'),
      });
      expect(wrong.status).toBe(409);
      expect(wrong.body.error.message).toContain("'a.bin' has");
      expect((await seal(ALICE, '0.3.0', { 'a.bin': bytes })).status).toBe(200);
    });

    it('lets exactly one of two concurrent publishes of a version seal, never a mix', async () => {
      for (let round = 0; round < 4; round++) {
        const version = `1.${round}.0`;
        const a = {
          'model.bin': Buffer.from(`alice weights ${round}`),
          'config.json': Buffer.from(`{"by":"alice","round":${round}}`),
        };
        const b = {
          'model.bin': Buffer.from(`other weights ${round}!!`),
          'tokenizer.json': Buffer.from(`{"by":"other"}`),
        };
        // Two people, and the same principal twice (two CI jobs).
        const second = round % 2 === 0 ? CAROL : ALICE;
        const results = await Promise.all([
          publish(ALICE, version, a),
          publish(second, version, b),
        ]);
        const sealed = results.filter(r => r.sealed);
        const refused = results.filter(r => r.refused);
        expect(sealed).toHaveLength(1);
        expect(refused).toHaveLength(1);
        expect(refused[0].refused).toBe(409);
        const winner = results[0].sealed ? a : b;
        const stored = await getVersion(version);
        expect(stored.state).toBe('sealed');
        expect(filesOf(stored)).toEqual(
          manifestOf(winner).sort((x, y) => x.path.localeCompare(y.path)),
        );
      }
    });

    it('refuses uploads to a sealed version before storing a byte', async () => {
      const late = Buffer.from('an upload after the seal');
      const put = await upload(ALICE, '0.1.0', 'late.bin', late);
      expect(put.status).toBe(409);
      expect(put.body.error.message).toContain('sealed and immutable');
      expect(await blobExists(late)).toBe(false);
      expect(
        await knex('artifact_blobs').where({ sha256: sha256(late) }),
      ).toEqual([]);
    });

    it('keeps nothing of a client killed mid-upload, and sweeps staging debris', async () => {
      expect((await create(ALICE, '2.0.0')).status).toBe(201);
      const bytes = Buffer.alloc(256 * 1024, 7);
      const { port } = server.address() as AddressInfo;
      await new Promise<void>(resolve => {
        const req = http.request({
          host: '127.0.0.1',
          port,
          method: 'PUT',
          path: api(modelHubApiPaths.file(MODEL_REF, '2.0.0', 'big.bin')),
          headers: {
            authorization: as(ALICE),
            'content-type': 'application/octet-stream',
            'content-length': String(bytes.length),
          },
        });
        req.on('error', () => resolve());
        req.write(bytes.subarray(0, bytes.length / 2), () => {
          setTimeout(() => {
            req.socket?.destroy();
            req.destroy();
            resolve();
          }, 100);
        });
      });
      const staged = async () =>
        (await fs.readdir(stagingDir).catch(() => [] as string[])).filter(n =>
          n.startsWith('upload-'),
        );
      for (let i = 0; i < 100 && (await staged()).length > 0; i++) {
        await new Promise(r => setTimeout(r, 50));
      }
      expect(await staged()).toEqual([]);
      expect((await getVersion('2.0.0')).files).toEqual([]);
      expect(await blobExists(bytes)).toBe(false);

      // What a backend that died mid-upload leaves behind is swept by age.
      await fs.mkdir(stagingDir, { recursive: true });
      const dead = path.join(stagingDir, 'upload-dead');
      const live = path.join(stagingDir, 'upload-live');
      const foreign = path.join(stagingDir, 'notes.txt');
      for (const f of [dead, live, foreign]) await fs.writeFile(f, 'x');
      const old = new Date(Date.now() - 10 * 60_000);
      await fs.utimes(dead, old, old);
      await fs.utimes(foreign, old, old);
      await scheduler.triggerTask(STAGING_CLEANUP_TASK_ID);
      expect((await fs.readdir(stagingDir)).sort()).toEqual([
        'notes.txt',
        'upload-live',
      ]);
      await fs.rm(live);
      await fs.rm(foreign);
    });

    it('collects orphan blobs after the grace period, never a referenced one', async () => {
      const kept = Buffer.from('sealed content');
      const replaced = Buffer.from('first upload, replaced in the draft');
      const current = Buffer.from('second upload, current in the draft');
      expect(
        (await publish(ALICE, '3.0.0', { 'w.bin': kept })).sealed,
      ).toBeDefined();
      expect((await create(ALICE, '3.1.0')).status).toBe(201);
      expect((await upload(ALICE, '3.1.0', 'w.bin', replaced)).status).toBe(
        201,
      );
      expect((await upload(ALICE, '3.1.0', 'w.bin', current)).status).toBe(201);
      expect(await blobExists(replaced)).toBe(true);

      // Within the grace period nothing goes.
      await scheduler.triggerTask(ARTIFACT_GC_TASK_ID);
      expect(await blobExists(replaced)).toBe(true);

      // Past it, only the blob nothing references goes.
      await knex('artifact_blobs').update({
        last_referenced_at: new Date(Date.now() - 2 * 3_600_000),
      });
      await scheduler.triggerTask(ARTIFACT_GC_TASK_ID);
      expect(await blobExists(replaced)).toBe(false);
      expect(await blobExists(kept)).toBe(true);
      expect(await blobExists(current)).toBe(true);
      const download = await request(server)
        .get(api(modelHubApiPaths.file(MODEL_REF, '3.0.0', 'w.bin')))
        .set('Authorization', as(ALICE));
      expect(download.status).toBe(200);
    });

    it('never loses a blob that a publish references while the collector runs', async () => {
      for (let round = 0; round < 5; round++) {
        const version = `4.${round}.0`;
        const bytes = Buffer.from(`content raced by the collector ${round}`);
        // An orphan from an earlier draft, long past its grace period...
        expect((await create(ALICE, version)).status).toBe(201);
        expect((await upload(ALICE, version, 'w.bin', bytes)).status).toBe(201);
        expect(
          (await upload(ALICE, version, 'w.bin', Buffer.from(`x${round}`)))
            .status,
        ).toBe(201);
        await knex('artifact_blobs')
          .where({ sha256: sha256(bytes) })
          .update({ last_referenced_at: new Date(Date.now() - 5 * 3_600_000) });
        // ...uploaded again while the collector runs.
        const [put] = await Promise.all([
          upload(ALICE, version, 'w.bin', bytes),
          scheduler.triggerTask(ARTIFACT_GC_TASK_ID),
        ]);
        expect(put.status).toBe(201);
        expect(await blobExists(bytes)).toBe(true);
        expect((await seal(ALICE, version)).status).toBe(200);
        const download = await request(server)
          .get(api(modelHubApiPaths.file(MODEL_REF, version, 'w.bin')))
          .set('Authorization', as(ALICE))
          .buffer(true)
          .parse((res, cb) => {
            const chunks: Buffer[] = [];
            res.on('data', (c: Buffer) => chunks.push(c));
            res.on('end', () => cb(null, Buffer.concat(chunks)));
          });
        expect(download.status).toBe(200);
        expect(sha256(download.body)).toBe(sha256(bytes));
      }
    });

    describe('upload hygiene', () => {
      beforeAll(async () => {
        const draft = await create(ALICE, '5.0.0');
        if (draft.status !== 201) {
          throw new Error(`draft 5.0.0 not created: ${draft.status}`);
        }
      });
      const put = (filePath: string) =>
        request(server)
          .put(api(modelHubApiPaths.file(MODEL_REF, '5.0.0', filePath)))
          .set('Authorization', as(ALICE));

      it.each([
        'multipart/form-data; boundary=x',
        'application/x-www-form-urlencoded',
        'text/plain',
        'application/json',
        'application/octet-streamx',
      ])('refuses Content-Type %s with 415', async contentType => {
        const res = await put('a.bin')
          .set('Content-Type', contentType)
          .send(Buffer.from('--x\r\n\r\nweights\r\n--x--'));
        expect(res.status).toBe(415);
        expect(res.body.error.message).toContain('application/octet-stream');
        expect(res.body.error.message).not.toContain('\n');
      });

      it('refuses a real multipart form upload with 415', async () => {
        const res = await put('a.bin').attach(
          'file',
          Buffer.from('w'),
          'a.bin',
        );
        expect(res.status).toBe(415);
      });

      it.each(['gzip', 'deflate', 'br', 'identity, gzip'])(
        'refuses Content-Encoding %s with 415',
        async encoding => {
          const res = await put('a.bin')
            .set('Content-Type', 'application/octet-stream')
            .set('Content-Encoding', encoding)
            .send(Buffer.from('compressed?'));
          expect(res.status).toBe(415);
        },
      );

      it('accepts octet-stream, with parameters, and no Content-Type at all', async () => {
        const typed = await put('typed.bin')
          .set('Content-Type', 'Application/Octet-Stream; charset=binary')
          .send(Buffer.from('typed'));
        expect(typed.status).toBe(201);
        const { port } = server.address() as AddressInfo;
        const status = await new Promise<number>((resolve, reject) => {
          const req = http.request(
            {
              host: '127.0.0.1',
              port,
              method: 'PUT',
              path: api(modelHubApiPaths.file(MODEL_REF, '5.0.0', 'bare.bin')),
              headers: { authorization: as(ALICE), 'content-length': '4' },
            },
            res => {
              res.resume();
              resolve(res.statusCode!);
            },
          );
          req.on('error', reject);
          req.end('bare');
        });
        expect(status).toBe(201);
      });

      it.each([
        ['invoice\u202Efdp.exe', /U\+202E/],
        ['model\u200B.bin', /zero-width character U\+200B/],
        ['bom\uFEFF.bin', /U\+FEFF/],
        ['tab\there.bin', /control character U\+0009/],
        [`${'a'.repeat(256)}.bin`, /over the limit of 255/],
        [`dir/${'é'.repeat(128)}`, /256 bytes in UTF-8/],
      ])(
        'refuses the path %j with a one-line reason',
        async (filePath, why) => {
          const res = await put(filePath)
            .set('Content-Type', 'application/octet-stream')
            .send(Buffer.from('x'));
          expect(res.status).toBe(400);
          expect(res.body.error.message).toMatch(why);
          expect(res.body.error.message).not.toContain('\n');
        },
      );

      it('refuses names that collide after case folding or NFC normalisation', async () => {
        const first = await put('Weights/Caf\u00e9.bin')
          .set('Content-Type', 'application/octet-stream')
          .send(Buffer.from('one'));
        expect(first.status).toBe(201);
        for (const other of [
          'weights/caf\u00e9.bin',
          'Weights/Cafe\u0301.bin',
          'WEIGHTS/CAFE\u0301.BIN',
        ]) {
          const res = await put(other)
            .set('Content-Type', 'application/octet-stream')
            .send(Buffer.from('two'));
          expect(res.status).toBe(409);
          expect(res.body.error.message).toContain('collides with');
        }
        // Replacing the same name is still allowed in a draft.
        const again = await put('Weights/Caf\u00e9.bin')
          .set('Content-Type', 'application/octet-stream')
          .send(Buffer.from('three'));
        expect(again.status).toBe(201);
      });

      it('refuses a manifest whose names collide', async () => {
        const res = await request(server)
          .post(api(modelHubApiPaths.versions(MODEL_REF)))
          .set('Authorization', as(ALICE))
          .send({
            version: '5.1.0',
            files: [
              { path: 'A.bin', sha256: sha256(Buffer.from('a')), size: 1 },
              { path: 'a.bin', sha256: sha256(Buffer.from('b')), size: 1 },
            ],
          });
        expect(res.status).toBe(400);
        expect(res.body.error.message).toContain('collides with');
      });
    });
  },
);
