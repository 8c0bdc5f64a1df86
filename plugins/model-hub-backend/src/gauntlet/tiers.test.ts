import { ConfigReader } from '@backstage/config';
import { ModelTier } from '@internal/plugin-model-hub-common';
import { DEFAULT_TIER_GATES, readGauntletConfig } from './config';
import { computeEffectiveTier } from './tiers';
import { GauntletResult, GauntletWaiver, PromotionRequest } from './types';
import { GauntletCheckStatus } from './nodeApi';

const NOW = new Date('2026-11-27T12:00:00.000Z');
let ids = 0;

function result(
  tier: ModelTier,
  checkId: string,
  status: GauntletCheckStatus,
  summary = `${checkId} ${status}`,
): GauntletResult {
  return {
    id: ++ids,
    runId: 1,
    entityRef: 'model:default/m',
    version: '1.0.0',
    tier,
    checkId,
    checkVersion: '1',
    status,
    summary,
    evidence: {},
    configSha256: 'c',
    inputsSha256: 'i',
    startedAt: NOW.toISOString(),
    finishedAt: NOW.toISOString(),
    durationMs: 1,
  };
}

const allPass = (tier: ModelTier) =>
  ['security', 'license', 'fairness', 'performance', 'provenance'].map(c =>
    result(tier, c, 'pass'),
  );

const approval: PromotionRequest = {
  id: 1,
  entityRef: 'model:default/m',
  tier: 'official',
  state: 'approved',
  requestedBy: 'user:default/alice',
  requestedAt: '2026-11-20T00:00:00.000Z',
  decidedBy: 'user:default/gina',
  decidedAt: '2026-11-21T00:00:00.000Z',
};

function waiver(
  checkId: string,
  expiresAt: string,
  version?: string,
): GauntletWaiver {
  return {
    id: 7,
    entityRef: 'model:default/m',
    checkId,
    version,
    reason: 'accepted risk',
    approvedBy: 'user:default/gina',
    createdAt: '2026-11-01T00:00:00.000Z',
    expiresAt,
    active: true,
  };
}

function decide(options: {
  requestedTier?: ModelTier;
  official?: GauntletResult[];
  community?: GauntletResult[];
  external?: GauntletResult[];
  waivers?: GauntletWaiver[];
  approvals?: PromotionRequest[];
  now?: Date;
  runsActive?: boolean;
}) {
  return computeEffectiveTier({
    requestedTier: options.requestedTier ?? 'official',
    version: '1.0.0',
    gates: DEFAULT_TIER_GATES,
    resultsByTier: {
      official: options.official,
      community: options.community,
      external: options.external,
    },
    waivers: options.waivers ?? [],
    approvals: options.approvals ?? [],
    runsActive: options.runsActive ?? false,
    now: options.now ?? NOW,
  });
}

const unfair = (tier: ModelTier) =>
  allPass(tier).map(r =>
    r.checkId === 'fairness'
      ? result(
          tier,
          'fairness',
          'fail',
          'Unfair across gender: demographic parity difference 0.23 > 0.1',
        )
      : r,
  );

