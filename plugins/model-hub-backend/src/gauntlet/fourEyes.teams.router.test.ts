import { mockCredentials, TestDatabases } from '@backstage/backend-test-utils';
import request from 'supertest';
import {
  GauntletRouteBackend,
  startGauntletRouteBackend,
} from '../__testUtils__/gauntletBackend';
import {
  EXAMPLE_MODEL_REF as MODEL_REF,
  exampleModel,
} from '../__testUtils__/gauntletExample';
import { catalogGroup, catalogUser } from '../__testUtils__/orgEntities';

jest.setTimeout(180_000);

// The example model is owned by group:default/marketing.
const ALICE = 'user:default/alice'; // marketing, requests promotions
const GOV = 'group:default/ai-governance';
// Governance, and in emea-social, a sub-sub-team of marketing.
const NINA = 'user:default/nina';
// Not in the catalog; governance and marketing-emea by claims only.
const SAM = 'user:default/sam';
// Governance, and in loop-a, whose parent chain is a cycle.
const CYRA = 'user:default/cyra';
// Removed from governance in the catalog; the token's claims still say so.
const REMY = 'user:default/remy';
// Not in the catalog (a resolver signing in users outside it); governance by claims.
const UNA = 'user:default/una';
const GINA = 'user:default/gina'; // governance, outside marketing
// Governance, outside marketing, and the model's steward.
const STELLA = 'user:default/stella';

const databases = TestDatabases.create({ ids: ['SQLITE_3', 'POSTGRES_16'] });

describe.each(databases.eachSupportedId())(
  'four-eyes: who is in the owning team and in governance, on %s',
  databaseId => {
    let backend: GauntletRouteBackend;
    let server: any;
    const as = (ref: string) => mockCredentials.user.header(ref);
    const api = (p: string) => `/api/model-hub${p}`;
    const M = '/v1/models/default/sentiment-classifier';
    const post = (p: string, who: string, body: object = {}) =>
      request(server).post(api(p)).set('Authorization', as(who)).send(body);
    const waiver = async () => {
      const created = await post(`${M}/waivers`, GINA, {
        check: 'fairness',
        reason: 'no sensitive attributes are collected',
        expiresAt: '2026-12-31T00:00:00Z',
      });
      expect(created.status).toBe(201);
      return `${M}/waivers/${created.body.id}/approve`;
    };

    beforeAll(async () => {
      backend = await startGauntletRouteBackend({
        entities: [
          { ...exampleModel, spec: { ...exampleModel.spec, steward: STELLA } },
          // marketing-emea names its parent in its spec; emea-social only
          // through the catalog's childOf relation.
          catalogGroup('marketing-emea', 'marketing'),
          catalogGroup('emea-social', undefined, ['marketing-emea']),
          catalogGroup('loop-a', 'loop-b'),
          catalogGroup('loop-b', 'loop-a'),
          catalogUser('alice', ['marketing']),
          catalogUser('nina', ['ai-governance', 'emea-social']),
          catalogUser('cyra', ['ai-governance', 'loop-a']),
          catalogUser('remy', []),
          catalogUser('gina', ['ai-governance']),
          catalogUser('stella', ['ai-governance']),
        ],
        groups: {
          [ALICE]: ['group:default/marketing'],
          [NINA]: [GOV],
          [SAM]: [GOV, 'group:default/marketing-emea'],
          [CYRA]: [GOV, 'group:default/loop-a'],
          [REMY]: [GOV],
          [UNA]: [GOV],
          [GINA]: [GOV],
          [STELLA]: [GOV],
          'User:default/Gina': [GOV],
        },
        knex: await databases.init(databaseId),
        now: new Date('2026-12-06T10:00:00.000Z'),
        modelHub: { governance: { group: GOV, requiredApprovals: 2 } },
      });
      server = backend.server;
      const run = await post(`${M}/versions/1.0.0/gauntlet/runs`, ALICE);
      if (run.status !== 202) {
        throw new Error(`The gauntlet run was not queued: ${run.text}`);
      }
      await backend.runner.drain();
    });

    afterAll(() => backend.stop());

    it('counts members of sub-teams of the owning group as the owning team, by the catalog or by the claims', async () => {
      const promotion = await post(`${M}/promotion-requests`, ALICE);
      expect(promotion.status).toBe(201);
      const id = promotion.body.id;
      const P = `${M}/promotion-requests/${id}/approve`;

      const nina = await post(P, NINA);
      expect(nina.status).toBe(403);
      expect(nina.body.error.message).toBe(
        `${NINA} is a member of group:default/marketing, which owns ${MODEL_REF}; promotion request ${id} needs an approver from outside the owning team (four-eyes)`,
      );
      const sam = await post(P, SAM);
      expect(sam.status).toBe(403);
      expect(sam.body.error.message).toContain('outside the owning team');
      // Rejecting is the same decision under the same rule.
      const reject = await post(`${M}/promotion-requests/${id}/reject`, NINA);
      expect(reject.status).toBe(403);

      // A cycle in another group's parent chain ends; Cyra is independent.
      expect((await post(P, CYRA)).status).toBe(200);
    });

    it('reads the parent chain one level per catalog call, not one call per group', async () => {
      const W = await waiver();
      const spy = jest.spyOn(backend.catalog, 'getEntitiesByRefs');
      spy.mockClear();
      // Nina: emea-social -> marketing-emea -> marketing: three levels.
      expect((await post(W, NINA)).status).toBe(403);
      expect(spy.mock.calls.length).toBe(3);
      spy.mockRestore();
    });

    it('takes governance membership from the catalog when it holds the user, from the claims otherwise', async () => {
      const W = await waiver();
      const remy = await post(W, REMY);
      expect(remy.status).toBe(403);
      expect(remy.body.error.message).toBe(
        `Not allowed to model-hub.waiver.create on ${MODEL_REF}: only members of ${GOV} may`,
      );
      // Nor may Remy create waivers or reject requests.
      expect(
        (
          await post(`${M}/waivers`, REMY, {
            check: 'fairness',
            reason: 'x',
            expiresAt: '2026-12-31T00:00:00Z',
          })
        ).status,
      ).toBe(403);
      const una = await post(W, UNA);
      expect(una.status).toBe(200);
      expect(una.body.approvals).toEqual([
        expect.objectContaining({ approver: UNA }),
      ]);
    });

    it('refuses the model’s steward, who answers for it like its team', async () => {
      const W = await waiver();
      const stella = await post(W, STELLA);
      expect(stella.status).toBe(403);
      expect(stella.body.error.message).toMatch(
        new RegExp(`^${STELLA} is the steward of ${MODEL_REF}; `),
      );
    });

    it('refuses a decision made on a governance member’s behalf by another plugin', async () => {
      const W = await waiver();
      const onBehalf = await request(server)
        .post(api(W))
        .set(
          'Authorization',
          mockCredentials.service.header({
            onBehalfOf: mockCredentials.user(UNA),
            targetPluginId: 'model-hub',
          }),
        )
        .send({});
      expect(onBehalf.status).toBe(403);
      expect(onBehalf.body.error.message).toMatch(
        new RegExp(
          `^Governance decisions are made by the person: credentials issued on behalf of ${UNA} by \\S+ cannot model-hub\\.waiver\\.create on ${MODEL_REF}; sign in and decide in the portal$`,
        ),
      );
    });

    it('refuses the requester under another spelling of their ref', async () => {
      const W = await waiver();
      const self = await post(W, 'User:default/Gina');
      expect(self.status).toBe(403);
      expect(self.body.error.message).toContain('(four-eyes)');
    });
  },
);
