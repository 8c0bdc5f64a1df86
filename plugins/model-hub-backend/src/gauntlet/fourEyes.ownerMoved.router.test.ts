import { mockCredentials, TestDatabases } from '@backstage/backend-test-utils';
import { Entity } from '@backstage/catalog-model';
import request from 'supertest';
import {
  GauntletRouteBackend,
  startGauntletRouteBackend,
} from '../__testUtils__/gauntletBackend';
import {
  EXAMPLE_MODEL_REF as MODEL_REF,
  exampleModel,
} from '../__testUtils__/gauntletExample';
import { catalogUser } from '../__testUtils__/orgEntities';

jest.setTimeout(180_000);

// The example model is owned by group:default/marketing.
const ALICE = 'user:default/alice'; // marketing, requests the promotion
const GOV = 'group:default/ai-governance';
const MARA = 'user:default/mara'; // governance and marketing
const MILO = 'user:default/milo'; // governance and marketing, asks a waiver
const GINA = 'user:default/gina'; // governance, outside marketing

/** The example model as the catalog serves it once its team moved it. */
const moved: Entity = {
  ...exampleModel,
  spec: { ...exampleModel.spec, owner: 'group:default/shell-co' },
};

const databases = TestDatabases.create({ ids: ['SQLITE_3', 'POSTGRES_16'] });

/*
 * The owning team asks for a promotion (or a waiver), then moves the model
 * to another owner, so that a teammate in governance approves as an
 * outsider. The owner when it was asked is recorded, and four-eyes refuses
 * that team too.
 */
describe.each(databases.eachSupportedId())(
  'four-eyes after the model moved to another owner, on %s',
  databaseId => {
    let backend: GauntletRouteBackend;
    const as = (ref: string) => mockCredentials.user.header(ref);
    const M = '/api/model-hub/v1/models/default/sentiment-classifier';
    const post = (p: string, who: string, body: object = {}) =>
      request(backend.server)
        .post(`${M}${p}`)
        .set('Authorization', as(who))
        .send(body);
    /** From now on the catalog says shell-co owns the model. */
    const moveModel = () => {
      const isModel = (e: Entity | undefined) =>
        e?.metadata.name === exampleModel.metadata.name && e.kind === 'Model';
      const byRef = backend.catalog.getEntityByRef.bind(backend.catalog);
      jest
        .spyOn(backend.catalog, 'getEntityByRef')
        .mockImplementation(async (ref, options) => {
          const entity = await byRef(ref, options);
          return isModel(entity) ? moved : entity;
        });
      const byRefs = backend.catalog.getEntitiesByRefs.bind(backend.catalog);
      jest
        .spyOn(backend.catalog, 'getEntitiesByRefs')
        .mockImplementation(async (req, options) => {
          const { items } = await byRefs(req, options);
          return { items: items.map(e => (isModel(e) ? moved : e)) };
        });
    };

    beforeAll(async () => {
      backend = await startGauntletRouteBackend({
        entities: [
          catalogUser('alice', ['marketing']),
          catalogUser('mara', ['ai-governance', 'marketing']),
          catalogUser('milo', ['ai-governance', 'marketing']),
          catalogUser('gina', ['ai-governance']),
        ],
        groups: {
          [ALICE]: ['group:default/marketing'],
          [MARA]: [GOV, 'group:default/marketing'],
          [MILO]: [GOV, 'group:default/marketing'],
          [GINA]: [GOV],
        },
        knex: await databases.init(databaseId),
        now: new Date('2026-12-06T10:00:00.000Z'),
        modelHub: { governance: { group: GOV, requiredApprovals: 1 } },
      });
      const run = await post('/versions/1.0.0/gauntlet/runs', ALICE);
      if (run.status !== 202) {
        throw new Error(`The gauntlet run was not queued: ${run.text}`);
      }
      await backend.runner.drain();
    });

    afterEach(() => jest.restoreAllMocks());

    afterAll(() => backend.stop());

    it('refuses a member of the team that owned the model when the promotion was requested', async () => {
      const promotion = await post('/promotion-requests', ALICE);
      expect(promotion.status).toBe(201);
      expect(promotion.body.requestedOwner).toBe('group:default/marketing');
      const id = promotion.body.id;

      moveModel();
      const mara = await post(`/promotion-requests/${id}/approve`, MARA);
      expect(mara.status).toBe(403);
      expect(mara.body.error.message).toBe(
        `${MARA} is a member of group:default/marketing, which owned ${MODEL_REF} when promotion request ${id} was requested; promotion request ${id} needs an approver from outside the owning team (four-eyes)`,
      );
      expect(
        (await post(`/promotion-requests/${id}/reject`, MARA)).status,
      ).toBe(403);

      // Someone outside both teams decides.
      const gina = await post(`/promotion-requests/${id}/approve`, GINA);
      expect(gina.status).toBe(200);
      expect(gina.body.state).toBe('approved');
    });

    it('refuses a member of the team that owned the model when the waiver was asked for', async () => {
      const asked = await post('/waivers', MILO, {
        check: 'fairness',
        reason: 'no sensitive attributes are collected',
        expiresAt: '2026-12-31T00:00:00Z',
      });
      expect(asked.status).toBe(201);
      expect(asked.body.requestedOwner).toBe('group:default/marketing');

      moveModel();
      const mara = await post(`/waivers/${asked.body.id}/approve`, MARA);
      expect(mara.status).toBe(403);
      expect(mara.body.error.message).toContain(
        `which owned ${MODEL_REF} when waiver ${asked.body.id}`,
      );
      expect(
        (await post(`/waivers/${asked.body.id}/approve`, GINA)).status,
      ).toBe(200);
    });
  },
);
