import fs from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import {
  mockCredentials,
  mockServices,
  startTestBackend,
} from '@backstage/backend-test-utils';
import { Entity } from '@backstage/catalog-model';
import { catalogServiceMock } from '@backstage/plugin-catalog-node/testUtils';
import {
  modelHubApiPaths,
  ModelVersion,
} from '@internal/plugin-model-hub-common';
import request from 'supertest';
import { modelHubPlugin } from '../plugin';
import { catalogServiceHubCatalogFactory } from '../__testUtils__/modelHubBackend';
import { MALICIOUS_PICKLE, safetensors } from '../__testUtils__/fixtures';
import { testHttpAuthServiceFactory } from '../__testUtils__/httpAuth';
import { publishVersion } from '../__testUtils__/publish';
import { DEFAULT_TIER_GATES } from './config';
import { evaluateGate } from './tiers';
import { GauntletResult } from './types';
import { isWaivable } from './waiverRules';

jest.setTimeout(60_000);

const ALICE = 'user:default/alice'; // owner
const GINA = 'user:default/gina'; // governance
const MODEL_REF = 'model:default/support-assistant';
const model: Entity = {
  apiVersion: 'modelhub.io/v1alpha1',
  kind: 'Model',
  metadata: { name: 'support-assistant', namespace: 'default' },
  spec: { owner: 'ml-team', type: 'llm', lifecycle: 'production' },
};

const userInfo = mockServices.userInfo.mock({
  async getUserInfo(credentials) {
    const ref = (credentials.principal as { userEntityRef: string })
      .userEntityRef;
    const groups: Record<string, string[]> = {
      [ALICE]: ['group:default/ml-team'],
      [GINA]: ['group:default/ai-governance'],
    };
    return {
      userEntityRef: ref,
      ownershipEntityRefs: [ref, ...(groups[ref] ?? [])],
    };
  },
});

