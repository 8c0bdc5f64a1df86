import { mockCredentials, TestDatabases } from '@backstage/backend-test-utils';
import request from 'supertest';
import {
  GauntletRouteBackend,
  startGauntletRouteBackend,
} from '../__testUtils__/gauntletBackend';
import { EXAMPLE_MODEL_REF as MODEL_REF } from '../__testUtils__/gauntletExample';
import { GauntletRunner } from './GauntletRunner';
import { catalogUser } from '../__testUtils__/orgEntities';

jest.setTimeout(180_000);

const ALICE = 'user:default/alice'; // member of group:default/marketing (owner)
const BOB = 'user:default/bob'; // owns nothing
const GINA = 'user:default/gina'; // member of group:default/ai-governance
const HANS = 'user:default/hans'; // member of group:default/ai-governance
// governance member and in the owning team by sign-in claims
const MARC = 'user:default/marc';
// governance member; in the owning team only by catalog memberOf
const OTTO = 'user:default/otto';
const MIRA = 'user:default/mira'; // member of group:default/ai-governance
const otto = catalogUser('otto', ['ai-governance', 'marketing']);
const databases = TestDatabases.create({ ids: ['SQLITE_3', 'POSTGRES_16'] });

describe.each(databases.eachSupportedId())(
  'four-eyes governance through the routes on %s (2 approvals required)',
  databaseId => {
    let backend: GauntletRouteBackend;
    let server: any;
    let runner: GauntletRunner;
    const as = (ref: string) => mockCredentials.user.header(ref);
    const api = (p: string) => `/api/model-hub${p}`;
    const M = '/v1/models/default/sentiment-classifier';
    const post = (p: string, who: string, body: object = {}) =>
      request(server).post(api(p)).set('Authorization', as(who)).send(body);
    const gauntlet = async () =>
      (
        await request(server)
          .get(api(`${M}/gauntlet`))
          .set('Authorization', as(BOB))
      ).body;
    const rerun = async () => {
      expect(
        (await post(`${M}/versions/1.0.0/gauntlet/runs`, ALICE)).status,
      ).toBe(202);
      await runner.drain();
    };

    beforeAll(async () => {
      backend = await startGauntletRouteBackend({
        entities: [otto],
        groups: {
          [ALICE]: ['group:default/marketing'],
          [GINA]: ['group:default/ai-governance'],
          [HANS]: ['group:default/ai-governance'],
          [MARC]: ['group:default/ai-governance', 'group:default/marketing'],
          [OTTO]: ['group:default/ai-governance'],
          [MIRA]: ['group:default/ai-governance'],
        },
        knex: await databases.init(databaseId),
        now: new Date('2026-12-06T10:00:00.000Z'),
        modelHub: {
          governance: {
            group: 'group:default/ai-governance',
            requiredApprovals: 2,
          },
        },
      });
      server = backend.server;
      runner = backend.runner;
    });

    afterAll(() => backend.stop());

    it('enforces four-eyes on promotions and waivers, binds approvals to the run and drops the tier after a re-run', async () => {
      // No run yet: nothing to bind an approval to.
      const promotion = await post(`${M}/promotion-requests`, MARC, {
        comment: 'ready',
      });
      expect(promotion.status).toBe(201);
      const P = `${M}/promotion-requests/${promotion.body.id}/approve`;
      const early = await post(P, GINA);
      expect(early.status).toBe(409);
      expect(early.body.error.message).toContain('run the gauntlet first');

      await rerun();

      // The requester (a governance member in the owning team) cannot approve.
      const own = await post(P, MARC);
      expect(own.status).toBe(403);
      expect(own.body.error.message).toBe(
        `${MARC} requested promotion request ${promotion.body.id} and cannot approve it (four-eyes); another member of group:default/ai-governance must`,
      );
      // A member of the owning team in the catalog (not in the claims) cannot either.
      const team = await post(P, OTTO);
      expect(team.status).toBe(403);
      expect(team.body.error.message).toBe(
        `${OTTO} is a member of group:default/marketing, which owns ${MODEL_REF}; promotion request ${promotion.body.id} needs an approver from outside the owning team (four-eyes)`,
      );
      // Not a governance member at all.
      expect((await post(P, BOB)).status).toBe(403);

      const first = await post(P, GINA, { comment: 'model card ok' });
      expect(first.status).toBe(200);
      expect(first.body).toMatchObject({
        state: 'pending',
        approvals: [expect.objectContaining({ approver: GINA })],
      });
      const runSeen = first.body.approvals[0].runId;
      // Two approvals must come from two people.
      const twice = await post(P, GINA);
      expect(twice.status).toBe(409);
      expect(twice.body.error.message).toBe(
        `${GINA} already approved promotion request ${promotion.body.id}; it needs another approver`,
      );
      const second = await post(P, HANS, { runId: runSeen });
      expect(second.status).toBe(200);
      expect(second.body.state).toBe('approved');

      // The fairness waiver: requested by one member, approved by two others.
      const waiver = await post(`${M}/waivers`, GINA, {
        check: 'fairness',
        reason: 'no sensitive attributes are collected',
        expiresAt: '2026-12-31T00:00:00Z',
      });
      expect(waiver.status).toBe(201);
      const W = `${M}/waivers/${waiver.body.id}/approve`;
      expect((await post(W, GINA)).status).toBe(403);
      expect((await post(W, MARC)).status).toBe(403);
      expect((await post(W, HANS)).body).toMatchObject({
        state: 'pending',
        active: false,
      });
      expect((await gauntlet()).effectiveTier).toBe('community');
      const otherHalf = await post(W, 'user:default/ines');
      expect(otherHalf.status).toBe(403); // ines is not in governance
      const mira = await post(W, MIRA);
      expect(mira.status).toBe(200);
      expect(mira.body).toMatchObject({ state: 'approved', active: true });
      expect(await gauntlet()).toMatchObject({
        effectiveTier: 'official',
        status: 'passed',
        requiredApprovals: 2,
      });

      // The gauntlet re-runs: every approval is invalidated, kept with the
      // reason, and the tier drops back to community.
      await rerun();
      const after = await gauntlet();
      expect(after.effectiveTier).toBe('community');
      const p = after.approvals.find(
        (x: { id: number }) => x.id === promotion.body.id,
      );
      expect(p.state).toBe('pending');
      expect(p.approvals).toHaveLength(2);
      for (const a of p.approvals) {
        expect(a.invalidatedReason).toMatch(
          /^the gauntlet re-ran on 2026-12-06T10:00:00\.000Z \(run \d+\)$/,
        );
      }
      const w = after.waivers.find(
        (x: { id: number }) => x.id === waiver.body.id,
      );
      expect(w).toMatchObject({ state: 'pending', active: false });

      // An approval of the run reviewed before the re-run is refused.
      const stale = await post(P, GINA, { runId: runSeen });
      expect(stale.status).toBe(409);
      expect(stale.body.error.message).toContain(
        `You reviewed gauntlet run ${runSeen}`,
      );
      // Fresh approvals of the new run restore the tier.
      expect((await post(P, GINA)).status).toBe(200);
      expect((await post(P, HANS)).body.state).toBe('approved');
      expect((await post(W, HANS)).status).toBe(200);
      expect((await post(W, MIRA)).body.state).toBe('approved');
      expect((await gauntlet()).effectiveTier).toBe('official');
    });

    it('refuses a rejection by the requester or the owning team; the requester withdraws instead', async () => {
      const requested = await post(`${M}/promotion-requests`, MARC);
      expect(requested.status).toBe(201);
      const id = requested.body.id;
      const R = `${M}/promotion-requests/${id}/reject`;
      const own = await post(R, MARC);
      expect(own.status).toBe(403);
      expect(own.body.error.message).toBe(
        `${MARC} requested promotion request ${id} and cannot reject it (four-eyes); another member of group:default/ai-governance must, or the requester withdraws it`,
      );
      const team = await post(R, OTTO);
      expect(team.status).toBe(403);
      expect(team.body.error.message).toBe(
        `${OTTO} is a member of group:default/marketing, which owns ${MODEL_REF}; promotion request ${id} needs a decision from outside the owning team (four-eyes)`,
      );
      expect((await post(R, BOB)).status).toBe(403);

      // Only the requester withdraws, and it is theirs on the record.
      const Wd = `${M}/promotion-requests/${id}/withdraw`;
      const other = await post(Wd, GINA);
      expect(other.status).toBe(403);
      expect(other.body.error.message).toBe(
        `Only ${MARC}, who requested promotion request ${id}, can withdraw it; governance rejects it instead`,
      );
      const withdrawn = await post(Wd, MARC, { comment: 'not ready' });
      expect(withdrawn.status).toBe(200);
      expect(withdrawn.body).toMatchObject({
        state: 'withdrawn',
        decidedBy: MARC,
        decisionComment: 'not ready',
      });
      // A withdrawal is no governance decision: the approved tier stands.
      expect((await gauntlet()).effectiveTier).toBe('official');
      expect((await post(R, GINA)).status).toBe(409);

      // An independent governance member rejects; the tier follows.
      const next = await post(`${M}/promotion-requests`, MARC);
      const rejected = await post(
        `${M}/promotion-requests/${next.body.id}/reject`,
        GINA,
        { comment: 'fairness evidence missing' },
      );
      expect(rejected.status).toBe(200);
      expect(rejected.body).toMatchObject({
        state: 'rejected',
        decidedBy: GINA,
      });
      expect((await gauntlet()).effectiveTier).toBe('community');
    });
  },
);
