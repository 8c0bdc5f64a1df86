/*
 * The permission matrix over HTTP: every publishing and token route × every
 * kind of caller, with the status each must get and, for every allowed call,
 * the person or granted principal the hub records. Rows are a table so the
 * routes other branches add (governance, four-eyes) can be appended.
 */
import fs from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { createBackendModule } from '@backstage/backend-plugin-api';
import {
  mockCredentials,
  mockServices,
  startTestBackend,
  TestDatabases,
} from '@backstage/backend-test-utils';
import { Entity } from '@backstage/catalog-model';
import { catalogServiceMock } from '@backstage/plugin-catalog-node/testUtils';
import permissionBackend from '@backstage/plugin-permission-backend';
import { AuthorizeResult } from '@backstage/plugin-permission-common';
import { policyExtensionPoint } from '@backstage/plugin-permission-node/alpha';
import {
  isModelHubOwnerPermission,
  MODEL_HUB_SHA256_HEADER,
  modelHubApiPaths,
  modelHubTokenPaths,
} from '@internal/plugin-model-hub-common';
import request from 'supertest';
import {
  createModelHubConditionalDecision,
  modelHubConditions,
} from '../permissions/rules';
import { modelHubPlugin } from '../plugin';
import { sha256 } from '../__testUtils__/fixtures';
import {
  capturingAuditorFactory,
  CapturedAuditEvent,
} from '../__testUtils__/auditor';
import {
  testModelHubHttpAuthServiceFactory,
  testUserTokenIssuerFactory,
} from '../__testUtils__/httpAuth';

jest.setTimeout(120_000);

const OWNER = 'user:default/alice'; // ml-team, owns the model
const OTHER = 'user:default/bob'; // risk-team
const MODEL = 'model:default/support-assistant';

const entities: Entity[] = [
  {
    apiVersion: 'modelhub.io/v1alpha1',
    kind: 'Model',
    metadata: { name: 'support-assistant', namespace: 'default' },
    spec: { owner: 'ml-team', type: 'llm', lifecycle: 'production' },
  },
  ...['alice', 'bob'].map(name => ({
    apiVersion: 'backstage.io/v1alpha1',
    kind: 'User',
    metadata: { name, namespace: 'default' },
    spec: {},
  })),
];

/** The portal policy's shape for these routes: owner permissions for owners. */
const policyModule = createBackendModule({
  pluginId: 'permission',
  moduleId: 'matrix-policy',
  register(env) {
    env.registerInit({
      deps: { policy: policyExtensionPoint },
      async init({ policy }) {
        policy.setPolicy({
          async handle(query, user) {
            if (isModelHubOwnerPermission(query.permission)) {
              return createModelHubConditionalDecision(
                query.permission,
                modelHubConditions.isModelOwner({
                  claims: user?.info.ownershipEntityRefs ?? [],
                }),
              );
            }
            return { result: AuthorizeResult.ALLOW };
          },
        });
      },
    });
  },
});

type Caller =
  | 'unauthenticated'
  | 'otherTeamUser'
  | 'owner'
  | 'ownerPublishPat'
  | 'readOnlyService'
  | 'grantedService'
  | 'revokedPat'
  | 'expiredPat';

/** What the hub must record as the actor of an allowed call, per caller. */
const ACTOR: Partial<Record<Caller, string>> = {
  owner: OWNER,
  ownerPublishPat: OWNER,
  grantedService: 'model-hub-ci',
};

interface Row {
  route: string;
  /** Sends the request; `n` makes names unique per caller. */
  send(
    agent: ReturnType<typeof request>,
    auth: string | undefined,
    n: number,
  ): request.Test;
  /** The recorded actor of an allowed call (response field or audit event). */
  actor?(
    res: request.Response,
    audit: CapturedAuditEvent[],
  ): string | undefined;
  expected: Record<Caller, number>;
}

const withAuth = (t: request.Test, auth?: string) =>
  auth ? t.set('Authorization', auth) : t;
const api = (p: string) => `/api/model-hub${p}`;

// Cells as of today; the four-eyes branch adds promotion/waiver rows.
const rows: Row[] = [
  {
    route: 'POST versions (draft)',
    send: (a, auth, n) =>
      withAuth(a.post(api(modelHubApiPaths.versions(MODEL))), auth).send({
        version: `1.0.${n}`,
      }),
    actor: res => res.body.createdBy,
    expected: {
      unauthenticated: 401,
      otherTeamUser: 403,
      owner: 201,
      ownerPublishPat: 201,
      readOnlyService: 403,
      grantedService: 201,
      revokedPat: 401,
      expiredPat: 401,
    },
  },
  {
    route: 'PUT file (upload)',
    send: (a, auth) =>
      withAuth(
        a
          .put(api(modelHubApiPaths.file(MODEL, '0.0.1', 'model.bin')))
          .set('Content-Type', 'application/octet-stream')
          .set(MODEL_HUB_SHA256_HEADER, sha256(Buffer.from('w'))),
        auth,
      ).send(Buffer.from('w')),
    actor: res => res.body.uploadedBy,
    expected: {
      unauthenticated: 401,
      otherTeamUser: 403,
      owner: 201,
      ownerPublishPat: 201,
      readOnlyService: 403,
      // The draft belongs to the owner who opened it (transactional
      // publishing): even a granted service may not add files to it.
      grantedService: 403,
      revokedPat: 401,
      expiredPat: 401,
    },
  },
  {
    route: 'PUT alias',
    send: (a, auth) =>
      withAuth(a.put(api(modelHubApiPaths.alias(MODEL, 'stable'))), auth).send({
        version: '0.0.0',
      }),
    // The alias answer does not name who set it (no audit event either yet).
    expected: {
      unauthenticated: 401,
      otherTeamUser: 403,
      owner: 200,
      ownerPublishPat: 200,
      readOnlyService: 403,
      // The grant names model-hub.version.create only.
      grantedService: 403,
      revokedPat: 401,
      expiredPat: 401,
    },
  },
  {
    route: 'POST tokens (create)',
    send: (a, auth, n) =>
      withAuth(a.post(api(modelHubTokenPaths.tokens)), auth).send({
        name: `t${n}`,
        scopes: ['read'],
      }),
    actor: (res, audit) =>
      audit.find(
        e =>
          e.eventId === 'token-create' &&
          (e.meta as any).tokenId === res.body.id,
      )?.actor,
    expected: {
      unauthenticated: 401,
      // Anyone signed in manages their own tokens.
      otherTeamUser: 201,
      owner: 201,
      // Through a token, token management needs the admin scope.
      ownerPublishPat: 403,
      readOnlyService: 403,
      grantedService: 403,
      revokedPat: 401,
      expiredPat: 401,
    },
  },
];

