import {
  DEFAULT_TIER_GATES,
  evaluateTierGateChecks,
  readTierGates,
  TierGatesConfig,
} from './tierGates';

/** A minimal Config over plain data (the shape Backstage's ConfigReader has). */
function config(data: any): TierGatesConfig {
  const at = (key: string) =>
    key.split('.').reduce((v, k) => (v === undefined ? v : v[k]), data);
  return {
    getOptionalConfig: key =>
      at(key) === undefined ? undefined : config(at(key)),
    getOptionalConfigArray: key => at(key)?.map(config),
    getString: key => at(key),
    getOptionalStringArray: key => at(key),
    keys: () => Object.keys(data),
  };
}

const results = (statuses: Record<string, string>) =>
  Object.entries(statuses).map(([checkId, status]) => ({
    checkId,
    status: status as 'pass',
    summary: `${checkId} said ${status}`,
  }));

describe('the tier gate', () => {
  it('passes community on warnings and fails it on a failed or missing required check', () => {
    const ok = evaluateTierGateChecks({
      tier: 'community',
      gates: DEFAULT_TIER_GATES,
      results: results({ security: 'pass', license: 'warn', fairness: 'fail' }),
    });
    expect(ok.passed).toBe(true);
    const bad = evaluateTierGateChecks({
      tier: 'community',
      gates: DEFAULT_TIER_GATES,
      results: results({ security: 'error' }),
    });
    expect(bad.passed).toBe(false);
    expect(bad.failures).toEqual([
      'security errored: security said error',
      'license has not run',
    ]);
    expect(bad.checks.map(c => c.status)).toEqual(['error', 'missing']);
  });

  it('accepts a failed check only through a waiver the caller vouches for', () => {
    const all = results({
      security: 'pass',
      license: 'pass',
      fairness: 'fail',
      performance: 'pass',
      provenance: 'not-applicable',
    });
    const plain = evaluateTierGateChecks({
      tier: 'official',
      gates: DEFAULT_TIER_GATES,
      results: all,
    });
    expect(plain.passed).toBe(false);
    const waived = evaluateTierGateChecks({
      tier: 'official',
      gates: DEFAULT_TIER_GATES,
      results: all,
      waiverFor: req =>
        req.check === 'fairness'
          ? {
              waiverId: 7,
              reason: 'r',
              approvedBy: 'user:default/g',
              expiresAt: 'x',
            }
          : undefined,
    });
    expect(waived.passed).toBe(true);
    expect(waived.checks.find(c => c.checkId === 'fairness')).toMatchObject({
      passed: true,
      status: 'fail',
      waived: { waiverId: 7 },
    });
  });

  it('reads configured gates and names the key of a mistake', () => {
    const gates = readTierGates(
      config({
        modelHub: {
          gauntlet: {
            tiers: { external: { required: [{ check: 'security' }] } },
          },
        },
      }),
    );
    expect(gates.external).toEqual([{ check: 'security', allow: ['pass'] }]);
    expect(gates.official).toEqual(DEFAULT_TIER_GATES.official);
    expect(() =>
      readTierGates(
        config({ modelHub: { gauntlet: { tiers: { gold: {} } } } }),
      ),
    ).toThrow('modelHub.gauntlet.tiers.gold: unknown tier');
    expect(() =>
      readTierGates(
        config({
          modelHub: {
            gauntlet: {
              tiers: {
                community: { required: [{ check: 'license', allow: ['ok'] }] },
              },
            },
          },
        }),
      ),
    ).toThrow(
      'modelHub.gauntlet.tiers.community.required[0].allow: unknown status "ok"',
    );
  });
});
