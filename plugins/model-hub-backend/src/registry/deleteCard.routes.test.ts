import { mockCredentials, TestDatabases } from '@backstage/backend-test-utils';
import {
  MODEL_HUB_SHA256_HEADER,
  modelHubApiPaths,
} from '@internal/plugin-model-hub-common';
import { Knex } from 'knex';
import request from 'supertest';
import { sha256 } from '../__testUtils__/fixtures';
import {
  ModelHubTestBackend,
  registrantsPolicy,
  startModelHubTestBackend,
} from '../__testUtils__/modelHubBackend';
import {
  catalogModel,
  registration,
  REGISTRY_CATALOG,
} from '../__testUtils__/registryEntities';
import { MODEL_STATE_TABLES } from './ModelCardDeletion';

jest.setTimeout(120_000);

const ALICE = 'user:default/alice'; // ml-team: the first registrant
const BOB = 'user:default/bob'; // marketing: registers the name next
const GOV = 'user:default/gina'; // ai-governance
const GROUPS: Record<string, string[]> = {
  [ALICE]: ['group:default/ml-team'],
  [BOB]: ['group:default/marketing'],
  [GOV]: ['group:default/ai-governance'],
};
const NAME = 'card-model';
const REF = `model:default/${NAME}`;
const VERSIONED = 'versioned-model';

const databases = TestDatabases.create({ ids: ['SQLITE_3', 'POSTGRES_16'] });

describe.each(databases.eachSupportedId())(
  'deleting a model card on %s',
  databaseId => {
    let server: any;
    let knex: Knex;
    let backend: ModelHubTestBackend;
    const as = (user: string) => mockCredentials.user.header(user);
    const api = (p: string) => `/api/model-hub${p}`;
    const model = (name: string, p: string) =>
      api(`/v1/models/default/${name}${p}`);
    const card = (name: string) => api(`/v1/registered-models/default/${name}`);

    beforeAll(async () => {
      knex = await databases.init(databaseId);
      backend = await startModelHubTestBackend({
        entities: [
          ...REGISTRY_CATALOG,
          {
            apiVersion: 'backstage.io/v1alpha1',
            kind: 'Group',
            metadata: { name: 'ai-governance', namespace: 'default' },
            spec: { type: 'team', children: [] },
          },
          ...[NAME, VERSIONED].map(name =>
            catalogModel(
              name,
              `model-hub:http://localhost:7007/api/model-hub/v1/registered-models/default/${name}`,
            ),
          ),
        ],
        groups: GROUPS,
        policy: registrantsPolicy(),
        knex,
      });
      server = backend.server;
    });

    // Before the test database goes: the gauntlet worker still polls it.
    afterAll(() => backend.stop());

    const register = (user: string, name: string, owner: string) =>
      request(server)
        .post(api('/v1/registered-models'))
        .set('Authorization', as(user))
        .send(registration(name, { owner }));

    it('classifies every table that holds hub state by entity_ref', async () => {
      const tables: string[] =
        knex.client.config.client === 'pg'
          ? (
              await knex('information_schema.tables')
                .where({ table_schema: 'public' })
                .select('table_name')
            ).map(r => r.table_name)
          : (
              await knex('sqlite_master')
                .where({ type: 'table' })
                .select('name')
            ).map(r => r.name);
      const withEntityRef: string[] = [];
      for (const table of tables) {
        if (await knex.schema.hasColumn(table, 'entity_ref')) {
          withEntityRef.push(table);
        }
      }
      const classified = [
        ...MODEL_STATE_TABLES.blocking,
        ...MODEL_STATE_TABLES.purged,
        ...MODEL_STATE_TABLES.kept,
      ];
      expect([...new Set(withEntityRef)].sort()).toEqual(
        [...classified].sort(),
      );
    });

    it('takes everything granted to the name with the card: a new registrant inherits nothing', async () => {
      expect(
        (await register(ALICE, NAME, 'group:default/ml-team')).status,
      ).toBe(201);
      // The first registrant's model earns history: a promotion request and
      // a waiver from governance.
      const promotion = await request(server)
        .post(model(NAME, '/promotion-requests'))
        .set('Authorization', as(ALICE))
        .send({ tier: 'official', comment: 'ready' });
      expect(promotion.status).toBe(201);
      const waiver = await request(server)
        .post(model(NAME, '/waivers'))
        .set('Authorization', as(GOV))
        .send({
          check: 'fairness',
          reason: 'no protected attributes in this data',
          expiresAt: new Date(Date.now() + 7 * 86_400_000).toISOString(),
        });
      expect(waiver.status).toBe(201);
      const read = (user: string, p: string) =>
        request(server).get(model(NAME, p)).set('Authorization', as(user));
      expect((await read(ALICE, '/waivers')).body.items).toHaveLength(1);

      const deleted = await request(server)
        .delete(card(NAME))
        .set('Authorization', as(ALICE));
      expect(deleted.status).toBe(204);
      expect(
        (await request(server).get(card(NAME)).set('Authorization', as(ALICE)))
          .status,
      ).toBe(404);

      expect(
        (await register(BOB, NAME, 'group:default/marketing')).status,
      ).toBe(201);
      expect((await read(BOB, '/versions')).body.items).toEqual([]);
      expect((await read(BOB, '/promotion-requests')).body.items).toEqual([]);
      expect((await read(BOB, '/waivers')).body.items).toEqual([]);
      expect(await knex('gauntlet_tiers').where({ entity_ref: REF })).toEqual(
        [],
      );
    });

    it('refuses to delete a card while the model has versions', async () => {
      const ref = `model:default/${VERSIONED}`;
      expect(
        (await register(ALICE, VERSIONED, 'group:default/ml-team')).status,
      ).toBe(201);
      const bytes = Buffer.from('weights of the versioned model');
      expect(
        (
          await request(server)
            .post(api(modelHubApiPaths.versions(ref)))
            .set('Authorization', as(ALICE))
            .send({ version: '1.0.0' })
        ).status,
      ).toBe(201);
      expect(
        (
          await request(server)
            .put(api(modelHubApiPaths.file(ref, '1.0.0', 'w.bin')))
            .set('Authorization', as(ALICE))
            .set('Content-Type', 'application/octet-stream')
            .set(MODEL_HUB_SHA256_HEADER, sha256(bytes))
            .send(bytes)
        ).status,
      ).toBe(201);
      // A draft counts too: it would otherwise pass to the next registrant.
      const asDraft = await request(server)
        .delete(card(VERSIONED))
        .set('Authorization', as(ALICE));
      expect(asDraft.status).toBe(409);
      expect(
        (
          await request(server)
            .post(api(modelHubApiPaths.seal(ref, '1.0.0')))
            .set('Authorization', as(ALICE))
        ).status,
      ).toBe(200);
      const refused = await request(server)
        .delete(card(VERSIONED))
        .set('Authorization', as(ALICE));
      expect(refused.status).toBe(409);
      expect(refused.body.error.message).toContain(`${ref} has 1 version(s)`);
      expect(refused.body.error.message).toContain('deprecate the model');
      expect(
        (
          await request(server)
            .get(card(VERSIONED))
            .set('Authorization', as(ALICE))
        ).status,
      ).toBe(200);
      expect(
        (
          await request(server)
            .get(api(modelHubApiPaths.versions(ref)))
            .set('Authorization', as(ALICE))
        ).body.items,
      ).toHaveLength(1);
    });
  },
);
