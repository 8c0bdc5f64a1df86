import { mockCredentials, TestDatabases } from '@backstage/backend-test-utils';
import request from 'supertest';
import {
  GauntletRouteBackend,
  startGauntletRouteBackend,
} from '../__testUtils__/gauntletBackend';
import { exampleVersions } from '../__testUtils__/gauntletExample';
import { TestGroups } from '../__testUtils__/modelHubBackend';

jest.setTimeout(180_000);

const ALICE = 'user:default/alice'; // member of group:default/marketing (owner)
const GINA = 'user:default/gina'; // governance
const HANS = 'user:default/hans'; // governance
const GINA_CASED = 'user:default/Gina'; // Gina again, spelt another way
const M = '/v1/models/default/sentiment-classifier';
const databases = TestDatabases.create({ ids: ['SQLITE_3', 'POSTGRES_16'] });

/**
 * Holds each replica's approval insert until `count` of them arrived, so
 * every approver read the approvals before any was recorded.
 */
function barrier(count: number) {
  let arrived = 0;
  let open!: () => void;
  const opened = new Promise<void>(resolve => {
    open = resolve;
  });
  return async () => {
    arrived += 1;
    if (arrived >= count) open();
    await opened;
  };
}

describe.each(databases.eachSupportedId())(
  'four-eyes approvals racing on two replicas on %s (2 approvals required)',
  databaseId => {
    let one: GauntletRouteBackend;
    let two: GauntletRouteBackend;
    const as = (ref: string) => mockCredentials.user.header(ref);
    const api = (p: string) => `/api/model-hub${p}`;
    const post = (
      replica: GauntletRouteBackend,
      p: string,
      who: string,
      body: object = {},
    ) =>
      request(replica.server)
        .post(api(p))
        .set('Authorization', as(who))
        .send(body);
    /** Makes both replicas' next approvals wait for each other. */
    const race = () => {
      const wait = barrier(2);
      for (const replica of [one, two]) {
        const approvals = replica.runner.store.approvals;
        const add = approvals.add.bind(approvals);
        jest.spyOn(approvals, 'add').mockImplementationOnce(async o => {
          await wait();
          return add(o);
        });
      }
    };

    beforeAll(async () => {
      const knex = await databases.init(databaseId);
      const groups: TestGroups = {
        [ALICE]: ['group:default/marketing'],
        [GINA]: ['group:default/ai-governance'],
        [HANS]: ['group:default/ai-governance'],
        [GINA_CASED]: ['group:default/ai-governance'],
      };
      const start = async () =>
        startGauntletRouteBackend({
          groups,
          knex,
          now: new Date('2026-12-06T10:00:00.000Z'),
          versions: await exampleVersions(),
          modelHub: {
            governance: {
              group: 'group:default/ai-governance',
              requiredApprovals: 2,
            },
          },
        });
      one = await start();
      two = await start();
      const run = await post(one, `${M}/versions/1.0.0/gauntlet/runs`, ALICE);
      if (run.status !== 202) {
        throw new Error(`The gauntlet run was not queued: ${run.text}`);
      }
      await one.runner.drain();
    });

    afterAll(async () => {
      await one.stop();
      await two.stop();
    });

    it('approves a promotion whose two approvals came in at once on two replicas', async () => {
      const promotion = await post(one, `${M}/promotion-requests`, ALICE);
      expect(promotion.status).toBe(201);
      const P = `${M}/promotion-requests/${promotion.body.id}/approve`;
      race();
      const [gina, hans] = await Promise.all([
        post(one, P, GINA),
        post(two, P, HANS),
      ]);
      expect([gina.status, hans.status]).toEqual([200, 200]);
      const after = await request(one.server)
        .get(api(`${M}/gauntlet`))
        .set('Authorization', as(ALICE));
      const p = after.body.approvals.find(
        (x: { id: number }) => x.id === promotion.body.id,
      );
      expect(p.approvals).toHaveLength(2);
      expect(p.state).toBe('approved');
      expect([gina.body.state, hans.body.state]).toContain('approved');
    });

    it('counts one approver approving on both replicas at once (in any letter case) once', async () => {
      // Withdraw what the previous test left pending, to ask afresh.
      const before = await request(one.server)
        .get(api(`${M}/gauntlet`))
        .set('Authorization', as(ALICE));
      for (const p of before.body.approvals) {
        if (p.state !== 'pending') continue;
        const Wd = `${M}/promotion-requests/${p.id}/withdraw`;
        expect((await post(one, Wd, ALICE)).status).toBe(200);
      }
      const promotion = await post(one, `${M}/promotion-requests`, ALICE);
      expect(promotion.status).toBe(201);
      const P = `${M}/promotion-requests/${promotion.body.id}/approve`;
      race();
      const both = await Promise.all([
        post(one, P, GINA),
        post(two, P, GINA_CASED),
      ]);
      expect(both.map(r => r.status)).toEqual([200, 200]);
      expect(both.map(r => r.body.state)).toEqual(['pending', 'pending']);
      const after = await request(one.server)
        .get(api(`${M}/gauntlet`))
        .set('Authorization', as(ALICE));
      const p = after.body.approvals.find(
        (x: { id: number }) => x.id === promotion.body.id,
      );
      expect(p.state).toBe('pending');
    });
  },
);