describe('computeEffectiveTier', () => {
  it('grants official when every check passes and governance approved', () => {
    const d = decide({
      official: allPass('official'),
      community: allPass('community'),
      approvals: [approval],
    });
    expect(d).toMatchObject({ effectiveTier: 'official', status: 'passed' });
    expect(d.reason).toBe(
      'official gate passed for version 1.0.0; approved by governance',
    );
  });

  it('falls back to community without an approval', () => {
    const d = decide({
      official: allPass('official'),
      community: allPass('community'),
    });
    expect(d.effectiveTier).toBe('community');
    expect(d.status).toBe('failed');
    expect(d.reason).toBe(
      'requested official; no governance approval of a promotion to official; earned community',
    );
  });

  it('a later rejection withdraws the approval', () => {
    const rejected: PromotionRequest = {
      ...approval,
      id: 2,
      state: 'rejected',
      decidedAt: '2026-11-25T00:00:00.000Z',
    };
    const d = decide({
      official: allPass('official'),
      community: allPass('community'),
      approvals: [approval, rejected],
    });
    expect(d.effectiveTier).toBe('community');
  });

  it('names the failing check and falls back to community', () => {
    const d = decide({
      official: unfair('official'),
      community: allPass('community'),
      approvals: [approval],
    });
    expect(d.effectiveTier).toBe('community');
    expect(d.reason).toBe(
      'requested official; fairness failed: Unfair across gender: demographic parity difference 0.23 > 0.1; earned community',
    );
  });

  it('counts a waiver until it expires (controlled clock)', () => {
    const waivers = [waiver('fairness', '2026-12-01T00:00:00.000Z')];
    const before = decide({
      official: unfair('official'),
      community: allPass('community'),
      approvals: [approval],
      waivers,
      now: new Date('2026-11-30T23:59:59.000Z'),
    });
    expect(before.effectiveTier).toBe('official');
    expect(before.reason).toBe(
      'official gate passed for version 1.0.0 (waived: fairness); approved by governance',
    );
    expect(
      before.gates[0].checks.find(c => c.checkId === 'fairness')?.waived,
    ).toMatchObject({ waiverId: 7 });
    const after = decide({
      official: unfair('official'),
      community: allPass('community'),
      approvals: [approval],
      waivers,
      now: new Date('2026-12-01T00:00:00.000Z'),
    });
    expect(after.effectiveTier).toBe('community');
  });

  it('ignores a waiver limited to another version', () => {
    const d = decide({
      official: unfair('official'),
      community: allPass('community'),
      approvals: [approval],
      waivers: [waiver('fairness', '2027-01-01T00:00:00.000Z', '0.9.0')],
    });
    expect(d.effectiveTier).toBe('community');
  });

  it('treats warn as failing official but passing community', () => {
    const official = allPass('official').map(r =>
      r.checkId === 'license'
        ? result('official', 'license', 'warn', 'needs review')
        : r,
    );
    const d = decide({
      official,
      community: official.map(r => ({ ...r, tier: 'community' as const })),
      approvals: [approval],
    });
    expect(d.effectiveTier).toBe('community');
    expect(d.reason).toContain('license is warn: needs review');
  });

  it('earns nothing when security fails on every tier', () => {
    const bad = (tier: ModelTier) =>
      allPass(tier).map(r =>
        r.checkId === 'security'
          ? result(tier, 'security', 'fail', 'model.pkl is unsafe')
          : r,
      );
    const d = decide({
      official: bad('official'),
      community: bad('community'),
      approvals: [approval],
    });
    expect(d.effectiveTier).toBeNull();
    expect(d.status).toBe('failed');
    expect(d.reason).toContain(
      'community gate: security failed: model.pkl is unsafe',
    );
  });

  it('requires provenance for external models and reports missing results as pending', () => {
    const external = [
      result('external', 'security', 'pass'),
      result('external', 'license', 'pass'),
    ];
    const d = decide({ requestedTier: 'external', external, runsActive: true });
    expect(d).toMatchObject({ effectiveTier: null, status: 'pending' });
    expect(d.reason).toBe('requested external; provenance has not run');
    const done = decide({
      requestedTier: 'external',
      external: [...external, result('external', 'provenance', 'warn')],
    });
    expect(done.effectiveTier).toBe('external');
  });

  it('has no tier without a sealed version', () => {
    const d = computeEffectiveTier({
      requestedTier: 'community',
      version: undefined,
      gates: DEFAULT_TIER_GATES,
      resultsByTier: {},
      waivers: [],
      approvals: [],
      runsActive: false,
      now: NOW,
    });
    expect(d).toMatchObject({ effectiveTier: null, status: 'not-run' });
  });
});

describe('readGauntletConfig', () => {
  it('reads tier gates and rejects unknown statuses', () => {
    const c = readGauntletConfig(
      new ConfigReader({
        modelHub: {
          gauntlet: {
            tiers: {
              community: { required: [{ check: 'security', allow: ['pass'] }] },
            },
          },
        },
      }),
    );
    expect(c.gates.community).toEqual([{ check: 'security', allow: ['pass'] }]);
    expect(c.gates.official).toHaveLength(5);
    expect(c.governanceGroup).toBe('group:default/ai-governance');
    expect(c.maxResultAgeDays).toBe(30);
    expect(() =>
      readGauntletConfig(
        new ConfigReader({
          modelHub: {
            gauntlet: {
              tiers: {
                official: { required: [{ check: 'security', allow: ['ok'] }] },
              },
            },
          },
        }),
      ),
    ).toThrow(/unknown status "ok"/);
  });
});
