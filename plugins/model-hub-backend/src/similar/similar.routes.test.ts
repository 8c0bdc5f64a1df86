import fs from 'node:fs';
import path from 'node:path';
import {
  BackstageCredentials,
  SchedulerService,
  ServiceFactory,
} from '@backstage/backend-plugin-api';
import {
  mockCredentials,
  mockServices,
  TestDatabases,
} from '@backstage/backend-test-utils';
import { Entity, stringifyEntityRef } from '@backstage/catalog-model';
import { CatalogService } from '@backstage/plugin-catalog-node';
import { catalogServiceMock } from '@backstage/plugin-catalog-node/testUtils';
import {
  DuplicateEffortReport,
  findSimilarModels,
  modelHubSimilarPaths,
  SimilarModelsResponse,
  usageDuplicatesPath,
} from '@internal/plugin-model-hub-common';
import { Knex } from 'knex';
import request from 'supertest';
import YAML from 'yaml';
import {
  ModelHubTestBackend,
  startModelHubTestBackend,
} from '../__testUtils__/modelHubBackend';
import { SIMILAR_INDEX_TASK_ID } from './setup';
import { DEFAULT_MAX_PARTNERS, SimilarIndexStore } from './SimilarIndexStore';
import {
  BACKGROUND_STATEMENTS,
  countQueries,
} from '../__testUtils__/countQueries';

jest.setTimeout(300_000);

const databases = TestDatabases.create({ ids: ['SQLITE_3', 'POSTGRES_16'] });
const ALICE = 'user:default/alice';
/** The catalog hides models named `secret-*` from Bob. */
const BOB = 'user:default/bob';
const lower = (v: string) => v.toLocaleLowerCase('en-US');
const refOf = (e: Entity) => lower(stringifyEntityRef(e));

/** The example catalog's models (examples/models), as the portal loads them. */
const EXAMPLES: Entity[] = (() => {
  const dir = path.resolve(__dirname, '../../../../examples/models');
  return fs
    .readdirSync(dir)
    .filter(f => f.endsWith('.yaml'))
    .flatMap(f =>
      YAML.parseAllDocuments(fs.readFileSync(path.join(dir, f), 'utf8')),
    )
    .map(d => d.toJSON() as Entity)
    .filter(e => e?.kind === 'Model')
    .map(e => ({
      ...e,
      metadata: { namespace: 'default', ...e.metadata },
      relations: [{ type: 'ownedBy', targetRef: lower(String(e.spec?.owner)) }],
    }));
})();

const WORDS = [
  'sentiment',
  'review',
  'churn',
  'fraud',
  'forecast',
  'demand',
  'image',
  'defect',
  'vision',
  'support',
  'ticket',
  'route',
  'price',
  'credit',
  'risk',
  'speech',
  'translat',
  'summary',
  'search',
  'ranking',
  'recommend',
  'anomaly',
  'spam',
  'invoice',
  'parser',
  'toxicity',
  'sentimnt',
  'forecasting',
];
const GENERIC = ['classifier', 'detector', 'model', 'predictor', 'v2', 'large'];
const TAGS = ['nlp', 'vision', 'tabular', 'audio', 'finance', 'sentiment'];
const TASKS = [
  'text-classification',
  'text-generation',
  'image-classification',
  'object-detection',
  'tabular-regression',
  'time-series-forecasting',
  'token-classification',
  'translation',
  'summarization',
  'fill-mask',
];

/** A deterministic portfolio: names from a small vocabulary, so many overlap. */
function generated(count: number): Entity[] {
  return Array.from({ length: count }, (_, i) => {
    const w = (k: number) => WORDS[(i * k + (i >> 3)) % WORDS.length];
    return {
      apiVersion: 'modelhub.io/v1alpha1',
      kind: 'Model',
      metadata: {
        name: `${w(7)}-${w(3)}-${GENERIC[i % GENERIC.length]}-${i}`,
        namespace: 'default',
        ...(i % 3 === 0 ? { title: `${w(11)} ${w(5)}` } : {}),
        tags: [TAGS[i % TAGS.length], TAGS[(i >> 2) % TAGS.length]],
        description: `Generated model ${i} about ${w(13)}`,
      },
      spec: {
        type: 'classifier',
        task: TASKS[i % TASKS.length],
        owner: `group:default/team-${i % 17}`,
        lifecycle: i % 11 === 0 ? 'deprecated' : 'production',
        tier: 'community',
      },
      relations: [
        { type: 'ownedBy', targetRef: `group:default/team-${i % 17}` },
      ],
    };
  });
}

