import { createBackendModule } from '@backstage/backend-plugin-api';
import {
  mockCredentials,
  mockServices,
  startTestBackend,
} from '@backstage/backend-test-utils';
import catalogPlugin from '@backstage/plugin-catalog-backend';
import {
  catalogProcessingExtensionPoint,
  CatalogProcessor,
} from '@backstage/plugin-catalog-node';
import { readUpstreamDrift } from '@internal/plugin-model-hub-common';
import request from 'supertest';
import {
  commitToRepo,
  FakeHuggingFaceServer,
  syntheticHuggingFaceRepos,
} from './demo/FakeHuggingFaceServer';
import { huggingFaceEntityName } from './huggingface/mapHuggingFaceModel';
import ingestionModule from './index';

/*
 * Hugging Face ingestion against real processes: the fake Hub over HTTP and
 * a real catalog backend with this module, started once. An org of 150
 * repos (two `Link` pages, plus repos the fuzzy search over-matches) and a
 * collection's models appear in the catalog; a second sync emits nothing;
 * a new commit with a licence change is mirrored with a drift record.
 */

jest.setTimeout(180_000);

const ORG_SIZE = 150;
const COLLECTION = 'partners/picks-65f0c0ffee0123456789abcd';

const acceptModelKind = createBackendModule({
  pluginId: 'catalog',
  moduleId: 'test-model-kind',
  register(reg) {
    reg.registerInit({
      deps: { catalog: catalogProcessingExtensionPoint },
      async init({ catalog }) {
        const processor: CatalogProcessor = {
          getProcessorName: () => 'TestModelKind',
          validateEntityKind: async e => e.kind === 'Model',
        };
        catalog.addProcessor(processor);
      },
    });
  },
});

async function until<T>(
  what: string,
  probe: () => Promise<T | undefined>,
  timeoutMs = 120_000,
): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const value = await probe();
    if (value !== undefined) return value;
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await new Promise(r => setTimeout(r, 500));
  }
}

describe('Hugging Face ingestion into a running catalog', () => {
  let fake: FakeHuggingFaceServer;

  beforeAll(async () => {
    fake = await FakeHuggingFaceServer.start({
      token: 'hf_integration',
      repos: [
        ...syntheticHuggingFaceRepos('acme', ORG_SIZE),
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
  });
  afterAll(() => fake.close());

  it('mirrors an org and a collection, emits nothing unchanged, records drift', async () => {
    const backend = await startTestBackend({
      features: [
        catalogPlugin,
        acceptModelKind,
        ingestionModule,
        mockServices.rootConfig.factory({
          data: {
            catalog: { processingInterval: { minutes: 10 } },
            modelHub: {
              ingestion: {
                huggingFace: {
                  endpoint: fake.url,
                  token: 'hf_integration',
                  owner: 'group:default/ml-platform',
                  globs: ['acme/model-*'],
                  collections: [COLLECTION],
                  schedule: {
                    frequency: { hours: 6 },
                    timeout: { minutes: 2 },
                  },
                },
              },
            },
          },
        }),
      ],
    });
    try {
      const api = () => request(backend.server);
      const user = mockCredentials.user.header('user:default/admin');
      const status = async () =>
        (
          await api()
            .get('/api/catalog/model-hub-ingestion/sources')
            .set('authorization', user)
        ).body.items[0];
      const names = async () => {
        const res = await api()
          .get('/api/catalog/entities')
          .query({ filter: 'kind=model', fields: 'metadata.title' })
          .set('authorization', user);
        return (res.body as Array<{ metadata: { title: string } }>).map(
          e => e.metadata.title,
        );
      };

      const expected = ORG_SIZE + 2;
      const titles = await until('the org and the collection', async () => {
        const t = await names();
        return t.length >= expected ? t : undefined;
      });
      expect(titles).toHaveLength(expected);
      expect(titles).toEqual(
        expect.arrayContaining([
          'acme/model-0001',
          'acme/model-0150',
          'partners/bert-0001',
          'partners/bert-0002',
        ]),
      );
      expect(titles.some(t => t.includes('xmodel'))).toBe(false);
      expect(fake.requests.get('/api/models')).toBe(2); // two Link pages
      const first = await status();
      expect(first).toMatchObject({
        source: 'huggingface:hf',
        state: 'ok',
        entityCount: expected,
        lastEmitted: expected,
      });

      const syncNow = () =>
        api()
          .post('/api/catalog/model-hub-ingestion/sources/huggingface:hf/sync')
          .set('authorization', user);
      const nextSync = (after: { lastSyncAt: string }) =>
        until('the next sync', async () => {
          const s = await status();
          return s.lastSyncAt !== after.lastSyncAt ? s : undefined;
        });

      expect((await syncNow()).status).toBe(202);
      const second = await nextSync(first);
      expect(second).toMatchObject({ state: 'ok', lastEmitted: 0 });

      // Upstream: a new commit of one repo whose card changes its licence.
      const repo = fake.repo('acme/model-0007');
      const oldSha = repo.sha;
      const newSha = commitToRepo(repo, {
        cardData: { license: 'other' },
        files: { 'README.md': '---\nlicense: other\n---\n# now other\n' },
      });
      expect((await syncNow()).status).toBe(202);
      const third = await nextSync(second);
      expect(third).toMatchObject({ state: 'ok', lastEmitted: 1 });

      const name = huggingFaceEntityName('hf', 'acme/model-0007');
      const drifted = await until('the drift in the catalog', async () => {
        const res = await api()
          .get(`/api/catalog/entities/by-name/model/default/${name}`)
          .set('authorization', user);
        const drift = res.body?.metadata
          ? readUpstreamDrift(res.body)
          : undefined;
        return drift ? { entity: res.body, drift } : undefined;
      });
      expect(drifted.entity.spec.license).toBe('other');
      expect(drifted.drift).toMatchObject({
        source: 'huggingface:hf',
        url: `${fake.url}/acme/model-0007`,
        changes: [
          { field: 'revision', from: oldSha, to: newSha },
          {
            field: 'license',
            from: expect.any(String),
            to: 'other',
          },
        ],
      });

      // The drift record is stable: another sync emits nothing.
      expect((await syncNow()).status).toBe(202);
      expect(await nextSync(third)).toMatchObject({ lastEmitted: 0 });
    } finally {
      await backend.stop();
    }
  });
});
