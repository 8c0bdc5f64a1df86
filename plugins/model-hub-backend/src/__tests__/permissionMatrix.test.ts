/*
 * The permission matrix over HTTP: every mutating route × every kind of
 * caller, with the status each must get and, for every allowed call, the
 * audit record naming the person or granted principal. Each cell acts on a
 * model of its own (`c<row>-<caller>`), so cells cannot disturb each other;
 * the two approval rows share one sealed, gauntlet-run model, with the
 * governance member last so the earlier refusals see a pending subject.
 */
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
  portalShapedPolicy,
  startModelHubTestBackend,
} from '../__testUtils__/modelHubBackend';
import {
  REGISTRY_CATALOG,
  registration,
} from '../__testUtils__/registryEntities';

jest.setTimeout(300_000);

const OWNER = 'user:default/alice'; // ml-team, owns the models
const OTHER = 'user:default/bob'; // risk-team
// ml-team and governance: requests promotions and waivers in the fixtures
const REQUESTER = 'user:default/rita';
const GOVERNANCE = 'user:default/gina'; // ai-governance only
const GOVERNANCE_GROUP = 'group:default/ai-governance';
const GROUPS: Record<string, string[]> = {
  [OWNER]: ['group:default/ml-team'],
  [OTHER]: ['group:default/risk-team'],
  [REQUESTER]: ['group:default/ml-team', GOVERNANCE_GROUP],
  [GOVERNANCE]: [GOVERNANCE_GROUP],
};
const GOVERNED = 'governed'; // the model the approval rows act on

const entity = (kind: string, name: string, spec: object): Entity => ({
  apiVersion:
    kind === 'Model' ? 'modelhub.io/v1alpha1' : 'backstage.io/v1alpha1',
  kind,
  metadata: { name, namespace: 'default' },
  spec,
});
const model = (name: string) =>
  entity('Model', name, {
    owner: 'group:default/ml-team',
    type: 'llm',
    lifecycle: 'production',
  });

// Order matters only for the shared approval rows: governance comes last.
const CALLERS = [
  'unauthenticated',
  'otherTeamUser',
  'owner',
  'requester',
  'ownerPublishPat',
  'readOnlyService',
  'grantedService',
  'revokedPat',
  'expiredPat',
  'governance',
] as const;
type Caller = (typeof CALLERS)[number];

/** Whom the audit record of an allowed call must name, per caller. */
const ACTOR: Record<Caller, string | undefined> = {
  unauthenticated: undefined,
  otherTeamUser: OTHER,
  owner: OWNER,
  requester: REQUESTER,
  ownerPublishPat: OWNER,
  readOnlyService: 'model-hub-local-cli',
  grantedService: 'model-hub-ci',
  revokedPat: undefined,
  expiredPat: undefined,
  governance: GOVERNANCE,
};

interface Cell {
  /** The model of this cell (a name in namespace default). */
  name: string;
  ref: string;
  n: number;
  /** Whatever `prepare` returned. */
  id?: string;
}

interface Row {
  route: string;
  /** The audit event an allowed call must record. */
  event: string;
  /** Fixtures the call needs, created by the owner (or requester) beforehand. */
  prepare?(cell: Cell): Promise<string | undefined>;
  send(agent: request.Agent | any, cell: Cell): request.Test;
  expected: Record<Caller, number>;
  /** Expected wording of selected refusals. */
  reasons?: Partial<Record<Caller, RegExp>>;
}

const api = (p: string) => `/api/model-hub${p}`;
const onModel = (name: string, p: string) =>
  api(`/v1/models/default/${name}${p}`);

/** Statuses every row shares for the callers whose credentials are refused. */
const REFUSED = { unauthenticated: 401, revokedPat: 401, expiredPat: 401 };
/**
 * An owners' route: the owning team may, nobody else; through a PAT with the
 * publish scope only where the route is a publishing one (else admin scope).
 */
const OWNERS_ONLY = (
  allowed: number,
  grantedService = 403,
  ownerPublishPat = allowed,
) => ({
  ...REFUSED,
  otherTeamUser: 403,
  owner: allowed,
  requester: allowed,
  ownerPublishPat,
  readOnlyService: 403,
  grantedService,
  governance: 403,
});
/** A governance route: governance members may; never a service or a token of an owner. */
const GOVERNANCE_ONLY = (allowed: number, requester: number) => ({
  ...REFUSED,
  otherTeamUser: 403,
  owner: 403,
  requester,
  ownerPublishPat: 403,
  readOnlyService: 403,
  grantedService: 403,
  governance: allowed,
});

const databases = TestDatabases.create({ ids: ['SQLITE_3', 'POSTGRES_16'] });

