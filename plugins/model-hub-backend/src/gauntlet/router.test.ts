import { promises as fs } from 'node:fs';
import path from 'node:path';
import { Readable } from 'node:stream';
import {
  coreServices,
  createBackendModule,
  createBackendPlugin,
} from '@backstage/backend-plugin-api';
import {
  mockCredentials,
  mockServices,
  startTestBackend,
} from '@backstage/backend-test-utils';
import { Entity } from '@backstage/catalog-model';
import { catalogServiceRef } from '@backstage/plugin-catalog-node';
import { catalogServiceMock } from '@backstage/plugin-catalog-node/testUtils';
import permissionBackend from '@backstage/plugin-permission-backend';
import {
  AuthorizeResult,
  PolicyDecision,
} from '@backstage/plugin-permission-common';
import {
  PermissionPolicy,
  PolicyQuery,
  PolicyQueryUser,
} from '@backstage/plugin-permission-node';
import { policyExtensionPoint } from '@backstage/plugin-permission-node/alpha';
import {
  gauntletPermissions,
  modelHubPermissions,
  ModelVersion,
  ModelVersionFile,
} from '@internal/plugin-model-hub-common';
import request from 'supertest';
import {
  modelHubModelPermissionRules,
  modelHubModelResourceRef,
} from '../permissions/rules';
import { scanBytes, sha256 } from '../__testUtils__/fixtures';
import { testHttpAuthServiceFactory } from '../__testUtils__/httpAuth';
import { createGauntlet } from './createGauntlet';
import { GauntletRunner, GauntletVersionSource } from './GauntletRunner';
import { gauntletPolicyDecision } from './permissions';

jest.setTimeout(120_000);

const ALICE = 'user:default/alice'; // member of group:default/marketing (owner)
const BOB = 'user:default/bob'; // owns nothing
const GINA = 'user:default/gina'; // member of group:default/ai-governance
const HANS = 'user:default/hans'; // member of group:default/ai-governance
const MODEL_REF = 'model:default/sentiment-classifier';
const EXAMPLE = path.resolve(
  __dirname,
  '../../../../examples/artifacts/sentiment-classifier',
);

const model: Entity = {
  apiVersion: 'modelhub.io/v1alpha1',
  kind: 'Model',
  metadata: { name: 'sentiment-classifier', namespace: 'default' },
  spec: {
    type: 'classifier',
    task: 'text-classification',
    framework: 'onnx',
    owner: 'group:default/marketing',
    lifecycle: 'production',
    tier: 'official',
    license: 'Apache-2.0',
    trainingData: ['resource:default/product-reviews'],
    metrics: [
      {
        name: 'accuracy',
        value: 0.88,
        dataset: 'resource:default/product-reviews',
      },
      {
        name: 'f1',
        value: 0.8737,
        dataset: 'resource:default/product-reviews',
      },
    ],
    evaluation: {
      file: 'benchmark.csv',
      labelColumn: 'label',
      positiveLabel: 1,
    },
  },
};
const dataset: Entity = {
  apiVersion: 'backstage.io/v1alpha1',
  kind: 'Resource',
  metadata: { name: 'product-reviews', namespace: 'default' },
  spec: {
    type: 'dataset',
    owner: 'group:default/marketing',
    dataset: {
      license: 'CC-BY-4.0',
      source: { location: 's3://datalake/reviews/' },
      pii: 'none',
    },
  },
};

class TestPolicy implements PermissionPolicy {
  async handle(
    query: PolicyQuery,
    user?: PolicyQueryUser,
  ): Promise<PolicyDecision> {
    return (
      gauntletPolicyDecision(query.permission, user, {
        governanceGroup: 'group:default/ai-governance',
      }) ?? { result: AuthorizeResult.ALLOW }
    );
  }
}

const policyModule = createBackendModule({
  pluginId: 'permission',
  moduleId: 'test-gauntlet-policy',
  register(env) {
    env.registerInit({
      deps: { policy: policyExtensionPoint },
      async init({ policy }) {
        policy.setPolicy(new TestPolicy());
      },
    });
  },
});

const userInfo = mockServices.userInfo.mock({
  async getUserInfo(credentials) {
    const ref = (credentials.principal as { userEntityRef: string })
      .userEntityRef;
    const groups: Record<string, string[]> = {
      [ALICE]: ['group:default/marketing'],
      [GINA]: ['group:default/ai-governance'],
      [HANS]: ['group:default/ai-governance'],
    };
    return {
      userEntityRef: ref,
      ownershipEntityRefs: [ref, ...(groups[ref] ?? [])],
    };
  },
});

