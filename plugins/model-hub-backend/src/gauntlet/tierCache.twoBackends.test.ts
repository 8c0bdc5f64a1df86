import fs from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { mockCredentials, TestDatabases } from '@backstage/backend-test-utils';
import { Entity } from '@backstage/catalog-model';
import { modelHubApiPaths } from '@internal/plugin-model-hub-common';
import knexFactory, { Knex } from 'knex';
import request from 'supertest';
import {
  ModelHubTestBackend,
  startModelHubTestBackend,
  TEST_GOVERNANCE_GROUP,
} from '../__testUtils__/modelHubBackend';
import {
  EXAMPLE_ARTIFACTS_DIR,
  EXAMPLE_MODEL_REF,
  exampleDataset,
  exampleModel,
} from '../__testUtils__/gauntletExample';
import { publishVersion } from '../__testUtils__/publish';
import {
  BACKGROUND_STATEMENTS,
  countQueries,
} from '../__testUtils__/countQueries';

/** The tables the change triggers watch (migration model_change_triggers). */
const WATCHED_TABLES = [
  'model_versions',
  'model_version_files',
  'model_aliases',
  'gauntlet_runs',
  'gauntlet_results',
  'gauntlet_promotion_requests',
  'gauntlet_waivers',
  'gauntlet_approvals',
];

jest.setTimeout(300_000);

const ALICE = 'user:default/alice'; // owner (marketing)
const BOB = 'user:default/bob'; // reads only
const GINA = 'user:default/gina'; // governance
const HANS = 'user:default/hans'; // governance
const MODEL_REF = EXAMPLE_MODEL_REF;
const M = '/v1/models/default/sentiment-classifier';
const EXAMPLE = EXAMPLE_ARTIFACTS_DIR;

/** The example model with its accuracy metric only, and its owner relation. */
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
const dataset = exampleDataset;

const databases = TestDatabases.create({ ids: ['POSTGRES_16'] });

/** Two connections (pools) to one database, as two replicas have. */
async function sharedDatabase(
  id: string,
): Promise<{ a: Knex; b: Knex; close(): Promise<void> }> {
  if (id === 'SQLITE_FILE') {
    const dir = await fs.mkdtemp(path.join(os.tmpdir(), 'model-hub-tiers-'));
    const open = () =>
      knexFactory({
        client: 'better-sqlite3',
        connection: { filename: path.join(dir, 'hub.sqlite') },
        useNullAsDefault: true,
      });
    const a = open();
    const b = open();
    return {
      a,
      b,
      async close() {
        await a.destroy();
        await b.destroy();
        await fs.rm(dir, { recursive: true, force: true });
      },
    };
  }
  const a = await databases.init(id as 'POSTGRES_16');
  const b = knexFactory(a.client.config);
  return { a, b, close: () => b.destroy() };
}

const ids = ['SQLITE_FILE', ...databases.eachSupportedId().map(([id]) => id)];