/** The duplicate-effort detector as it was: every same-task pair compared (the oracle). */
function fullScanOverlaps(models: Entity[]): string[][] {
  const byTask = new Map<string, Entity[]>();
  for (const m of models) {
    const task = m.spec?.task as string | undefined;
    if (task) byTask.set(task, [...(byTask.get(task) ?? []), m]);
  }
  const groups: string[][] = [];
  for (const [task, members] of byTask) {
    const refs = members.map(refOf);
    const parent = refs.map((_, i) => i);
    const find = (i: number): number =>
      parent[i] === i ? i : (parent[i] = find(parent[i]));
    members.forEach((m, i) => {
      const others = members.filter((_, j) => j !== i);
      const query = {
        name: m.metadata.name,
        title: m.metadata.title,
        tags: m.metadata.tags,
        task,
      };
      for (const match of findSimilarModels(query, others, {
        limit: others.length,
      })) {
        parent[find(i)] = find(refs.indexOf(lower(match.entityRef)));
      }
    });
    const clusters = new Map<number, string[]>();
    refs.forEach((ref, i) =>
      clusters.set(find(i), [...(clusters.get(find(i)) ?? []), ref]),
    );
    groups.push(
      ...[...clusters.values()].filter(c => c.length > 1).map(c => c.sort()),
    );
  }
  return groups.sort((a, b) => a[0].localeCompare(b[0]));
}

/** A catalog whose models can be replaced, that hides `secret-*` models from Bob. */
function mutableCatalog(initial: Entity[]) {
  let current = catalogServiceMock({ entities: initial });
  const hidden = (e: Entity | undefined, options: unknown) =>
    Boolean(e?.metadata.name.startsWith('secret-')) &&
    (
      (options as { credentials?: BackstageCredentials })?.credentials
        ?.principal as { userEntityRef?: string } | undefined
    )?.userEntityRef === BOB;
  const catalog: Partial<CatalogService> = {
    async getEntities(req, options) {
      const res = await current.getEntities(req, options);
      return { items: res.items.filter(e => !hidden(e, options)) };
    },
    async getEntitiesByRefs(req, options) {
      const { items } = await current.getEntitiesByRefs(req, options);
      return { items: items.map(e => (hidden(e, options) ? undefined : e)) };
    },
    async getEntityByRef(ref, options) {
      const e = await current.getEntityByRef(ref, options);
      return hidden(e, options) ? undefined : e;
    },
  };
  return {
    catalog: new Proxy(current, {
      get(_target, key) {
        if (key in catalog) return catalog[key as keyof CatalogService];
        const value = (current as any)[key];
        return typeof value === 'function' ? value.bind(current) : value;
      },
    }) as CatalogService,
    set(entities: Entity[]) {
      current = catalogServiceMock({ entities });
    },
  };
}