const auditEvents: Array<{ eventId: string; outcome: string }> = [];
const auditor = mockServices.auditor.mock({
  async createEvent(options) {
    return {
      success: async () => {
        auditEvents.push({ eventId: options.eventId, outcome: 'success' });
      },
      fail: async () => {
        auditEvents.push({ eventId: options.eventId, outcome: 'fail' });
      },
    };
  },
});

/** In-memory versions: one sealed version with the real example ONNX model and benchmark. */
async function exampleVersions(): Promise<GauntletVersionSource> {
  const contents = new Map<string, Buffer>();
  const files: ModelVersionFile[] = [];
  for (const name of ['model.onnx', 'benchmark.csv']) {
    const bytes = await fs.readFile(path.join(EXAMPLE, name));
    contents.set(sha256(bytes), bytes);
    const scan = await scanBytes(bytes, name);
    files.push({
      path: name,
      size: bytes.length,
      sha256: sha256(bytes),
      format: scan.format,
      scan,
      uploadedBy: ALICE,
      uploadedAt: '2026-11-27T09:00:00.000Z',
    });
  }
  const version: ModelVersion = {
    entityRef: MODEL_REF,
    version: '1.0.0',
    state: 'sealed',
    files,
    aliases: [],
    scanVerdict: 'safe',
    createdBy: ALICE,
    createdAt: '2026-11-27T09:00:00.000Z',
    sealedAt: '2026-11-27T09:01:00.000Z',
  };
  return {
    async getVersion(entityRef, v) {
      if (entityRef !== MODEL_REF || v !== '1.0.0') {
        const { NotFoundError } = await import('@backstage/errors');
        throw new NotFoundError(`${entityRef} has no version or alias '${v}'`);
      }
      return version;
    },
    async listVersions(entityRef) {
      return entityRef === MODEL_REF ? [version] : [];
    },
    async readFile(file) {
      return Readable.from([contents.get(file.sha256)!]);
    },
  };
}

