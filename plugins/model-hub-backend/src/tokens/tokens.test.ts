import {
  mockCredentials,
  TestDatabaseId,
  TestDatabases,
} from '@backstage/backend-test-utils';
import { Entity } from '@backstage/catalog-model';
import {
  MODEL_HUB_SHA256_HEADER,
  modelHubApiPaths,
  modelHubTokenPaths,
} from '@internal/plugin-model-hub-common';
import request from 'supertest';
import { sha256 } from '../__testUtils__/fixtures';
import { CapturedAuditEvent } from '../__testUtils__/auditor';
import {
  ModelHubTestBackend,
  ownersPublishPolicy,
  startModelHubTestBackend,
} from '../__testUtils__/modelHubBackend';

jest.setTimeout(120_000);

const ALICE = 'user:default/alice'; // member of group:default/ml-team
const GHOST = 'user:default/ghost'; // not in the catalog
const MODEL_REF = 'model:default/support-assistant';
const OTHER_REF = 'model:default/fraud-detector';

const entities: Entity[] = [
  {
    apiVersion: 'modelhub.io/v1alpha1',
    kind: 'Model',
    metadata: { name: 'support-assistant', namespace: 'default' },
    spec: { owner: 'ml-team', type: 'llm', lifecycle: 'production' },
  },
  {
    apiVersion: 'modelhub.io/v1alpha1',
    kind: 'Model',
    metadata: { name: 'fraud-detector', namespace: 'default' },
    spec: { owner: 'risk-team', type: 'classifier', lifecycle: 'production' },
  },
  {
    apiVersion: 'backstage.io/v1alpha1',
    kind: 'User',
    metadata: { name: 'alice', namespace: 'default' },
    spec: { memberOf: ['ml-team'] },
  },
];

const databases = TestDatabases.create({ ids: ['SQLITE_3', 'POSTGRES_16'] });

