import { createHash } from 'node:crypto';
import fs from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import {
  mockCredentials,
  mockServices,
  startTestBackend,
} from '@backstage/backend-test-utils';
import catalogPlugin from '@backstage/plugin-catalog-backend';
import { AuthorizeResult } from '@backstage/plugin-permission-common';
import { readUpstreamDrift } from '@internal/plugin-model-hub-common';
// Tests only: the hub plugin runs in the same backend as the catalog to prove
// the whole path (ingest → drift task → import → scan → gauntlet).
// eslint-disable-next-line @backstage/no-mixed-plugin-imports
import modelHubPlugin from '@internal/plugin-model-hub-backend';
import request from 'supertest';
import {
  commitToRepo,
  FakeHuggingFaceServer,
  syntheticHuggingFaceRepos,
} from './demo/FakeHuggingFaceServer';
import { FakeMlflowServer } from './demo/FakeMlflowServer';
import { syntheticMlflowRegistry } from './demo/syntheticRegistry';
import { huggingFaceEntityName } from './huggingface/mapHuggingFaceModel';
import ingestionModule from './index';
import {
  acceptModelKind,
  staticEntities,
  teamEntities,
  until,
} from './__testUtils__/integration';
import { safetensorsFile } from './__testUtils__/safetensors';

/*
 * The whole federation in one backend: the catalog with this module and the
 * Model Hub plugin, against two real HTTP servers (a fake MLflow tracking
 * server and a fake Hugging Face Hub). Every clause through its entry point:
 *
 * - 2,500 MLflow models over three pages of search and a Hugging Face org of
 *   150 repos (two `Link` pages; repos the fuzzy search over-matches left
 *   out) plus a collection appear in the catalog (catalog entities route);
 * - "sync now" with nothing changed upstream emits no mutation (sources
 *   route, `lastEmitted`);
 * - a new MLflow version and a Hugging Face commit that changes the licence
 *   each leave a drift record;
 * - `POST …/import` copies a mirrored version into the hub, whose files are
 *   scanned (version route) and whose gauntlet run completes (gauntlet route);
 * - the seal wakes the hub's stewardship engine, which opens an
 *   `upstream-drift` task for each owning team (stewardship tasks route).
 */

jest.setTimeout(600_000);

const MLFLOW_MODELS = 2_500;
const HF_ORG = 150;
const COLLECTION = 'partners/picks-65f0c0ffee0123456789abcd';
const USER = 'user:default/admin';

/** demand-00001 is owned by customer-support (tag `owner`); version 2 has real artifacts. */
const IMPORTED = 'demand-00001';
const IMPORTED_OWNER = 'group:default/customer-support';
const RUN = '1/00000012/artifacts/model';
const WEIGHTS = safetensorsFile([0.25, -2, 7.5]);