describe('gauntlet router', () => {
  let server: any;
  let runner: GauntletRunner;
  let now = new Date('2026-11-27T10:00:00.000Z');
  const asAlice = mockCredentials.user.header(ALICE);
  const asBob = mockCredentials.user.header(BOB);
  const asGina = mockCredentials.user.header(GINA);
  const asHans = mockCredentials.user.header(HANS);
  const api = (p: string) => `/api/model-hub${p}`;
  const M = '/v1/models/default/sentiment-classifier';

  beforeAll(async () => {
    const versions = await exampleVersions();
    const testPlugin = createBackendPlugin({
      pluginId: 'model-hub',
      register(env) {
        env.registerInit({
          deps: {
            config: coreServices.rootConfig,
            database: coreServices.database,
            logger: coreServices.logger,
            auth: coreServices.auth,
            httpAuth: coreServices.httpAuth,
            httpRouter: coreServices.httpRouter,
            permissions: coreServices.permissions,
            permissionsRegistry: coreServices.permissionsRegistry,
            userInfo: coreServices.userInfo,
            auditor: coreServices.auditor,
            catalog: catalogServiceRef,
          },
          async init(deps) {
            // The same wiring the lead adds to plugin.ts.
            deps.permissionsRegistry.addResourceType({
              resourceRef: modelHubModelResourceRef,
              permissions: [...modelHubPermissions, ...gauntletPermissions],
              rules: Object.values(modelHubModelPermissionRules),
              async getResources(refs) {
                const credentials = await deps.auth.getOwnServiceCredentials();
                const { items } = await deps.catalog.getEntitiesByRefs(
                  { entityRefs: refs },
                  { credentials },
                );
                return items.map(e => e ?? undefined);
              },
            });
            const gauntlet = await createGauntlet({
              ...deps,
              versions,
              clock: () => now,
            });
            deps.httpRouter.use(gauntlet.router);
            runner = gauntlet.runner;
          },
        });
      },
    });
    const backend = await startTestBackend({
      features: [
        testPlugin,
        permissionBackend,
        policyModule,
        catalogServiceMock.factory({ entities: [model, dataset] }),
        userInfo.factory,
        auditor.factory,
        testHttpAuthServiceFactory,
        mockServices.rootConfig.factory({
          data: {
            permission: { enabled: true },
            modelHub: {
              governanceGroup: 'group:default/ai-governance',
              gauntlet: {
                performance: {
                  thresholds: {
                    'text-classification': { official: { accuracy: 0.85 } },
                  },
                },
              },
            },
          },
        }),
      ],
    });
    server = backend.server;
  });

  it('answers 401 without credentials', async () => {
    expect((await request(server).get(api(`${M}/gauntlet`))).status).toBe(401);
    expect(
      (
        await request(server)
          .post(api(`${M}/promotion-requests`))
          .send({})
      ).status,
    ).toBe(401);
    expect(
      (await request(server).get(api('/v1/gauntlet/effective-tiers'))).status,
    ).toBe(401);
  });

  it('shows no tier before any run', async () => {
    const res = await request(server)
      .get(api(`${M}/gauntlet`))
      .set('Authorization', asBob);
    expect(res.status).toBe(200);
    expect(res.body).toMatchObject({
      requestedTier: 'official',
      effectiveTier: null,
      status: 'pending',
      version: '1.0.0',
      checks: [],
    });
  });

  it('lets only owners start a run, then reports the earned tier with the reason', async () => {
    const denied = await request(server)
      .post(api(`${M}/versions/1.0.0/gauntlet/runs`))
      .set('Authorization', asBob);
    expect(denied.status).toBe(403);
    expect(denied.body.error.message).toContain(
      'only its owner group:default/marketing may',
    );

    const started = await request(server)
      .post(api(`${M}/versions/1.0.0/gauntlet/runs`))
      .set('Authorization', asAlice);
    expect(started.status).toBe(202);
    expect(started.body.items.map((r: { tier: string }) => r.tier)).toEqual([
      'official',
      'community',
    ]);
    await runner.drain();

    const res = await request(server)
      .get(api(`${M}/gauntlet`))
      .set('Authorization', asBob);
    expect(res.status).toBe(200);
    const byCheck = Object.fromEntries(
      res.body.checks.map((c: { checkId: string; status: string }) => [
        c.checkId,
        c.status,
      ]),
    );
    expect(byCheck).toEqual({
      fairness: 'fail',
      license: 'pass',
      performance: 'pass',
      provenance: 'pass',
      security: 'pass',
    });
    const performance = res.body.checks.find(
      (c: { checkId: string }) => c.checkId === 'performance',
    );
    expect(performance.evidence.comparisons[0]).toMatchObject({
      metric: 'accuracy',
      claimed: 0.88,
      measured: 0.88,
    });
    expect(res.body.effectiveTier).toBe('community');
    expect(res.body.status).toBe('failed');
    expect(res.body.reason).toMatch(
      /^requested official; fairness failed: The official tier requires a fairness evaluation; no governance approval of a promotion to official; earned community$/,
    );

    const history = await request(server)
      .get(api(`${M}/versions/1.0.0/gauntlet/runs`))
      .set('Authorization', asBob);
    expect(history.status).toBe(200);
    expect(history.body.items).toHaveLength(2);
    expect(history.body.items[0]).toMatchObject({
      status: 'completed',
      trigger: 'manual',
      requestedBy: ALICE,
      inputs: { configSha256: expect.stringMatching(/^[0-9a-f]{64}$/) },
    });
    expect(history.body.items[0].results).toHaveLength(5);
  });

  it('lets only owners ask for promotion and only governance decide', async () => {
    const bob = await request(server)
      .post(api(`${M}/promotion-requests`))
      .set('Authorization', asBob)
      .send({ comment: 'please' });
    expect(bob.status).toBe(403);
    const alice = await request(server)
      .post(api(`${M}/promotion-requests`))
      .set('Authorization', asAlice)
      .send({ comment: 'ready for products' });
    expect(alice.status).toBe(201);
    expect(alice.body).toMatchObject({
      state: 'pending',
      requestedBy: ALICE,
      tier: 'official',
    });
    const badTier = await request(server)
      .post(api(`${M}/promotion-requests`))
      .set('Authorization', asAlice)
      .send({ tier: 'community' });
    expect(badTier.status).toBe(400);

    const aliceApproves = await request(server)
      .post(api(`${M}/promotion-requests/${alice.body.id}/approve`))
      .set('Authorization', asAlice)
      .send({});
    expect(aliceApproves.status).toBe(403);
    expect(aliceApproves.body.error.message).toContain(
      'only members of group:default/ai-governance may',
    );

    const gina = await request(server)
      .post(api(`${M}/promotion-requests/${alice.body.id}/approve`))
      .set('Authorization', asGina)
      .send({ comment: 'reviewed' });
    expect(gina.status).toBe(200);
    expect(gina.body).toMatchObject({
      state: 'approved',
      decidedBy: GINA,
      decisionComment: 'reviewed',
    });
    const twice = await request(server)
      .post(api(`${M}/promotion-requests/${alice.body.id}/reject`))
      .set('Authorization', asGina)
      .send({});
    expect(twice.status).toBe(409);
  });

  it('lets only governance waive a check, which counts until it expires', async () => {
    const body = {
      check: 'fairness',
      reason: 'no sensitive attributes are collected',
      expiresAt: '2026-12-31T00:00:00Z',
    };
    const alice = await request(server)
      .post(api(`${M}/waivers`))
      .set('Authorization', asAlice)
      .send(body);
    expect(alice.status).toBe(403);
    const past = await request(server)
      .post(api(`${M}/waivers`))
      .set('Authorization', asGina)
      .send({ ...body, expiresAt: '2026-01-01T00:00:00Z' });
    expect(past.status).toBe(400);
    const unknown = await request(server)
      .post(api(`${M}/waivers`))
      .set('Authorization', asGina)
      .send({ ...body, check: 'vibes' });
    expect(unknown.status).toBe(400);

    const gina = await request(server)
      .post(api(`${M}/waivers`))
      .set('Authorization', asGina)
      .send(body);
    expect(gina.status).toBe(201);
    expect(gina.body).toMatchObject({
      checkId: 'fairness',
      requestedBy: GINA,
      state: 'pending',
      active: false,
    });
    // Four-eyes: the requester cannot approve the waiver; another member can.
    const own = await request(server)
      .post(api(`${M}/waivers/${gina.body.id}/approve`))
      .set('Authorization', asGina)
      .send({});
    expect(own.status).toBe(403);
    expect(own.body.error.message).toBe(
      `${GINA} requested waiver ${gina.body.id} and cannot approve it (four-eyes); another member of group:default/ai-governance must`,
    );
    const hans = await request(server)
      .post(api(`${M}/waivers/${gina.body.id}/approve`))
      .set('Authorization', asHans)
      .send({});
    expect(hans.status).toBe(200);
    expect(hans.body).toMatchObject({
      state: 'approved',
      approvedBy: HANS,
      active: true,
      approvals: [expect.objectContaining({ approver: HANS })],
    });

    const official = await request(server)
      .get(api(`${M}/gauntlet`))
      .set('Authorization', asBob);
    expect(official.body).toMatchObject({
      effectiveTier: 'official',
      status: 'passed',
    });
    expect(official.body.reason).toBe(
      'official gate passed for version 1.0.0 (waived: fairness); approved by governance',
    );

    const tiers = await request(server)
      .get(api('/v1/gauntlet/effective-tiers'))
      .set('Authorization', asBob);
    expect(tiers.status).toBe(200);
    expect(tiers.body.items).toEqual([
      expect.objectContaining({
        entityRef: MODEL_REF,
        effectiveTier: 'official',
        annotations: {
          'modelhub.io/effective-tier': 'official',
          'modelhub.io/gauntlet-status': 'passed',
        },
      }),
    ]);

    // The clock passes the expiry: the waiver stops counting.
    now = new Date('2026-12-31T00:00:01.000Z');
    const expired = await request(server)
      .get(api(`${M}/gauntlet`))
      .set('Authorization', asBob);
    expect(expired.body.effectiveTier).toBe('community');
    expect(expired.body.waivers[0].active).toBe(false);
  });

  it('records approvals, waivers and tier changes with the auditor', async () => {
    // The scheduled refresh notices the expired waiver and records the change.
    await runner.refresh();
    const ids = auditEvents.map(e => `${e.eventId}:${e.outcome}`);
    expect(ids).toEqual(
      expect.arrayContaining([
        'gauntlet-run-request:fail',
        'gauntlet-run-request:success',
        'gauntlet-promotion-request:success',
        'gauntlet-promotion-decision:success',
        'gauntlet-waiver-create:fail',
        'gauntlet-waiver-create:success',
        'gauntlet-waiver-approve:fail',
        'gauntlet-waiver-approve:success',
        'gauntlet-tier-change:success',
      ]),
    );
    expect(
      auditEvents.filter(e => e.eventId === 'gauntlet-tier-change').length,
    ).toBeGreaterThanOrEqual(3);
  });
});
