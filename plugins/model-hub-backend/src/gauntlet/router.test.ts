import { mockCredentials } from '@backstage/backend-test-utils';
import request from 'supertest';
import {
  GauntletRouteBackend,
  startGauntletRouteBackend,
} from '../__testUtils__/gauntletBackend';
import { EXAMPLE_MODEL_REF as MODEL_REF } from '../__testUtils__/gauntletExample';
import { GauntletRunner } from './GauntletRunner';

jest.setTimeout(120_000);

const ALICE = 'user:default/alice'; // member of group:default/marketing (owner)
const BOB = 'user:default/bob'; // owns nothing
const GINA = 'user:default/gina'; // member of group:default/ai-governance
const HANS = 'user:default/hans'; // member of group:default/ai-governance

describe('gauntlet router', () => {
  let backend: GauntletRouteBackend;
  let server: any;
  let runner: GauntletRunner;
  const asAlice = mockCredentials.user.header(ALICE);
  const asBob = mockCredentials.user.header(BOB);
  const asGina = mockCredentials.user.header(GINA);
  const asHans = mockCredentials.user.header(HANS);
  const api = (p: string) => `/api/model-hub${p}`;
  const M = '/v1/models/default/sentiment-classifier';

  beforeAll(async () => {
    backend = await startGauntletRouteBackend({
      groups: {
        [ALICE]: ['group:default/marketing'],
        [GINA]: ['group:default/ai-governance'],
        [HANS]: ['group:default/ai-governance'],
      },
      modelHub: { governanceGroup: 'group:default/ai-governance' },
    });
    server = backend.server;
    runner = backend.runner;
  });

  afterAll(() => backend.stop());

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

    // The clock passes the expiry: the waiver stops counting, at once,
    // though the gauntlet GET's rows are cached (for 30 s): the clock is
    // applied to them on every request.
    backend.setNow(new Date('2026-12-30T23:59:59.000Z'));
    const lastSecond = await request(server)
      .get(api(`${M}/gauntlet`))
      .set('Authorization', asBob);
    expect(lastSecond.body.effectiveTier).toBe('official');
    backend.setNow(new Date('2026-12-31T00:00:01.000Z'));
    const expired = await request(server)
      .get(api(`${M}/gauntlet`))
      .set('Authorization', asBob);
    expect(expired.body.effectiveTier).toBe('community');
    expect(expired.body.waivers[0].active).toBe(false);
  });

  it('records approvals, waivers and tier changes with the auditor', async () => {
    // The scheduled refresh notices the expired waiver and records the change.
    await runner.refresh();
    const ids = backend.audit.map(e => `${e.eventId}:${e.outcome}`);
    expect(ids).toEqual(
      expect.arrayContaining([
        'gauntlet-run-request:failure',
        'gauntlet-run-request:success',
        'gauntlet-promotion-request:success',
        'gauntlet-promotion-decision:success',
        'gauntlet-waiver-create:failure',
        'gauntlet-waiver-create:success',
        'gauntlet-waiver-approve:failure',
        'gauntlet-waiver-approve:success',
        'gauntlet-tier-change:success',
      ]),
    );
    expect(
      backend.audit.filter(e => e.eventId === 'gauntlet-tier-change').length,
    ).toBeGreaterThanOrEqual(3);
  });
});