describe.each(databases.eachSupportedId())(
  'similar models through the term index (%s)',
  databaseId => {
    let db: Knex;
    let hub: ModelHubTestBackend;
    const scheduler = mockServices.scheduler() as SchedulerService & {
      factory(options: { skipTaskRunOnStartup: boolean }): ServiceFactory;
    };
    const SECRET: Entity = {
      ...EXAMPLES.find(e => e.metadata.name === 'sentiment-classifier')!,
      metadata: {
        name: 'secret-sentiment-classifier',
        namespace: 'default',
        tags: ['nlp', 'sentiment'],
      },
    };
    const catalog = mutableCatalog([...EXAMPLES, SECRET]);
    const api = (p: string) => `/api/model-hub${p}`;
    const get = (p: string, user = ALICE) =>
      request(hub.server)
        .get(api(p))
        .set('Authorization', mockCredentials.user.header(user));
    const refresh = () => scheduler.triggerTask(SIMILAR_INDEX_TASK_ID);

    beforeAll(async () => {
      db = await databases.init(databaseId);
      hub = await startModelHubTestBackend({
        entities: [],
        knex: db,
        wrapCatalog: () => catalog.catalog,
        features: [scheduler.factory({ skipTaskRunOnStartup: true })],
      });
      await refresh();
    });

    afterAll(() => hub?.stop());

    it('ranks every example model’s neighbours exactly as the full scan did', async () => {
      expect(EXAMPLES.length).toBeGreaterThanOrEqual(9);
      for (const model of EXAMPLES) {
        const res = await get(modelHubSimilarPaths.model(refOf(model), 50));
        expect(res.status).toBe(200);
        const expected = findSimilarModels(
          {
            name: model.metadata.name,
            title: model.metadata.title,
            tags: model.metadata.tags,
            task: model.spec?.task as string,
          },
          [...EXAMPLES, SECRET].filter(e => e !== model),
          { limit: 50 },
        );
        const got = (res.body as SimilarModelsResponse).items;
        expect(
          got.map(m => [
            lower(m.entityRef),
            m.score,
            m.sharedWords,
            m.sharedTags,
            m.sameTask,
          ]),
        ).toEqual(
          expected.map(m => [
            lower(m.entityRef),
            m.score,
            m.sharedWords,
            m.sharedTags,
            m.sameTask,
          ]),
        );
      }
      const form = await get(
        modelHubSimilarPaths.query({
          name: 'review-sentiment',
          tags: ['nlp'],
          task: 'text-classification',
        }),
      );
      expect(form.status).toBe(200);
      const names = (form.body as SimilarModelsResponse).items.map(
        m => m.entity.metadata.name,
      );
      expect(names).toEqual(
        findSimilarModels(
          {
            name: 'review-sentiment',
            tags: ['nlp'],
            task: 'text-classification',
          },
          [...EXAMPLES, SECRET],
        ).map(m => m.entity.metadata.name),
      );
      expect(names).toContain('sentiment-classifier');
    });

    it('never returns a model the caller may not read', async () => {
      const query = modelHubSimilarPaths.query({
        name: 'sentiment-classifier',
        tags: ['sentiment'],
      });
      const asAlice = (await get(query)).body as SimilarModelsResponse;
      expect(asAlice.items.map(m => m.entity.metadata.name)).toContain(
        'secret-sentiment-classifier',
      );
      const asBob = await get(query, BOB);
      expect(asBob.status).toBe(200);
      const bobNames = (asBob.body as SimilarModelsResponse).items.map(
        m => m.entity.metadata.name,
      );
      expect(bobNames).toContain('sentiment-classifier');
      expect(bobNames).not.toContain('secret-sentiment-classifier');
      // Its own neighbours are as hidden as it is.
      expect(
        (await get(modelHubSimilarPaths.model(refOf(SECRET)), BOB)).status,
      ).toBe(404);
      expect(
        (await get(modelHubSimilarPaths.model(refOf(SECRET)))).status,
      ).toBe(200);
      const dupBob = (await get(usageDuplicatesPath('all'), BOB))
        .body as DuplicateEffortReport;
      const dupAlice = (await get(usageDuplicatesPath('all')))
        .body as DuplicateEffortReport;
      const refsIn = (r: DuplicateEffortReport) =>
        r.groups.flatMap(g => g.models.map(m => m.entityRef));
      expect(refsIn(dupAlice)).toContain(refOf(SECRET));
      expect(refsIn(dupBob)).not.toContain(refOf(SECRET));
      expect(
        dupBob.groups.map(g => g.models.map(m => m.entityRef).sort()),
      ).toEqual(fullScanOverlaps(EXAMPLES));
      // A bad query is one line with a hint.
      const bad = await get('/v1/similar-models?limit=500&name=x');
      expect(bad.status).toBe(400);
      expect(bad.body.error.message).toContain('limit=1..50');
    });

    it('follows a catalog edit after the refresh, rewriting only the changed model', async () => {
      const before = (
        await get(modelHubSimilarPaths.model('model:default/demand-forecaster'))
      ).body;
      expect(
        before.items.map((m: any) => m.entity.metadata.name),
      ).not.toContain('churn-classifier');
      const edited = EXAMPLES.map(e =>
        e.metadata.name === 'churn-classifier'
          ? {
              ...e,
              metadata: {
                ...e.metadata,
                name: 'churn-classifier',
                title: 'Demand forecaster for churn',
                tags: ['forecasting'],
              },
              spec: { ...e.spec, task: 'time-series-forecasting' },
            }
          : e,
      );
      catalog.set([...edited, SECRET]);
      const rows = () =>
        db('model_hub_similar_models').select(
          'entity_ref',
          'content_hash',
          'indexed_at',
        );
      const stamps = new Map(
        (await rows()).map(r => [
          r.entity_ref,
          `${r.content_hash} ${new Date(r.indexed_at).getTime()}`,
        ]),
      );
      // Until the refresh, the index answers as before.
      expect(
        (
          await get(
            modelHubSimilarPaths.model('model:default/demand-forecaster'),
          )
        ).body,
      ).toEqual(before);
      await refresh();
      const after = (
        await get(modelHubSimilarPaths.model('model:default/demand-forecaster'))
      ).body;
      expect(after.items.map((m: any) => m.entity.metadata.name)).toContain(
        'churn-classifier',
      );
      const changed = (await rows()).filter(
        r =>
          stamps.get(r.entity_ref) !==
          `${r.content_hash} ${new Date(r.indexed_at).getTime()}`,
      );
      expect(changed.map(r => r.entity_ref)).toEqual([
        'model:default/churn-classifier',
      ]);
      // Removed from the catalog: gone from the index.
      catalog.set(edited);
      await refresh();
      expect(
        (await get(modelHubSimilarPaths.model(refOf(SECRET)))).status,
      ).toBe(404);
      catalog.set([...EXAMPLES, SECRET]);
      await refresh();
    });

    it('answers in (nearly) the same number of queries for 20 and 2,000 models, equal to the full scan', async () => {
      const small = generated(20);
      const quiet = { ignore: BACKGROUND_STATEMENTS };
      const measure = async () => {
        const similar = await countQueries(
          db,
          () =>
            get(
              modelHubSimilarPaths.query({
                name: 'sentiment-review-classifier',
                tags: ['nlp'],
                task: 'text-classification',
              }),
            ),
          quiet,
        );
        const neighbours = await countQueries(
          db,
          () => get(modelHubSimilarPaths.model(refOf(small[3]))),
          quiet,
        );
        const started = Date.now();
        const duplicates = await countQueries(
          db,
          () => get(usageDuplicatesPath('all')),
          quiet,
        );
        return { similar, neighbours, duplicates, ms: Date.now() - started };
      };
      catalog.set(small);
      await refresh();
      const few = await measure();
      const all = generated(2000);
      catalog.set(all);
      await refresh();
      const many = await measure();
      expect(many.similar.count).toBe(few.similar.count);
      expect(many.neighbours.count).toBe(few.neighbours.count);
      // The report reads the documents of its models 1,000 refs a query.
      expect(many.duplicates.count).toBeLessThanOrEqual(
        few.duplicates.count + Math.ceil(all.length / 1000),
      );
      expect(many.similar.count).toBeLessThanOrEqual(3);

      // Same answers as the full scan over all 2,000.
      const body = many.similar.value.body as SimilarModelsResponse;
      expect(body.items.map(m => [lower(m.entityRef), m.score])).toEqual(
        findSimilarModels(
          {
            name: 'sentiment-review-classifier',
            tags: ['nlp'],
            task: 'text-classification',
          },
          all,
        ).map(m => [lower(m.entityRef), m.score]),
      );
      const report = many.duplicates.value.body as DuplicateEffortReport;
      const oracle = fullScanOverlaps(all);
      expect(oracle.length).toBeGreaterThanOrEqual(5);
      expect(
        report.groups
          .map(g => g.models.map(m => m.entityRef).sort())
          .sort((a, b) => a[0].localeCompare(b[0])),
      ).toEqual(oracle);
      // Bounded: at most DEFAULT_MAX_PARTNERS pairs per model reach the
      // report (the bound bites here: 135,000 pairs without it), and the
      // groups above still equal the full scan's.
      const store = await SimilarIndexStore.create({
        database: mockServices.database({
          knex: db,
          migrations: { skip: true },
        }),
      });
      const pairs = await store.sameTaskPairs();
      const perModel = new Map<string, number>();
      for (const p of pairs) perModel.set(p.a, (perModel.get(p.a) ?? 0) + 1);
      expect(Math.max(...perModel.values())).toBe(DEFAULT_MAX_PARTNERS);
      expect(pairs.length).toBeLessThanOrEqual(
        DEFAULT_MAX_PARTNERS * all.length,
      );
      // eslint-disable-next-line no-console
      console.log(
        `duplicates over 2,000 models on ${databaseId}: ${many.ms} ms, ${report.groups.length} groups from ${pairs.length} pairs`,
      );
    });
  },
);