describe('unsafe versions through the real routes', () => {
  let server: any;
  let dataDir: string;
  const asAlice = mockCredentials.user.header(ALICE);
  const asGina = mockCredentials.user.header(GINA);
  const api = (p: string) => `/api/model-hub${p}`;

  beforeAll(async () => {
    dataDir = await fs.mkdtemp(path.join(os.tmpdir(), 'model-hub-gate-'));
    const backend = await startTestBackend({
      features: [
        modelHubPlugin,
        catalogServiceMock.factory({ entities: [model] }),
        catalogServiceHubCatalogFactory,
        userInfo.factory,
        testHttpAuthServiceFactory,
        mockServices.rootConfig.factory({
          data: {
            permission: { enabled: false },
            modelHub: {
              governanceGroup: 'group:default/ai-governance',
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
  });
  afterAll(() => fs.rm(dataDir, { recursive: true, force: true }));

  const publish = (version: string, files: Record<string, Buffer>) =>
    publishVersion({
      server,
      auth: asAlice,
      entityRef: MODEL_REF,
      version,
      files,
    });

  const alias = (name: string, version: string) =>
    request(server)
      .put(api(modelHubApiPaths.alias(MODEL_REF, name)))
      .set('Authorization', asAlice)
      .send({ version });

  const waive = (body: object) =>
    request(server)
      .post(api('/v1/models/default/support-assistant/waivers'))
      .set('Authorization', asGina)
      .send({
        reason: 'accepted',
        expiresAt: new Date(Date.now() + 7 * 86_400_000).toISOString(),
        ...body,
      });

  it('refuses latest and champion for an unsafe version, naming the file', async () => {
    await publish('1.0.0', {
      'model.safetensors': safetensors([1, 2]),
      'tokenizer_state.bin': MALICIOUS_PICKLE,
    });
    for (const name of ['latest', 'champion']) {
      const res = await alias(name, '1.0.0');
      expect(res.status).toBe(409);
      expect(res.body.error.message).toMatch(
        new RegExp(`cannot be '${name}': tokenizer_state\\.bin is unsafe`),
      );
    }
    // Other aliases are a team's own business.
    expect((await alias('quarantine', '1.0.0')).status).toBe(200);
  });

  it('exposes per-file verdicts in the version response', async () => {
    const got = await request(server)
      .get(api(modelHubApiPaths.version(MODEL_REF, '1.0.0')))
      .set('Authorization', asAlice);
    const verdicts = Object.fromEntries(
      (got.body as ModelVersion).files.map(f => [f.path, f.scan.verdict]),
    );
    expect(verdicts).toEqual({
      'model.safetensors': 'safe',
      'tokenizer_state.bin': 'unsafe',
    });
  });

  it('refuses a security waiver covering an unsafe version, with or without a version', async () => {
    const named = await waive({ check: 'security', version: '1.0.0' });
    expect(named.status).toBe(409);
    expect(named.body.error.message).toBe(
      'The security check cannot be waived: tokenizer_state.bin in version 1.0.0 is unsafe; remove it and publish a new version',
    );
    const everyVersion = await waive({ check: 'security' });
    expect(everyVersion.status).toBe(409);
    // Other checks can still be waived.
    expect((await waive({ check: 'fairness', version: '1.0.0' })).status).toBe(
      201,
    );
  });

  it('lets a clean version take latest', async () => {
    await publish('1.1.0', { 'model.safetensors': safetensors([3]) });
    const res = await alias('latest', '1.1.0');
    expect(res.status).toBe(200);
    expect(res.body.aliases).toEqual(['latest']);
  });
});

describe('the gate never applies a waiver to unsafe files', () => {
  const result = (metrics: Record<string, number>): GauntletResult => ({
    id: 1,
    runId: 1,
    entityRef: MODEL_REF,
    version: '2.0.0',
    tier: 'community',
    checkId: 'security',
    checkVersion: '2',
    status: 'fail',
    summary: 'x.pkl is unsafe',
    evidence: {},
    metrics,
    configSha256: 'c',
    inputsSha256: 'i',
    startedAt: '2026-12-01T00:00:00.000Z',
    finishedAt: '2026-12-01T00:00:01.000Z',
    durationMs: 1000,
  });
  // A waiver granted for every version before an unsafe one was published.
  const waiver = {
    id: 3,
    entityRef: MODEL_REF,
    checkId: 'security',
    reason: 'old advisory accepted',
    approvedBy: GINA,
    createdAt: '2026-11-01T00:00:00.000Z',
    expiresAt: '2099-01-01T00:00:00.000Z',
    active: true,
  };
  const gate = (metrics: Record<string, number>) =>
    evaluateGate({
      tier: 'community',
      version: '2.0.0',
      gates: DEFAULT_TIER_GATES,
      results: [
        result(metrics),
        { ...result({}), checkId: 'license', status: 'pass' },
      ],
      waivers: [waiver],
      approvals: [],
      now: new Date('2026-12-06T00:00:00.000Z'),
    });

  it('keeps the security gate failed when unsafe files were counted', () => {
    expect(isWaivable(result({ unsafe_files: 1 }))).toBe(false);
    const evaluation = gate({ unsafe_files: 1 });
    expect(evaluation.passed).toBe(false);
    expect(evaluation.checks[0].waived).toBeUndefined();
  });

  it('keeps the security gate failed while a verdict awaits its rescan', () => {
    // A waiver must not stand in for a verdict the running scanner never gave.
    expect(isWaivable(result({ pending_rescan_files: 1 }))).toBe(false);
    const evaluation = gate({ unsafe_files: 0, pending_rescan_files: 1 });
    expect(evaluation.passed).toBe(false);
    expect(evaluation.checks[0].waived).toBeUndefined();
  });

  it('still applies the waiver to a security failure without unsafe files', () => {
    const evaluation = gate({ unsafe_files: 0, vulnerable_dependencies: 1 });
    expect(evaluation.passed).toBe(true);
    expect(evaluation.checks[0].waived).toMatchObject({ waiverId: 3 });
  });
});
