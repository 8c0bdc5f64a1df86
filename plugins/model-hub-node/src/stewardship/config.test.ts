import {
  DEFAULT_STEWARDSHIP_CONFIG,
  readStewardshipConfig,
  resolveStewardshipConfig,
} from './config';

/**
 * A minimal stand-in for a Backstage `Config` over a plain object, with the
 * same type strictness as `ConfigReader` for the getters used here.
 */
function fakeConfig(data: Record<string, unknown>): any {
  const at = (path: string) =>
    path
      .split('.')
      .reduce<unknown>(
        (v, k) => (v && typeof v === 'object' ? (v as any)[k] : undefined),
        data,
      );
  const typed =
    (check: (v: unknown) => boolean, type: string) => (path: string) => {
      const v = at(path);
      if (v === undefined) return undefined;
      if (!check(v))
        throw new Error(
          `Invalid type in config for key '${path}', got ${typeof v}, wanted ${type}`,
        );
      return v;
    };
  return {
    getOptionalConfig: (path: string) =>
      at(path) === undefined ? undefined : fakeConfig(at(path) as any),
    getOptionalString: typed(v => typeof v === 'string', 'string'),
    getOptionalNumber: typed(v => typeof v === 'number', 'number'),
    getOptionalStringArray: typed(
      v => Array.isArray(v) && v.every(s => typeof s === 'string'),
      'string-array',
    ),
  };
}

describe('stewardship config', () => {
  it('defaults every key when the section is absent', () => {
    expect(readStewardshipConfig(fakeConfig({}))).toEqual({
      governanceGroup: 'group:default/ai-governance',
      staleAfterMonths: 18,
      staleWarningDays: 30,
      waiverExpiryWindowDays: 30,
      requiredFields: [
        'description',
        'intendedUse',
        'license',
        'owner',
        'steward',
        'task',
        'limitations',
      ],
    });
    expect(resolveStewardshipConfig()).toEqual(
      readStewardshipConfig(fakeConfig({ modelHub: {} })),
    );
  });

  it('reads and normalizes the configured values', () => {
    const config = readStewardshipConfig(
      fakeConfig({
        modelHub: {
          stewardship: {
            governanceGroup: 'Risk/AI-Board',
            staleAfterMonths: 12,
            staleWarningDays: 14,
            waiverExpiryWindowDays: 0,
            requiredFields: [
              'description',
              'spec.evaluation.dataset',
              'description',
            ],
          },
        },
      }),
    );
    expect(config).toEqual({
      governanceGroup: 'group:risk/ai-board',
      staleAfterMonths: 12,
      staleWarningDays: 14,
      waiverExpiryWindowDays: 0,
      requiredFields: ['description', 'spec.evaluation.dataset'],
    });
  });

  it.each([
    [{ staleAfterMonths: 0 }, /staleAfterMonths: expected an integer from 1/],
    [{ staleAfterMonths: 1.5 }, /staleAfterMonths/],
    [{ staleWarningDays: -1 }, /staleWarningDays/],
    [{ waiverExpiryWindowDays: NaN }, /waiverExpiryWindowDays/],
    [{ governanceGroup: 'user:default/alice' }, /expected a group ref/],
    [{ governanceGroup: 'a:b:c' }, /governanceGroup/],
    [{ requiredFields: ['ok', 'bad field'] }, /requiredFields/],
    [{ requiredFields: ['a..b'] }, /requiredFields/],
  ])('rejects %j', (partial, message) => {
    expect(() => resolveStewardshipConfig(partial as any)).toThrow(message);
  });

  it('surfaces type errors from the config reader', () => {
    expect(() =>
      readStewardshipConfig(
        fakeConfig({ modelHub: { stewardship: { staleAfterMonths: '18' } } }),
      ),
    ).toThrow(/staleAfterMonths/);
  });

  it('keeps the defaults immutable', () => {
    expect(Object.isFrozen(DEFAULT_STEWARDSHIP_CONFIG)).toBe(true);
    const resolved = resolveStewardshipConfig();
    resolved.requiredFields.push('x');
    expect(DEFAULT_STEWARDSHIP_CONFIG.requiredFields).not.toContain('x');
  });
});