const databases = TestDatabases.create({ ids: ['SQLITE_3'] });

describe('permission matrix over HTTP', () => {
  let server: any;
  let knex: any;
  let dataDir: string;
  const audit: CapturedAuditEvent[] = [];
  const auth: Partial<Record<Caller, string | undefined>> = {};

  beforeAll(async () => {
    dataDir = await fs.mkdtemp(path.join(os.tmpdir(), 'model-hub-matrix-'));
    knex = await databases.init('SQLITE_3');
    const database = mockServices.database.factory({ knex });
    const backend = await startTestBackend({
      features: [
        modelHubPlugin,
        permissionBackend,
        policyModule,
        catalogServiceMock.factory({ entities }),
        mockServices.userInfo.mock({
          async getUserInfo(credentials) {
            const ref = (credentials.principal as { userEntityRef: string })
              .userEntityRef;
            const team = ref === OWNER ? 'ml-team' : 'risk-team';
            return {
              userEntityRef: ref,
              ownershipEntityRefs: [ref, `group:default/${team}`],
            };
          },
        }).factory,
        testModelHubHttpAuthServiceFactory,
        testUserTokenIssuerFactory,
        capturingAuditorFactory(audit),
        database,
        mockServices.rootConfig.factory({
          data: {
            permission: { enabled: true },
            modelHub: {
              servicePrincipals: [
                {
                  subject: 'model-hub-ci',
                  teams: ['ml-team'],
                  actions: ['model-hub.version.create'],
                },
              ],
              artifacts: {
                stagingDirectory: path.join(dataDir, 'staging'),
                local: { directory: path.join(dataDir, 'artifacts') },
              },
            },
          },
        }),
      ],
    });
    server = backend.server;
    const owner = mockCredentials.user.header(OWNER);
    const token = async (scopes: string[]) =>
      (
        await request(server)
          .post(api(modelHubTokenPaths.tokens))
          .set('Authorization', owner)
          .send({ name: scopes.join('+'), scopes })
      ).body;
    const publish = await token(['publish']);
    const revoked = await token(['admin']);
    await request(server)
      .delete(api(modelHubTokenPaths.token(revoked.id)))
      .set('Authorization', owner);
    const expired = await token(['admin']);
    await knex('model_hub_access_tokens')
      .where({ id: expired.id })
      .update({ expires_at: new Date(Date.now() - 1000) });
    const service = (subject: string) =>
      mockCredentials.service.header({
        onBehalfOf: mockCredentials.service(subject),
        targetPluginId: 'model-hub',
      });
    Object.assign(auth, {
      unauthenticated: undefined,
      otherTeamUser: mockCredentials.user.header(OTHER),
      owner,
      ownerPublishPat: `Bearer ${publish.token}`,
      readOnlyService: service('model-hub-local-cli'),
      grantedService: service('model-hub-ci'),
      revokedPat: `Bearer ${revoked.token}`,
      expiredPat: `Bearer ${expired.hfToken}`,
    });
    // Fixtures: a draft to upload into, a sealed version to alias.
    for (const v of ['0.0.0', '0.0.1']) {
      await request(server)
        .post(api(modelHubApiPaths.versions(MODEL)))
        .set('Authorization', owner)
        .send({ version: v });
    }
    await request(server)
      .put(api(modelHubApiPaths.file(MODEL, '0.0.0', 'a.bin')))
      .set('Authorization', owner)
      .set('Content-Type', 'application/octet-stream')
      .set(MODEL_HUB_SHA256_HEADER, sha256(Buffer.from('a')))
      .send(Buffer.from('a'));
    await request(server)
      .post(api(modelHubApiPaths.seal(MODEL, '0.0.0')))
      .set('Authorization', owner);
  });

  afterAll(async () => {
    await fs.rm(dataDir, { recursive: true, force: true });
  });

  const callers = Object.keys(rows[0].expected) as Caller[];
  let n = 0;

  describe.each(rows.map(r => [r.route, r] as const))('%s', (_route, row) => {
    it.each(callers)('as %s', async caller => {
      const res = await row.send(request(server), auth[caller], ++n);
      const failed = res.status >= 300;
      // Refusals are one line; allowed calls are audited as the person or
      // the granted principal.
      expect({
        caller,
        status: res.status,
        oneLineError: failed
          ? !String(res.body?.error?.message).includes('\n')
          : true,
        actor: !failed && row.actor ? row.actor(res, audit) : undefined,
      }).toEqual({
        caller,
        status: row.expected[caller],
        oneLineError: true,
        actor: !failed && row.actor ? ACTOR[caller] ?? OTHER : undefined,
      });
    });
  });
});
