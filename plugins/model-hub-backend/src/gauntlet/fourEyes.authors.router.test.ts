import { mockCredentials, TestDatabases } from '@backstage/backend-test-utils';
import { ModelVersion } from '@internal/plugin-model-hub-common';
import request from 'supertest';
import {
  GauntletRouteBackend,
  startGauntletRouteBackend,
} from '../__testUtils__/gauntletBackend';
import {
  EXAMPLE_MODEL_REF as MODEL_REF,
  exampleVersions,
} from '../__testUtils__/gauntletExample';

jest.setTimeout(180_000);

const ALICE = 'user:default/alice'; // member of group:default/marketing (owner)
const GINA = 'user:default/gina'; // governance, never touched the model
// Governance members outside the owning team now, who published the
// version (one left marketing after publishing it).
const LENA = 'user:default/lena';
const PAUL = 'user:default/paul';
const M = '/v1/models/default/sentiment-classifier';
const databases = TestDatabases.create({ ids: ['SQLITE_3', 'POSTGRES_16'] });

describe.each(databases.eachSupportedId())(
  'four-eyes against the version’s authors on %s',
  databaseId => {
    let backend: GauntletRouteBackend;
    let server: any;
    let version: ModelVersion;
    const as = (ref: string) => mockCredentials.user.header(ref);
    const api = (p: string) => `/api/model-hub${p}`;
    const post = (p: string, who: string, body: object = {}) =>
      request(server).post(api(p)).set('Authorization', as(who)).send(body);

    beforeAll(async () => {
      const versions = await exampleVersions();
      version = await versions.getVersion(MODEL_REF, '1.0.0');
      // Paul created the version, Lena uploaded its benchmark; Alice the rest.
      version.createdBy = PAUL;
      version.files = version.files.map(f =>
        f.path === 'benchmark.csv' ? { ...f, uploadedBy: LENA } : f,
      );
      backend = await startGauntletRouteBackend({
        groups: {
          [ALICE]: ['group:default/marketing'],
          [GINA]: ['group:default/ai-governance'],
          [LENA]: ['group:default/ai-governance'],
          [PAUL]: ['group:default/ai-governance'],
        },
        knex: await databases.init(databaseId),
        now: new Date('2026-12-06T10:00:00.000Z'),
        versions,
        modelHub: {
          governance: {
            group: 'group:default/ai-governance',
            requiredApprovals: 1,
          },
        },
      });
      server = backend.server;
      const run = await post(`${M}/versions/1.0.0/gauntlet/runs`, ALICE);
      if (run.status !== 202) {
        throw new Error(`The gauntlet run was not queued: ${run.text}`);
      }
      await backend.runner.drain();
    });

    afterAll(() => backend.stop());

    it('refuses an approval by whoever created the bound version or uploaded one of its files', async () => {
      const promotion = await post(`${M}/promotion-requests`, ALICE);
      expect(promotion.status).toBe(201);
      const P = `${M}/promotion-requests/${promotion.body.id}/approve`;

      const creator = await post(P, PAUL);
      expect(creator.status).toBe(403);
      expect(creator.body.error.message).toBe(
        `${PAUL} created version 1.0.0 of ${MODEL_REF} and cannot approve promotion request ${promotion.body.id} (four-eyes); another member of group:default/ai-governance must`,
      );
      const uploader = await post(P, LENA);
      expect(uploader.status).toBe(403);
      expect(uploader.body.error.message).toBe(
        `${LENA} uploaded benchmark.csv of version 1.0.0 of ${MODEL_REF} and cannot approve promotion request ${promotion.body.id} (four-eyes); another member of group:default/ai-governance must`,
      );

      const waiver = await post(`${M}/waivers`, GINA, {
        check: 'fairness',
        reason: 'no sensitive attributes are collected',
        expiresAt: '2026-12-31T00:00:00Z',
      });
      expect(waiver.status).toBe(201);
      const W = `${M}/waivers/${waiver.body.id}/approve`;
      expect((await post(W, LENA)).status).toBe(403);
      expect((await post(W, PAUL)).status).toBe(403);

      // Someone who never touched the version approves.
      const independent = await post(P, GINA);
      expect(independent.status).toBe(200);
      expect(independent.body.state).toBe('approved');
    });
  },
);