describe.each(ids)('tier cache across two backends on one %s database', id => {
  let shared: Awaited<ReturnType<typeof sharedDatabase>>;
  let replicaA: ModelHubTestBackend;
  let replicaB: ModelHubTestBackend;
  const api = (p: string) => `/api/model-hub${p}`;
  const as = (user: string) => mockCredentials.user.header(user);

  beforeAll(async () => {
    shared = await sharedDatabase(id);
    const options = {
      entities: [model, dataset],
      groups: {
        [ALICE]: ['group:default/marketing'],
        [GINA]: [TEST_GOVERNANCE_GROUP],
        [HANS]: [TEST_GOVERNANCE_GROUP],
      },
      modelHub: {
        governanceGroup: TEST_GOVERNANCE_GROUP,
        gauntlet: {
          // Only events may refresh an entry within this test.
          tierCacheSeconds: 3600,
          performance: {
            thresholds: {
              'text-classification': { official: { accuracy: 0.85 } },
            },
          },
        },
      },
    };
    replicaA = await startModelHubTestBackend({ ...options, knex: shared.a });
    replicaB = await startModelHubTestBackend({ ...options, knex: shared.b });
  });

  afterAll(async () => {
    await replicaA?.stop();
    await replicaB?.stop();
    await shared?.close();
  });

  /** B's cached effective tier of the model. */
  async function cachedOnB() {
    const res = await request(replicaB.server)
      .get(api('/v1/gauntlet/effective-tiers'))
      .set('Authorization', as(BOB));
    expect(res.status).toBe(200);
    const item = res.body.items.find((i: any) => i.entityRef === MODEL_REF);
    return { effectiveTier: item.effectiveTier, reason: item.reason };
  }

  /** The gauntlet GET of a replica (A wrote last, so it is B's the test doubts). */
  async function gauntletOn(replica: ModelHubTestBackend) {
    const res = await request(replica.server)
      .get(api(`${M}/gauntlet`))
      .set('Authorization', as(BOB));
    expect(res.status).toBe(200);
    return { effectiveTier: res.body.effectiveTier, reason: res.body.reason };
  }

  /** The tier on A, which made the change (its cache saw its own event). */
  async function evaluatedOnA() {
    const onA = await gauntletOn(replicaA);
    // B's gauntlet GET, primed before the change by the step before, agrees.
    expect(await gauntletOn(replicaB)).toEqual(onA);
    return onA;
  }

  /** The versions GET of a replica: version, state, files and aliases. */
  async function versionsOn(replica: ModelHubTestBackend) {
    const res = await request(replica.server)
      .get(api(modelHubApiPaths.versions(MODEL_REF)))
      .set('Authorization', as(BOB));
    expect(res.status).toBe(200);
    return res.body.items.map((v: any) => ({
      version: v.version,
      state: v.state,
      aliases: v.aliases,
      files: v.files.map((f: any) => `${f.path}:${f.scan?.status}`),
    }));
  }

  const post = (p: string, user: string, body: object = {}) =>
    request(replicaA.server)
      .post(api(p))
      .set('Authorization', as(user))
      .send(body);

  it('shows a gauntlet result, waiver, approval and alias move made on A in B’s next lookup', async () => {
    const before = await cachedOnB();
    expect(before.effectiveTier).not.toBe('official');
    // B caches an empty version list and the gauntlet state of no version.
    expect(await versionsOn(replicaB)).toEqual([]);
    expect((await gauntletOn(replicaB)).effectiveTier).toBeNull();

    // A gauntlet result: publish and seal on A; A's runner runs the gauntlet.
    await publishVersion({
      server: replicaA.server,
      auth: as(ALICE),
      entityRef: MODEL_REF,
      version: '1.0.0',
      files: {
        'model.onnx': await fs.readFile(path.join(EXAMPLE, 'model.onnx')),
        'benchmark.csv': await fs.readFile(path.join(EXAMPLE, 'benchmark.csv')),
      },
    });
    // Polls A alone while A's runner writes: B read right after A could
    // already see the runner's next write. Once the run is over, B's GET,
    // primed before it all, must agree.
    const deadline = Date.now() + 120_000;
    let earned = await gauntletOn(replicaA);
    while (
      !/earned community$/.test(earned.reason ?? '') &&
      Date.now() < deadline
    ) {
      await new Promise(r => setTimeout(r, 250));
      earned = await gauntletOn(replicaA);
    }
    expect(earned.reason).toMatch(/fairness failed.*earned community$/);
    expect(await evaluatedOnA()).toEqual(earned);
    expect(await cachedOnB()).toEqual(earned);
    // Draft created, file uploaded, sealed on A: B's version list follows.
    expect(await versionsOn(replicaB)).toEqual(await versionsOn(replicaA));
    expect((await versionsOn(replicaB))[0]).toMatchObject({
      version: '1.0.0',
      state: 'sealed',
    });
    const draft = await request(replicaA.server)
      .post(api(modelHubApiPaths.versions(MODEL_REF)))
      .set('Authorization', as(ALICE))
      .send({ version: '1.1.0-draft' });
    expect(draft.status).toBe(201);
    expect((await versionsOn(replicaB))[0]).toMatchObject({
      version: '1.1.0-draft',
      state: 'draft',
      files: [],
    });

    // A waiver, requested and approved (four-eyes) on A.
    const waiver = await post(`${M}/waivers`, GINA, {
      check: 'fairness',
      reason: 'no sensitive attributes are collected',
      expiresAt: new Date(Date.now() + 30 * 86_400_000).toISOString(),
    });
    expect(waiver.status).toBe(201);
    expect(
      (await post(`${M}/waivers/${waiver.body.id}/approve`, HANS)).status,
    ).toBe(200);
    const waived = await evaluatedOnA();
    // The failure is waived; only governance's approval is missing now.
    expect(waived.reason).not.toContain('fairness failed');
    expect(waived.reason).toContain('no governance approval');
    expect(await cachedOnB()).toEqual(waived);

    // A promotion approval on A.
    const promotion = await post(`${M}/promotion-requests`, ALICE, {
      comment: 'ready',
    });
    expect(promotion.status).toBe(201);
    expect(
      (await post(`${M}/promotion-requests/${promotion.body.id}/approve`, GINA))
        .status,
    ).toBe(200);
    const official = await evaluatedOnA();
    expect(official.effectiveTier).toBe('official');
    expect(await cachedOnB()).toEqual(official);

    // Control: a change whose event is taken back in its own transaction
    // is seen by neither replica's caches, so what they showed above came
    // from the events (the triggers' rows).
    await shared.a.transaction(async tx => {
      const [{ last }] = await tx('gauntlet_tier_events').max({ last: 'id' });
      await tx('gauntlet_waivers').update({
        expires_at: new Date(Date.now() - 60_000),
      });
      await tx('gauntlet_tier_events')
        .where('id', '>', Number(last ?? 0))
        .delete();
    });
    expect(await cachedOnB()).toEqual(official);
    expect(await gauntletOn(replicaA)).toEqual(official);
    expect(await gauntletOn(replicaB)).toEqual(official);

    // An alias move on A is an event too: both recompute.
    const alias = await request(replicaA.server)
      .put(api(modelHubApiPaths.alias(MODEL_REF, 'champion')))
      .set('Authorization', as(ALICE))
      .send({ version: '1.0.0' });
    expect(alias.status).toBe(200);
    const revoked = await evaluatedOnA();
    expect(revoked.effectiveTier).toBe('community');
    expect(await cachedOnB()).toEqual(revoked);
    expect(
      (await versionsOn(replicaB)).find((v: any) => v.version === '1.0.0')
        .aliases,
    ).toContain('champion');
  });

  it('drops B’s evaluated gauntlet answer when a write on A changes the model', async () => {
    const waiversOnB = async () => {
      const res = await request(replicaB.server)
        .get(api(`${M}/gauntlet`))
        .set('Authorization', as(BOB));
      expect(res.status).toBe(200);
      return res.body.waivers.map((w: any) => w.reason);
    };
    const before = await waiversOnB();
    // B answers from its cache: no statement but the read of the events
    // (and the worker's queue polls, which land in the window at random).
    const again = await countQueries(shared.b, waiversOnB, {
      ignore: new RegExp(
        `${BACKGROUND_STATEMENTS.source}|gauntlet_tier_events`,
      ),
    });
    expect(again.value).toEqual(before);
    expect(again.statements).toEqual([]);
    // A waiver requested on A (pending: no tier changes, only the answer).
    const waiver = await post(`${M}/waivers`, GINA, {
      check: 'security',
      reason: 'requested on A',
      expiresAt: new Date(Date.now() + 86_400_000).toISOString(),
    });
    expect(waiver.status).toBe(201);
    expect(await waiversOnB()).toEqual(['requested on A', ...before]);
  });

  /** The key of a row of a watched table. */
  const keyOf = (table: string, row: any) => {
    if (table === 'model_version_files') {
      return { version_id: row.version_id, path: row.path };
    }
    if (table === 'model_aliases') {
      return { entity_ref: row.entity_ref, alias: row.alias };
    }
    return { id: row.id };
  };

  /**
   * Updates, deletes and re-inserts one row of `table` in a transaction
   * that is rolled back: whether each write added events, and their refs.
   */
  async function writesRolledBack(table: string) {
    const events: string[] = [];
    let refs: string[] = [];
    const rollback = new Error('rolled back');
    await shared.a
      .transaction(async tx => {
        const [{ last }] = await tx('gauntlet_tier_events').max({ last: 'id' });
        const newEvents = async () =>
          (
            await tx('gauntlet_tier_events')
              .where('id', '>', Number(last ?? 0))
              .select('entity_ref')
          ).map(r => r.entity_ref as string);
        // Each write adds events (a delete also cascades to children).
        let count = 0;
        const added = async (op: string) => {
          const now = (await newEvents()).length;
          events.push(`${op}:${now > count ? 'event' : 'none'}`);
          count = now;
        };
        const [row] = await tx(table).select('*').limit(1);
        const key = keyOf(table, row);
        await tx(table).where(key).update(key);
        await added('update');
        await tx(table).where(key).delete();
        await added('delete');
        await tx(table).insert(row);
        await added('insert');
        refs = [...new Set(await newEvents())];
        throw rollback;
      })
      .catch(e => {
        if (e !== rollback) throw e;
      });
    return { events, refs };
  }

  /** Tables whose rows a statement reads (FROM and JOIN). */
  const tablesOf = (sql: string) =>
    [...sql.matchAll(/\b(?:from|join)\s+[`"]?(\w+)[`"]?/gi)].map(m => m[1]);

  it('reads, for the versions and gauntlet GETs, only tables whose every insert, update and delete is a model change event', async () => {
    // A miss on B: an event first (a write of the model on A), then the GETs.
    await request(replicaA.server)
      .put(api(modelHubApiPaths.alias(MODEL_REF, 'champion')))
      .set('Authorization', as(ALICE))
      .send({ version: '1.0.0' })
      .expect(200);
    const read = await countQueries(
      shared.b,
      async () => {
        await versionsOn(replicaB);
        await gauntletOn(replicaB);
      },
      { ignore: /backstage_backend_tasks/ },
    );
    const tables = new Set(read.statements.flatMap(tablesOf));
    tables.delete('gauntlet_tier_events');
    expect([...tables].sort()).toEqual(
      [...WATCHED_TABLES].filter(t => tables.has(t)).sort(),
    );
    expect(tables.has('model_versions')).toBe(true);
    expect(tables.has('gauntlet_waivers')).toBe(true);

    // Every write of every watched table (a row taken out and put back,
    // rolled back) is an event of its model, in the writing transaction.
    for (const table of WATCHED_TABLES) {
      const seen = await writesRolledBack(table);
      expect({ table, events: seen.events, refs: seen.refs }).toEqual({
        table,
        events: ['update:event', 'delete:event', 'insert:event'],
        refs: [MODEL_REF],
      });
    }
  });
});