describe('federated ingestion into one running portal backend', () => {
  let mlflow: FakeMlflowServer;
  let hf: FakeHuggingFaceServer;
  let dataDir: string;
  let backend: Awaited<ReturnType<typeof startTestBackend>> | undefined;

  beforeAll(async () => {
    const registry = syntheticMlflowRegistry(MLFLOW_MODELS);
    const served = registry.versions.find(
      v => v.name === IMPORTED && v.version === '2',
    )!;
    served.source = `mlflow-artifacts:/${RUN}`;
    registry.artifacts = {
      [`${RUN}/MLmodel`]:
        'flavors:\n  python_function:\n    loader_module: mlflow.lightgbm\n',
      [`${RUN}/data/model.safetensors`]: WEIGHTS,
    };
    mlflow = await FakeMlflowServer.start(registry);
    hf = await FakeHuggingFaceServer.start({
      token: 'hf_federation',
      repos: [
        ...syntheticHuggingFaceRepos('acme', HF_ORG),
        // `search=model-` over-matches these; the glob must drop them.
        ...syntheticHuggingFaceRepos('acme', 3, { stem: 'xmodel' }),
        ...syntheticHuggingFaceRepos('partners', 2, { stem: 'bert' }),
      ],
      collections: [
        {
          slug: COLLECTION,
          title: 'Partner picks',
          items: [
            { type: 'model', id: 'partners/bert-0001' },
            { type: 'model', id: 'partners/bert-0002' },
            { type: 'dataset', id: 'partners/corpus' },
          ],
        },
      ],
    });
    dataDir = await fs.mkdtemp(path.join(os.tmpdir(), 'federation-'));
  });
  afterAll(async () => {
    // Stopped even when an expectation fails, or jest waits on the backend forever.
    await backend?.stop();
    await mlflow?.close();
    await hf?.close();
    if (dataDir) await fs.rm(dataDir, { recursive: true, force: true });
  });

  it('mirrors both registries, applies only changes, opens drift tasks, and imports a version through scan and gauntlet', async () => {
    const never = { hours: 6 };
    const t0 = Date.now();
    backend = await startTestBackend({
      features: [
        catalogPlugin,
        acceptModelKind,
        // The owning teams, so their models' tasks go to them (not to governance).
        staticEntities([
          ...teamEntities('customer-support', 'carla'),
          ...teamEntities('ml-platform', 'mia'),
        ]),
        ingestionModule,
        modelHubPlugin,
        mockServices.permissions.mock({
          authorize: async requests =>
            requests.map(() => ({ result: AuthorizeResult.ALLOW })),
          authorizeConditional: async requests =>
            requests.map(() => ({ result: AuthorizeResult.ALLOW })),
        }).factory,
        mockServices.rootConfig.factory({
          data: {
            // New and changed entities are processed at once; a short interval
            // would re-process all 2,652 in a loop and starve the test.
            catalog: { processingInterval: { minutes: 10 } },
            modelHub: {
              ingestion: {
                mlflow: [
                  {
                    id: 'prod',
                    baseUrl: mlflow.url,
                    defaultOwner: 'group:default/ml-platform',
                    pageSize: 1000,
                    schedule: { frequency: never, timeout: { minutes: 5 } },
                  },
                ],
                huggingFace: {
                  endpoint: hf.url,
                  token: 'hf_federation',
                  owner: 'group:default/ml-platform',
                  globs: ['acme/model-*'],
                  collections: [COLLECTION],
                  schedule: { frequency: never, timeout: { minutes: 5 } },
                },
              },
              // Runs when a seal triggers it, not on its own during the test;
              // one required field, so 2,652 models do not open thousands of
              // card tasks the test does not look at.
              stewardship: {
                requiredFields: ['owner'],
                schedule: {
                  frequency: never,
                  initialDelay: never,
                  timeout: { minutes: 5 },
                },
              },
              artifacts: {
                stagingDirectory: path.join(dataDir, 'staging'),
                local: { directory: path.join(dataDir, 'artifacts') },
              },
            },
          },
        }),
      ],
    });
    const api = () => request(backend!.server);
    const as = mockCredentials.user.header(USER);
    const get = (url: string, query: Record<string, string> = {}) =>
      api().get(url).query(query).set('authorization', as);
    const post = (url: string, body?: object) =>
      api().post(url).set('authorization', as).send(body);

    const sources = async () => {
      const res = await get('/api/catalog/model-hub-ingestion/sources');
      return new Map<string, any>(
        (res.body.items as any[]).map(s => [s.source, s]),
      );
    };
    const countModels = async () =>
      (
        await get('/api/catalog/entities', {
          filter: 'kind=model',
          fields: 'metadata.name',
        })
      ).body.length as number;
    const entity = async (name: string) =>
      (await get(`/api/catalog/entities/by-name/model/default/${name}`)).body;

    // 1. Both start-up syncs: every model in the catalog.
    const hfExpected = HF_ORG + 2;
    const total = MLFLOW_MODELS + hfExpected;
    let seen = 0;
    await until('every model in the catalog', async () => {
      seen = await countModels();
      return seen === total ? true : undefined;
    }).catch(e => {
      throw new Error(`${e.message}: ${seen} of ${total}`);
    });
    const tCatalog = Date.now() - t0;
    const first = await sources();
    expect(first.get('mlflow:prod')).toMatchObject({
      state: 'ok',
      entityCount: MLFLOW_MODELS,
      lastEmitted: MLFLOW_MODELS,
    });
    expect(first.get('huggingface:hf')).toMatchObject({
      state: 'ok',
      entityCount: hfExpected,
      lastEmitted: hfExpected,
    });
    expect(
      mlflow.requests.get('/api/2.0/mlflow/registered-models/search'),
    ).toBe(3);
    expect(mlflow.requests.get('/api/2.0/mlflow/model-versions/search')).toBe(
      MLFLOW_MODELS,
    );
    expect(hf.requests.get('/api/models')).toBe(2); // two Link pages
    const titles = (
      await get('/api/catalog/entities', {
        filter:
          'metadata.annotations.modelhub.io/ingestion-source=huggingface:hf',
        fields: 'metadata.title',
      })
    ).body.map((e: any) => e.metadata.title) as string[];
    expect(titles).toHaveLength(hfExpected);
    expect(titles).toEqual(
      expect.arrayContaining([
        'acme/model-0001',
        'acme/model-0150',
        'partners/bert-0001',
        'partners/bert-0002',
      ]),
    );
    expect(titles.some(t => t.includes('xmodel'))).toBe(false);
    const archived = await entity('mlflow-prod-churn-00010');
    expect(archived.spec).toMatchObject({
      lifecycle: 'deprecated',
      owner: 'group:default/ml-platform',
    });

    // 2. "Sync now" with nothing changed upstream: no mutation from either source.
    const syncNow = async (source: string) =>
      expect(
        (await post(`/api/catalog/model-hub-ingestion/sources/${source}/sync`))
          .status,
      ).toBe(202);
    const nextSync = (source: string, after: { lastSyncAt: string }) =>
      until(`the next sync of ${source}`, async () => {
        const s = (await sources()).get(source);
        return s.lastSyncAt !== after.lastSyncAt ? s : undefined;
      });
    await syncNow('mlflow:prod');
    await syncNow('huggingface:hf');
    const secondMlflow = await nextSync(
      'mlflow:prod',
      first.get('mlflow:prod'),
    );
    const secondHf = await nextSync(
      'huggingface:hf',
      first.get('huggingface:hf'),
    );
    expect(secondMlflow).toMatchObject({ state: 'ok', lastEmitted: 0 });
    expect(secondHf).toMatchObject({ state: 'ok', lastEmitted: 0 });

    // 3. Upstream changes: a new READY MLflow version; an HF commit changing the licence.
    mlflow.registry.versions.push({
      name: IMPORTED,
      version: '3',
      status: 'READY',
      current_stage: 'Production',
    });
    const repo = hf.repo('acme/model-0007');
    const oldSha = repo.sha;
    const newSha = commitToRepo(repo, {
      cardData: { license: 'other' },
      files: { 'README.md': '---\nlicense: other\n---\n# now other\n' },
    });
    await syncNow('mlflow:prod');
    await syncNow('huggingface:hf');
    const thirdMlflow = await nextSync('mlflow:prod', secondMlflow);
    const thirdHf = await nextSync('huggingface:hf', secondHf);
    expect(thirdMlflow).toMatchObject({ state: 'ok', lastEmitted: 1 });
    expect(thirdHf).toMatchObject({ state: 'ok', lastEmitted: 1 });

    const mlflowName = `mlflow-prod-${IMPORTED}`;
    const hfName = huggingFaceEntityName('hf', 'acme/model-0007');
    const drifted = (name: string) =>
      until(`the drift of ${name} in the catalog`, async () => {
        const e = await entity(name);
        return e?.metadata && readUpstreamDrift(e) ? e : undefined;
      });
    const mlflowDrifted = await drifted(mlflowName);
    expect(mlflowDrifted.metadata.annotations).toMatchObject({
      'modelhub.io/ingestion-revision': '3',
    });
    expect(readUpstreamDrift(mlflowDrifted)).toMatchObject({
      source: 'mlflow:prod',
      changes: [{ field: 'revision', from: '2', to: '3' }],
    });
    const hfDrifted = await drifted(hfName);
    expect(hfDrifted.spec.license).toBe('other');
    expect(readUpstreamDrift(hfDrifted)).toMatchObject({
      source: 'huggingface:hf',
      url: `${hf.url}/acme/model-0007`,
      changes: [
        { field: 'revision', from: oldSha, to: newSha },
        { field: 'license', from: expect.any(String), to: 'other' },
      ],
    });
    // The drift record is stable: another sync emits nothing.
    await syncNow('huggingface:hf');
    expect(await nextSync('huggingface:hf', thirdHf)).toMatchObject({
      lastEmitted: 0,
    });

    // 4. Import a mirrored version: scanned files, a completed gauntlet run.
    const model = `/api/model-hub/v1/models/default/${mlflowName}`;
    const imported = await post(`${model}/import`, { version: '2' });
    expect(imported.status).toBe(201);
    expect(imported.body).toMatchObject({
      version: '2.0.0',
      source: 'mlflow:prod',
      remoteId: IMPORTED,
      state: 'imported',
      requestedBy: USER,
    });
    const version = await get(`${model}/versions/2.0.0`);
    expect(version.body.state).toBe('sealed');
    const weights = (version.body.files as any[]).find(
      f => f.path === 'data/model.safetensors',
    );
    expect(weights).toMatchObject({
      sha256: createHash('sha256').update(WEIGHTS).digest('hex'),
      scan: expect.objectContaining({ verdict: 'safe' }),
    });
    const run = await until('a completed gauntlet run', async () => {
      const res = await get(`${model}/versions/2.0.0/gauntlet/runs`);
      const done = (res.body.items as any[] | undefined)?.find(r =>
        ['completed', 'failed'].includes(r.status),
      );
      return done;
    });
    expect(run).toMatchObject({ version: '2.0.0', status: 'completed' });

    // 5. The seal woke the hub's stewardship engine (its schedule would wait
    // hours): it opens a drift task for each owning team.
    const tStewardship = Date.now();
    // Asked by model (a team of hundreds of mirrored models has more open
    // tasks than a page); the task is assigned to the model's owning team.
    const driftTask = (entityRef: string) =>
      until(`the drift task of ${entityRef}`, async () => {
        const res = await get('/api/model-hub/v1/stewardship/tasks', {
          entityRef,
        });
        return (res.body.items as any[] | undefined)?.find(
          t => t.kind === 'upstream-drift',
        );
      });
    expect(await driftTask(`model:default/${mlflowName}`)).toMatchObject({
      assignee: IMPORTED_OWNER,
      severity: 'medium',
    });
    expect(await driftTask(`model:default/${hfName}`)).toMatchObject({
      assignee: 'group:default/ml-platform',
      severity: 'high',
      details: expect.objectContaining({ source: 'huggingface:hf' }),
    });
    const stewardshipMs = Date.now() - tStewardship;

    // eslint-disable-next-line no-console
    console.log(
      `federation: ${total} models in the catalog after ${tCatalog} ms; drift tasks ${stewardshipMs} ms; whole run ${
        Date.now() - t0
      } ms`,
    );
  });
});