/** The matrix on one database: one backend, shared by all cells. */
function matrixOn(databaseId: TestDatabaseId) {
  let backend: ModelHubTestBackend;
  let server: any;
  let knex: any;
  let checkId: string;
  let audit: CapturedAuditEvent[] = [];
  const auth: Partial<Record<Caller, string>> = {};
  const ids: Record<string, string> = {};
  const as = (user: string) => mockCredentials.user.header(user);

  // Fixture steps, as the owner unless said otherwise; each must succeed.
  const ok = async (t: request.Test, status: number) => {
    const res = await t;
    if (res.status !== status) {
      throw new Error(`fixture ${res.status}: ${JSON.stringify(res.body)}`);
    }
    return res;
  };
  const draft = (name: string, version: string) =>
    ok(
      request(server)
        .post(onModel(name, '/versions'))
        .set('Authorization', as(OWNER))
        .send({ version }),
      201,
    );
  const upload = (name: string, version: string) =>
    ok(
      request(server)
        .put(onModel(name, `/versions/${version}/files/a.bin`))
        .set('Authorization', as(OWNER))
        .set('Content-Type', 'application/octet-stream')
        .set(MODEL_HUB_SHA256_HEADER, sha256(Buffer.from(name)))
        .send(Buffer.from(name)),
      201,
    );
  const sealed = async (name: string, version = '1.0.0') => {
    await draft(name, version);
    await upload(name, version);
    await ok(
      request(server)
        .post(onModel(name, `/versions/${version}/seal`))
        .set('Authorization', as(OWNER))
        .send({}),
      200,
    );
  };
  const requestPromotion = async (name: string) =>
    String(
      (
        await ok(
          request(server)
            .post(onModel(name, '/promotion-requests'))
            .set('Authorization', as(REQUESTER))
            .send({ tier: 'official' }),
          201,
        )
      ).body.id,
    );
  const waiverBody = () => ({
    check: checkId,
    reason: 'accepted risk, reviewed',
    expiresAt: new Date(Date.now() + 7 * 86_400_000).toISOString(),
  });
  const requestWaiver = async (name: string) =>
    String(
      (
        await ok(
          request(server)
            .post(onModel(name, '/waivers'))
            .set('Authorization', as(REQUESTER))
            .send(waiverBody()),
          201,
        )
      ).body.id,
    );

  const rows: Row[] = [
    {
      route: 'POST registered-models (register)',
      event: 'model-register',
      send: (a, c) =>
        a.post(api('/v1/registered-models')).send(registration(`reg-${c.n}`)),
      // Registering needs a person of the owning team; services never.
      expected: OWNERS_ONLY(201),
    },
    {
      route: 'POST versions (draft)',
      event: 'version-create',
      send: (a, c) =>
        a
          .post(api(modelHubApiPaths.versions(c.ref)))
          .send({ version: '1.0.0' }),
      expected: OWNERS_ONLY(201, 201),
    },
    {
      route: 'PUT file (upload)',
      event: 'version-file-upload',
      prepare: async c => void (await draft(c.name, '1.0.0')),
      send: (a, c) =>
        a
          .put(api(modelHubApiPaths.file(c.ref, '1.0.0', 'model.bin')))
          .set('Content-Type', 'application/octet-stream')
          .set(MODEL_HUB_SHA256_HEADER, sha256(Buffer.from('w')))
          .send(Buffer.from('w')),
      // The draft belongs to the owner who opened it, not to the granted service.
      expected: { ...OWNERS_ONLY(201, 403), requester: 403 },
    },
    {
      route: 'POST seal',
      event: 'version-seal',
      prepare: async c => {
        await draft(c.name, '1.0.0');
        await upload(c.name, '1.0.0');
        return undefined;
      },
      send: (a, c) =>
        a.post(api(modelHubApiPaths.seal(c.ref, '1.0.0'))).send({}),
      // The draft belongs to the owner who opened it, not to the granted service.
      expected: { ...OWNERS_ONLY(200, 403), requester: 403 },
    },
    {
      route: 'PUT alias',
      event: 'alias-set',
      prepare: async c => void (await sealed(c.name)),
      send: (a, c) =>
        a
          .put(api(modelHubApiPaths.alias(c.ref, 'stable')))
          .send({ version: '1.0.0' }),
      // The grant names model-hub.version.create only.
      expected: OWNERS_ONLY(200),
    },
    {
      route: 'PUT deprecation',
      event: 'model-deprecate',
      send: (a, c) =>
        a.put(onModel(c.name, '/deprecation')).send({ reason: 'superseded' }),
      // Not a publishing step: a PAT needs the admin scope.
      expected: OWNERS_ONLY(200, 403, 403),
    },
    {
      route: 'DELETE registered-models (delete card)',
      event: 'model-unregister',
      prepare: async c => {
        await ok(
          request(server)
            .post(api('/v1/registered-models'))
            .set('Authorization', as(OWNER))
            .send(registration(`del-${c.n}`)),
          201,
        );
        return `del-${c.n}`;
      },
      send: (a, c) => a.delete(api(`/v1/registered-models/default/${c.id}`)),
      // Not a publishing step: a PAT needs the admin scope.
      expected: OWNERS_ONLY(204, 403, 403),
    },
    {
      route: 'POST promotion-requests (request)',
      event: 'gauntlet-promotion-request',
      send: (a, c) =>
        a
          .post(onModel(c.name, '/promotion-requests'))
          .send({ tier: 'official' }),
      expected: OWNERS_ONLY(201),
    },
    {
      route: 'POST promotion-requests/:id/approve',
      event: 'gauntlet-promotion-decision',
      send: a =>
        a
          .post(
            onModel(GOVERNED, `/promotion-requests/${ids.promotion}/approve`),
          )
          .send({ comment: 'reviewed' }),
      expected: GOVERNANCE_ONLY(200, 403),
      reasons: { requester: /four-eyes/ },
    },
    {
      route: 'POST promotion-requests/:id/reject (deny)',
      event: 'gauntlet-promotion-decision',
      prepare: c => requestPromotion(c.name),
      send: (a, c) =>
        a
          .post(onModel(c.name, `/promotion-requests/${c.id}/reject`))
          .send({ comment: 'not yet' }),
      // Four-eyes as for approval: the requester (in the governance group,
      // and of the owning team) may not; they withdraw instead.
      expected: GOVERNANCE_ONLY(200, 403),
      reasons: { requester: /cannot reject it \(four-eyes\).*withdraws it/ },
    },
    {
      route: 'POST promotion-requests/:id/withdraw',
      event: 'gauntlet-promotion-withdraw',
      prepare: c => requestPromotion(c.name),
      send: (a, c) =>
        a
          .post(onModel(c.name, `/promotion-requests/${c.id}/withdraw`))
          .send({ comment: 'not ready' }),
      // Only the requester, as themself (a PAT needs the admin scope).
      expected: {
        ...REFUSED,
        otherTeamUser: 403,
        owner: 403,
        requester: 200,
        ownerPublishPat: 403,
        readOnlyService: 403,
        grantedService: 403,
        governance: 403,
      },
      reasons: { owner: /Only user:default\/rita.*can withdraw/ },
    },
    {
      route: 'POST waivers (request)',
      event: 'gauntlet-waiver-create',
      send: (a, c) => a.post(onModel(c.name, '/waivers')).send(waiverBody()),
      expected: GOVERNANCE_ONLY(201, 201),
    },
    {
      route: 'POST waivers/:id/approve',
      event: 'gauntlet-waiver-approve',
      send: a =>
        a
          .post(onModel(GOVERNED, `/waivers/${ids.waiver}/approve`))
          .send({ comment: 'reviewed' }),
      expected: GOVERNANCE_ONLY(200, 403),
      reasons: { requester: /four-eyes/ },
    },
    {
      route: 'POST gauntlet/runs (rerun)',
      event: 'gauntlet-run-request',
      prepare: async c => void (await sealed(c.name)),
      send: (a, c) => a.post(onModel(c.name, '/versions/1.0.0/gauntlet/runs')),
      expected: OWNERS_ONLY(202),
    },
    {
      route: 'POST tokens (create)',
      event: 'token-create',
      send: (a, c) =>
        a
          .post(api(modelHubTokenPaths.tokens))
          .send({ name: `t${c.n}`, scopes: ['read'] }),
      expected: {
        ...REFUSED,
        // Anyone signed in manages their own tokens.
        otherTeamUser: 201,
        owner: 201,
        requester: 201,
        governance: 201,
        // Through a token, token management needs the admin scope.
        ownerPublishPat: 403,
        readOnlyService: 403,
        grantedService: 403,
      },
    },
    {
      route: "DELETE tokens/:id (revoke the owner's token)",
      event: 'token-revoke',
      prepare: async c =>
        (
          await ok(
            request(server)
              .post(api(modelHubTokenPaths.tokens))
              .set('Authorization', as(OWNER))
              .send({ name: `r${c.n}`, scopes: ['read'] }),
            201,
          )
        ).body.id,
      send: (a, c) => a.delete(api(modelHubTokenPaths.token(c.id!))),
      expected: {
        ...REFUSED,
        // Someone else's token does not exist for you.
        otherTeamUser: 404,
        requester: 404,
        governance: 404,
        owner: 200,
        ownerPublishPat: 403,
        readOnlyService: 403,
        grantedService: 403,
      },
    },
  ];

  beforeAll(async () => {
    knex = await databases.init(databaseId);
    const entities: Entity[] = [
      ...REGISTRY_CATALOG,
      entity('Group', 'risk-team', { type: 'team', children: [] }),
      entity('Group', 'ai-governance', { type: 'team', children: [] }),
      entity('User', 'rita', { memberOf: ['ml-team', 'ai-governance'] }),
      entity('User', 'gina', { memberOf: ['ai-governance'] }),
      model(GOVERNED),
      ...rows.flatMap((_r, i) => CALLERS.map((_c, j) => model(`c${i}-${j}`))),
    ];
    backend = await startModelHubTestBackend({
      entities,
      groups: GROUPS,
      knex,
      policy: portalShapedPolicy(GOVERNANCE_GROUP),
      modelHub: {
        governance: { group: GOVERNANCE_GROUP },
        servicePrincipals: [
          {
            subject: 'model-hub-ci',
            teams: ['ml-team'],
            actions: ['model-hub.version.create'],
          },
        ],
      },
    });
    audit = backend.audit;
    server = backend.server;
    const token = async (scopes: string[]) =>
      (
        await ok(
          request(server)
            .post(api(modelHubTokenPaths.tokens))
            .set('Authorization', as(OWNER))
            .send({ name: scopes.join('+'), scopes }),
          201,
        )
      ).body;
    const publish = await token(['publish']);
    const revoked = await token(['admin']);
    await request(server)
      .delete(api(modelHubTokenPaths.token(revoked.id)))
      .set('Authorization', as(OWNER));
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
      otherTeamUser: as(OTHER),
      owner: as(OWNER),
      requester: as(REQUESTER),
      governance: as(GOVERNANCE),
      ownerPublishPat: `Bearer ${publish.token}`,
      readOnlyService: service('model-hub-local-cli'),
      grantedService: service('model-hub-ci'),
      revokedPat: `Bearer ${revoked.token}`,
      expiredPat: `Bearer ${expired.hfToken}`,
    });

    const checks = await ok(
      request(server)
        .get(api('/v1/gauntlet/checks'))
        .set('Authorization', as(OWNER)),
      200,
    );
    checkId = checks.body.items.find(
      (c: { id: string }) => c.id !== 'security',
    ).id;

    // The governed model: sealed, a completed gauntlet run to bind to, and a
    // promotion and a waiver requested by the requester.
    await sealed(GOVERNED);
    await ok(
      request(server)
        .post(onModel(GOVERNED, '/versions/1.0.0/gauntlet/runs'))
        .set('Authorization', as(OWNER)),
      202,
    );
    for (let i = 0; ; i++) {
      const runs = await ok(
        request(server)
          .get(onModel(GOVERNED, '/versions/1.0.0/gauntlet/runs'))
          .set('Authorization', as(OWNER)),
        200,
      );
      const items: { status: string }[] = runs.body.items;
      if (
        items.length > 0 &&
        items.every(r => r.status === 'completed' || r.status === 'failed')
      ) {
        break;
      }
      if (i > 300) throw new Error('the gauntlet run did not finish');
      await new Promise(r => setTimeout(r, 100));
    }
    ids.promotion = await requestPromotion(GOVERNED);
    ids.waiver = await requestWaiver(GOVERNED);
  });

  afterAll(async () => {
    await backend?.stop();
  });

  let n = 0;
  describe.each(rows.map((r, i) => [r.route, r, i] as const))(
    '%s',
    (_route, row, i) => {
      it.each(CALLERS.map((c, j) => [c, j] as const))(
        'as %s',
        async (caller, j) => {
          const name = `c${i}-${j}`;
          const cell: Cell = { name, ref: `model:default/${name}`, n: ++n };
          cell.id = await row.prepare?.(cell);
          const before = audit.length;
          const agent = request(server);
          let test = row.send(agent, cell);
          const header = auth[caller];
          if (header) test = test.set('Authorization', header);
          const res = await test;
          expect({ caller, status: res.status, body: res.body }).toEqual(
            expect.objectContaining({ caller, status: row.expected[caller] }),
          );
          const refused = res.status >= 300;
          const message: string = refused ? res.body.error.message : '';
          expect(message).not.toContain('\n');
          expect(message).toMatch(row.reasons?.[caller] ?? /^/);
          const recorded = refused
            ? []
            : audit
                .slice(before)
                .filter(e => e.eventId === row.event && e.outcome === 'success')
                .map(e => e.actor);
          expect(recorded).toEqual(refused ? [] : [ACTOR[caller]]);
        },
      );
    },
  );
}

describe.each(databases.eachSupportedId())(
  'permission matrix over HTTP on %p',
  databaseId => {
    matrixOn(databaseId);
  },
);
