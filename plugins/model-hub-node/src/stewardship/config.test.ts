import { ConfigReader } from '@backstage/config';
import {
  DEFAULT_STEWARDSHIP_CONFIG,
  readStewardshipConfig,
  resolveStewardshipConfig,
} from './config';

const fakeConfig = (data: Record<string, any>) => new ConfigReader(data);

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

  it('accepts numeric strings (as app-config does for env substitutions) and rejects other strings', () => {
    expect(
      readStewardshipConfig(
        fakeConfig({ modelHub: { stewardship: { staleAfterMonths: '12' } } }),
      ).staleAfterMonths,
    ).toBe(12);
    expect(() =>
      readStewardshipConfig(
        fakeConfig({
          modelHub: { stewardship: { staleAfterMonths: 'eighteen' } },
        }),
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