describe.each(databases.eachSupportedId())(
  'personal access tokens over HTTP (%p)',
  (databaseId: TestDatabaseId) => {
    let backend: ModelHubTestBackend;
    let server: any;
    let knex: any;
    let audit: CapturedAuditEvent[] = [];
    const api = (p: string) => `/api/model-hub${p}`;
    const asAlice = mockCredentials.user.header(ALICE);
    const staticToken = mockCredentials.service.header({
      onBehalfOf: mockCredentials.service('model-hub-local-cli'),
      targetPluginId: 'model-hub',
    });
    const ciToken = mockCredentials.service.header({
      onBehalfOf: mockCredentials.service('model-hub-ci'),
      targetPluginId: 'model-hub',
    });

    beforeAll(async () => {
      knex = await databases.init(databaseId);
      backend = await startModelHubTestBackend({
        entities,
        groups: { [ALICE]: ['group:default/ml-team'] },
        policy: ownersPublishPolicy(),
        knex,
        modelHub: {
          tokens: { maxExpiryDays: 30, defaultExpiryDays: 7 },
          servicePrincipals: [
            {
              subject: 'model-hub-ci',
              teams: ['ml-team'],
              actions: ['model-hub.version.create'],
            },
          ],
        },
      });
      server = backend.server;
      audit = backend.audit;
    });

    afterAll(async () => {
      await backend?.stop();
    });

    async function createToken(
      auth: string,
      body: object,
    ): Promise<request.Response> {
      return request(server)
        .post(api(modelHubTokenPaths.tokens))
        .set('Authorization', auth)
        .send(body);
    }

    it('creates a token shown once, stored only as a keyed hash', async () => {
      const res = await createToken(asAlice, {
        name: 'laptop',
        scopes: ['publish'],
      });
      expect(res.status).toBe(201);
      expect(res.headers['cache-control']).toBe('no-store');
      expect(res.body.token).toMatch(/^mhp_[0-9a-f]{16}_[\w-]{43}$/);
      expect(res.body.hfToken).toBe(`hf_${res.body.token.slice(4)}`);
      expect(res.body.owner).toBe(ALICE);
      const days =
        (Date.parse(res.body.expiresAt) - Date.parse(res.body.createdAt)) /
        86_400_000;
      expect(days).toBe(7);

      const list = await request(server)
        .get(api(modelHubTokenPaths.tokens))
        .set('Authorization', asAlice);
      expect(list.status).toBe(200);
      const listed = list.body.items.find((t: any) => t.id === res.body.id);
      expect(listed).toMatchObject({ name: 'laptop', scopes: ['publish'] });
      expect(JSON.stringify(list.body)).not.toContain(res.body.token.slice(22));
      const row = await knex('model_hub_access_tokens')
        .where({ id: res.body.id })
        .first();
      expect(JSON.stringify(row)).not.toContain(res.body.token.slice(22));
      expect(row.secret_hash).toMatch(/^[0-9a-f]{64}$/);
    });

    it('refuses an expiry past modelHub.tokens.maxExpiryDays and unknown scopes', async () => {
      const tooLong = await createToken(asAlice, {
        name: 'x',
        scopes: ['read'],
        expiresInDays: 31,
      });
      expect(tooLong.status).toBe(400);
      expect(tooLong.body.error.message).toContain('maxExpiryDays');
      const badScope = await createToken(asAlice, {
        name: 'x',
        scopes: ['root'],
      });
      expect(badScope.status).toBe(400);
      const none = await createToken(asAlice, { name: 'x', scopes: [] });
      expect(none.status).toBe(400);
    });

    it('makes the token owner the principal: the policy, the version record and the audit log see alice', async () => {
      const { body } = await createToken(asAlice, {
        name: 'publisher',
        scopes: ['publish'],
      });
      const asToken = `Bearer ${body.token}`;
      const created = await request(server)
        .post(api(modelHubApiPaths.versions(MODEL_REF)))
        .set('Authorization', asToken)
        .send({ version: '1.0.0' });
      expect(created.status).toBe(201);
      expect(created.body.createdBy).toBe(ALICE);
      const bytes = Buffer.from('weights');
      const uploaded = await request(server)
        .put(api(modelHubApiPaths.file(MODEL_REF, '1.0.0', 'model.bin')))
        .set('Authorization', asToken)
        .set('Content-Type', 'application/octet-stream')
        .set(MODEL_HUB_SHA256_HEADER, sha256(bytes))
        .send(bytes);
      expect(uploaded.status).toBe(201);
      expect(uploaded.body.uploadedBy).toBe(ALICE);
      // The owner policy applies to the token's user: alice is not in risk-team.
      const other = await request(server)
        .post(api(modelHubApiPaths.versions(OTHER_REF)))
        .set('Authorization', asToken)
        .send({ version: '1.0.0' });
      expect(other.status).toBe(403);

      // The Hugging Face form of the same token is the same credential.
      const viaHf = await request(server)
        .get(api(modelHubApiPaths.versions(MODEL_REF)))
        .set('Authorization', `Bearer ${body.hfToken}`);
      expect(viaHf.status).toBe(200);
      expect(viaHf.body.items.map((v: any) => v.version)).toContain('1.0.0');

      // Token management through a token needs the admin scope.
      const escalate = await createToken(asToken, {
        name: 'more',
        scopes: ['admin'],
      });
      expect(escalate.status).toBe(403);
      expect(escalate.body.error.message).toContain('admin scope');

      // Audit: token creation by alice's session, the token's calls as alice.
      const create = audit.find(
        e =>
          e.eventId === 'token-create' && (e.meta as any).tokenId === body.id,
      );
      expect(create?.actor).toBe(ALICE);
    });

    it('refuses to create a token through a token, even an admin one (a stolen token would outlive its revocation)', async () => {
      const { body: parent } = await createToken(asAlice, {
        name: 'admin for a day',
        scopes: ['admin'],
        expiresInDays: 1,
      });
      const asParent = `Bearer ${parent.token}`;
      for (const auth of [asParent, `Bearer ${parent.hfToken}`]) {
        const child = await createToken(auth, {
          name: 'persistence',
          scopes: ['admin'],
          expiresInDays: 30,
        });
        expect(child.status).toBe(403);
        expect(child.body.error.message).toBe(
          'A personal access token cannot create tokens; sign in to the portal and create one on the page /model-hub/tokens',
        );
      }
      // Listing and revoking through the token still work; the refusal is audited as alice.
      const list = await request(server)
        .get(api(modelHubTokenPaths.tokens))
        .set('Authorization', asParent);
      expect(list.status).toBe(200);
      expect(
        list.body.items.filter((t: any) => t.name === 'persistence'),
      ).toEqual([]);
      const refused = audit.filter(
        e =>
          e.eventId === 'token-create' &&
          (e.meta as any).name === 'persistence',
      );
      expect(refused.map(e => [e.actor, e.outcome])).toEqual([
        [ALICE, 'failure'],
        [ALICE, 'failure'],
      ]);
      const revoked = await request(server)
        .delete(api(modelHubTokenPaths.token(parent.id)))
        .set('Authorization', asParent);
      expect(revoked.status).toBe(200);
    });

    it('keeps a read token from mutating', async () => {
      const { body } = await createToken(asAlice, {
        name: 'reader',
        scopes: ['read'],
      });
      const asToken = `Bearer ${body.token}`;
      const read = await request(server)
        .get(api(modelHubApiPaths.versions(MODEL_REF)))
        .set('Authorization', asToken);
      expect(read.status).toBe(200);
      for (const [method, p] of [
        ['post', modelHubApiPaths.versions(MODEL_REF)],
        ['put', modelHubApiPaths.alias(MODEL_REF, 'latest')],
        ['post', modelHubApiPaths.seal(MODEL_REF, '1.0.0')],
        ['put', modelHubApiPaths.deprecation(MODEL_REF)],
        ['delete', modelHubTokenPaths.token(body.id)],
      ] as const) {
        const res = await (request(server) as any)
          [method](api(p))
          .set('Authorization', asToken)
          .send({ version: '1.0.0' });
        expect({ method, p, status: res.status }).toEqual({
          method,
          p,
          status: 403,
        });
        expect(res.body.error.message).toMatch(/scope \(read\) does not allow/);
      }
    });

    it('answers one-line 401s for revoked, unknown, malformed and ex-member tokens', async () => {
      const { body } = await createToken(asAlice, {
        name: 'to revoke',
        scopes: ['read'],
      });
      const revoked = await request(server)
        .delete(api(modelHubTokenPaths.token(body.id)))
        .set('Authorization', asAlice);
      expect(revoked.status).toBe(200);
      expect(revoked.body.revokedAt).toBeDefined();
      expect(
        audit.some(e => e.eventId === 'token-revoke' && e.actor === ALICE),
      ).toBe(true);
      const after = await request(server)
        .get(api(modelHubApiPaths.versions(MODEL_REF)))
        .set('Authorization', `Bearer ${body.hfToken}`);
      expect(after.status).toBe(401);
      expect(after.body.error.message).toMatch(
        /^Personal access token 'to revoke' was revoked at .*; create a new one/,
      );
      expect(after.body.error.message).not.toContain('\n');

      const wrongSecret = `${body.token.slice(0, -4)}AAAA`;
      for (const token of [wrongSecret, 'mhp_nonsense', 'hf_abc']) {
        const res = await request(server)
          .get(api(modelHubApiPaths.versions(MODEL_REF)))
          .set('Authorization', `Bearer ${token}`);
        expect(res.status).toBe(401);
      }

      // A token of someone who is not (any longer) in the catalog.
      const ghost = await createToken(mockCredentials.user.header(GHOST), {
        name: 'ghost',
        scopes: ['read'],
      });
      expect(ghost.status).toBe(201);
      const res = await request(server)
        .get(api(modelHubApiPaths.versions(MODEL_REF)))
        .set('Authorization', `Bearer ${ghost.body.token}`);
      expect(res.status).toBe(401);
      expect(res.body.error.message).toContain('no longer in the catalog');
    });

    it('answers 401 for an expired token', async () => {
      const { body } = await createToken(asAlice, {
        name: 'short',
        scopes: ['read'],
        expiresInDays: 1,
      });
      await knex('model_hub_access_tokens')
        .where({ id: body.id })
        .update({ expires_at: new Date(Date.now() - 1000) });
      const res = await request(server)
        .get(api(modelHubApiPaths.versions(MODEL_REF)))
        .set('Authorization', `Bearer ${body.token}`);
      expect(res.status).toBe(401);
      expect(res.body.error.message).toMatch(/expired at/);
    });

    it('revokes only the caller\u2019s own tokens', async () => {
      const { body } = await createToken(asAlice, {
        name: 'mine',
        scopes: ['read'],
      });
      const res = await request(server)
        .delete(api(modelHubTokenPaths.token(body.id)))
        .set('Authorization', mockCredentials.user.header('user:default/bob'));
      expect(res.status).toBe(404);
    });

    it('keeps service principals read-only unless granted, and audits the granted principal', async () => {
      const read = await request(server)
        .get(api(modelHubApiPaths.versions(MODEL_REF)))
        .set('Authorization', staticToken);
      expect(read.status).toBe(200);
      const write = await request(server)
        .post(api(modelHubApiPaths.versions(MODEL_REF)))
        .set('Authorization', staticToken)
        .send({ version: '2.0.0' });
      expect(write.status).toBe(403);
      expect(write.body.error.message).toContain('read-only');

      const granted = await request(server)
        .post(api(modelHubApiPaths.versions(MODEL_REF)))
        .set('Authorization', ciToken)
        .send({ version: '3.0.0' });
      expect(granted.status).toBe(201);
      expect(granted.body.createdBy).toBe('model-hub-ci');
      // Not granted: another team's model, and an action outside the grant.
      const otherTeam = await request(server)
        .post(api(modelHubApiPaths.versions(OTHER_REF)))
        .set('Authorization', ciToken)
        .send({ version: '1.0.0' });
      expect(otherTeam.status).toBe(403);
      const alias = await request(server)
        .put(api(modelHubApiPaths.alias(MODEL_REF, 'stable')))
        .set('Authorization', ciToken)
        .send({ version: '3.0.0' });
      expect(alias.status).toBe(403);
      const tokens = await createToken(ciToken, {
        name: 'x',
        scopes: ['read'],
      });
      expect(tokens.status).toBe(403);
    });
  },
);
