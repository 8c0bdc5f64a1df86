import { mockCredentials, TestDatabases } from '@backstage/backend-test-utils';
import { Knex } from 'knex';
import request from 'supertest';
import {
  GauntletRouteBackend,
  startGauntletRouteBackend,
} from '../__testUtils__/gauntletBackend';
import {
  EXAMPLE_MODEL_REF as MODEL_REF,
  exampleModel,
  exampleVersions,
} from '../__testUtils__/gauntletExample';
import { evaluationValidUntil } from './evaluationExpiry';
import { GauntletEvaluation, GauntletVersionSource } from './GauntletRunner';

jest.setTimeout(120_000);

const ALICE = 'user:default/alice'; // owner (marketing)
const BOB = 'user:default/bob'; // reads only
const GINA = 'user:default/gina'; // governance
const HANS = 'user:default/hans'; // governance
const M = '/v1/models/default/sentiment-classifier';
const START = new Date('2026-11-27T10:00:00.000Z');
const at = (ms: number) => new Date(START.getTime() + ms);

const databases = TestDatabases.create({ ids: ['SQLITE_3', 'POSTGRES_16'] });

describe.each(databases.eachSupportedId())(
  'the gauntlet GET’s evaluated answers on %s',
  id => {
    let db: Knex;
    let backend: GauntletRouteBackend;
    /** Runs once, inside the next read of the model's versions. */
    let duringRead: (() => Promise<void>) | undefined;
    const api = (p: string) => `/api/model-hub${p}`;
    const as = (user: string) => mockCredentials.user.header(user);
    const post = (p: string, user: string, body: object = {}) =>
      request(backend.server)
        .post(api(p))
        .set('Authorization', as(user))
        .send(body);
    const get = async () => {
      const res = await request(backend.server)
        .get(api(`${M}/gauntlet`))
        .set('Authorization', as(BOB));
      expect(res.status).toBe(200);
      return res.body;
    };
    const cached = () =>
      backend.runner.evaluate(exampleModel, { cached: true });
    const lastEvent = async () => {
      const [{ last }] = await db('gauntlet_tier_events').max({ last: 'id' });
      return Number(last ?? 0);
    };

    beforeAll(async () => {
      db = await databases.init(id);
      const example = await exampleVersions();
      const versions: GauntletVersionSource = {
        ...example,
        async listVersions(entityRef) {
          const list = await example.listVersions(entityRef);
          const hook = duringRead;
          duringRead = undefined;
          await hook?.();
          return list;
        },
      };
      backend = await startGauntletRouteBackend({
        groups: {
          [ALICE]: ['group:default/marketing'],
          [GINA]: ['group:default/ai-governance'],
          [HANS]: ['group:default/ai-governance'],
        },
        modelHub: { governanceGroup: 'group:default/ai-governance' },
        knex: db,
        now: START,
        versions,
      });
    });

    afterAll(() => backend?.stop());

    it('keeps an answer until a waiver of it expires, then answers anew without any write', async () => {
      expect(
        (await post(`${M}/versions/1.0.0/gauntlet/runs`, ALICE)).status,
      ).toBe(202);
      await backend.runner.drain();
      // Fairness fails; a waiver for a minute (well inside the entries'
      // TTL), approved by a second member, and an approved promotion.
      const waiver = await post(`${M}/waivers`, GINA, {
        check: 'fairness',
        reason: 'no sensitive attributes are collected',
        expiresAt: at(60_000).toISOString(),
      });
      expect(waiver.status).toBe(201);
      expect(
        (await post(`${M}/waivers/${waiver.body.id}/approve`, HANS)).status,
      ).toBe(200);
      const promotion = await post(`${M}/promotion-requests`, ALICE);
      expect(promotion.status).toBe(201);
      expect(
        (
          await post(
            `${M}/promotion-requests/${promotion.body.id}/approve`,
            GINA,
          )
        ).status,
      ).toBe(200);

      expect(await get()).toMatchObject({ effectiveTier: 'official' });
      const answer = await cached();
      // The route's answer is kept: no evaluation per request.
      expect(await cached()).toBe(answer);
      const events = await lastEvent();
      backend.setNow(at(59_999));
      expect(await cached()).toBe(answer);
      expect(await get()).toMatchObject({ effectiveTier: 'official' });
      // The waiver's expiry: the next GET differs, with no write between.
      backend.setNow(at(60_000));
      const expired = await get();
      expect(expired).toMatchObject({ effectiveTier: 'community' });
      expect(expired.waivers[0]).toMatchObject({
        id: waiver.body.id,
        active: false,
      });
      expect(await lastEvent()).toBe(events);
    });

    it('does not keep an answer evaluated while its model changed (a GET racing an invalidation)', async () => {
      const before = await cached();
      expect(await cached()).toBe(before);
      // A write of the model's waivers lands while the GET reads, and its
      // event is applied by another lookup before the GET's answer is done.
      const other = {
        ...exampleModel,
        metadata: { ...exampleModel.metadata, name: 'other' },
      };
      // An event of the model first, so the next lookup loads.
      await db('gauntlet_tier_events').insert({
        entity_ref: MODEL_REF,
        created_at: new Date(),
      });
      duringRead = async () => {
        await backend.runner.store.waivers.create({
          entityRef: MODEL_REF,
          checkId: 'fairness',
          reason: 'raced',
          requestedBy: GINA,
          expiresAt: at(10 * 86_400_000),
          now: at(60_000),
        });
        await backend.runner.evaluate(other, { cached: true });
      };
      const racing = await cached();
      expect(duringRead).toBeUndefined();
      expect(racing).not.toBe(before);
      // Served, but not kept: the next lookup evaluates again and sees it.
      const next = await cached();
      expect(next).not.toBe(racing);
      expect(next.waivers.map(w => w.reason)).toContain('raced');
      expect(await cached()).toBe(next);
    });
  },
);

describe('evaluationValidUntil', () => {
  const evaluation = (
    expiries: string[],
    invalidations: GauntletEvaluation['invalidations'] = [],
  ) =>
    ({
      waivers: expiries.map(expiresAt => ({ expiresAt })),
      invalidations,
    } as unknown as GauntletEvaluation);
  const t = START.getTime();

  it('ends at the earliest waiver expiry still ahead, never without one', () => {
    expect(evaluationValidUntil(evaluation([]), t)).toBe(Infinity);
    expect(
      evaluationValidUntil(
        evaluation([
          at(-1).toISOString(),
          at(5_000).toISOString(),
          at(2_000).toISOString(),
        ]),
        t,
      ),
    ).toBe(t + 2_000);
  });

  it('is not kept when it carries approvals invalidated at its evaluation', () => {
    expect(
      evaluationValidUntil(
        evaluation([at(5_000).toISOString()], [{ id: 1, reason: 'rerun' }]),
        t,
      ),
    ).toBe(t);
  });
});
