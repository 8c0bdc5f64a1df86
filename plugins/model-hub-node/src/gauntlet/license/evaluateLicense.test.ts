import { ConfigReader } from '@backstage/config';
import satisfies from 'spdx-satisfies';
import { evaluateLicense, parseLicenseExpression } from './evaluateLicense';
import {
  DEFAULT_LICENSE_POLICY,
  expandLicensePatterns,
  INTENDED_USES,
  IntendedUse,
  readLicensePolicy,
} from './policy';

const verdict = (expression: string, use: IntendedUse) =>
  evaluateLicense({ expression, use }).verdict;

describe('evaluateLicense (default policy)', () => {
  it.each([
    'MIT',
    'Apache-2.0',
    'BSD-3-Clause',
    'BSD-2-Clause-Patent',
    'ISC',
    'CC0-1.0',
  ])('allows permissive %s for every use', expression => {
    for (const use of INTENDED_USES)
      expect(verdict(expression, use)).toBe('allowed');
  });

  it('sends weak copyleft to review for commercial use only', () => {
    for (const expression of [
      'LGPL-2.1-only',
      'LGPL-3.0-or-later',
      'MPL-2.0',
      'EPL-2.0',
    ]) {
      expect(verdict(expression, 'commercial')).toBe('review');
      expect(verdict(expression, 'internal')).toBe('allowed');
      expect(verdict(expression, 'research')).toBe('allowed');
    }
  });

  it('denies strong copyleft commercially and reviews it internally', () => {
    for (const expression of [
      'GPL-2.0-only',
      'GPL-3.0-or-later',
      'GPL-2.0+',
      'AGPL-3.0-only',
    ]) {
      expect(verdict(expression, 'commercial')).toBe('denied');
      expect(verdict(expression, 'internal')).toBe('review');
      expect(verdict(expression, 'research')).toBe('allowed');
    }
    const result = evaluateLicense({
      expression: 'AGPL-3.0-only',
      use: 'commercial',
    });
    expect(result.reasons[0]).toMatch(
      /^AGPL-3.0-only is strong-copyleft: denied for commercial use/,
    );
  });

  it('limits non-commercial licenses to research', () => {
    for (const expression of [
      'CC-BY-NC-4.0',
      'CC-BY-NC-SA-4.0',
      'CC-BY-NC-ND-3.0',
    ]) {
      expect(verdict(expression, 'commercial')).toBe('denied');
      expect(verdict(expression, 'internal')).toBe('denied');
      expect(verdict(expression, 'research')).toBe('allowed');
    }
  });

  it('sends licenses the policy does not know to review', () => {
    const result = evaluateLicense({
      expression: 'Artistic-2.0',
      use: 'commercial',
    });
    expect(result.verdict).toBe('review');
    expect(result.reasons).toEqual([
      'Artistic-2.0: not covered by the license policy (review)',
    ]);
    expect(result.terms).toEqual([
      { license: 'Artistic-2.0', category: 'unknown', decision: 'review' },
    ]);
  });

  it('takes the best option of OR and the worst term of AND', () => {
    expect(verdict('GPL-3.0-only OR MIT', 'commercial')).toBe('allowed');
    expect(verdict('GPL-3.0-only AND MIT', 'commercial')).toBe('denied');
    expect(
      verdict('MIT AND (LGPL-2.1-only OR GPL-2.0-only)', 'commercial'),
    ).toBe('review');
    expect(
      verdict('(CC-BY-NC-4.0 OR MPL-2.0) AND Apache-2.0', 'internal'),
    ).toBe('allowed');
    const or = evaluateLicense({
      expression: 'GPL-3.0-only OR MIT',
      use: 'commercial',
    });
    expect(or.reasons[0]).toMatch(/^MIT is permissive: allowed/);
    expect(or.reasons[1]).toMatch(
      /^\(alternative not needed: GPL-3.0-only is strong-copyleft/,
    );
  });

  it('applies license exceptions from the policy', () => {
    expect(
      verdict('GPL-2.0-only WITH Classpath-exception-2.0', 'commercial'),
    ).toBe('review');
    expect(verdict('Apache-2.0 WITH LLVM-exception', 'commercial')).toBe(
      'allowed',
    );
    const unknownException = evaluateLicense({
      expression: 'GPL-2.0-or-later WITH Bison-exception-2.2',
      use: 'commercial',
    });
    expect(unknownException.verdict).toBe('denied');
    expect(unknownException.reasons[0]).toContain(
      'exception Bison-exception-2.2 not in the policy',
    );
  });

  it('evaluates custom LicenseRef terms with their obligations', () => {
    const commercial = evaluateLicense({
      expression: 'LicenseRef-llama-3-community',
      use: 'commercial',
    });
    expect(commercial.verdict).toBe('review');
    expect(commercial.reasons[0]).toMatch(/700 million monthly active users/);
    expect(commercial.obligations).toContain(
      'Display "Built with Llama" prominently with products or services that use the model',
    );
    expect(verdict('LicenseRef-llama-3-community', 'research')).toBe('allowed');
    expect(verdict('LicenseRef-gemma', 'commercial')).toBe('allowed');
    const unknown = evaluateLicense({
      expression: 'LicenseRef-acme-eula',
      use: 'research',
    });
    expect(unknown.verdict).toBe('review');
    expect(unknown.reasons[0]).toBe(
      'LicenseRef-acme-eula: custom license terms not defined in the license policy (review)',
    );
  });

  it('reports invalid expressions clearly', () => {
    const cases: Array<[string, RegExp]> = [
      ['', /no license expression given/],
      ['Apache 2', /"Apache" is not an SPDX license id/],
      ['mit', /"mit" is not an SPDX license id; did you mean "MIT"\?/],
      ['MIT OR', /"MIT OR" is not a valid SPDX expression/],
      ['(MIT', /"\(MIT" is not a valid SPDX expression: Expected `\)`/],
      ['NOASSERTION', /states no license/],
      ['llama3-license', /custom terms must be written LicenseRef-<id>/],
    ];
    for (const [expression, message] of cases) {
      const result = evaluateLicense({ expression, use: 'research' });
      expect(result.verdict).toBe('invalid');
      expect(result.reasons[0]).toMatch(message);
    }
    expect(parseLicenseExpression('MIT OR Apache-2.0').ok).toBe(true);
  });

  it('rejects an unknown intended use', () => {
    expect(() =>
      evaluateLicense({ expression: 'MIT', use: 'personal' as IntendedUse }),
    ).toThrow(
      'intended use must be one of commercial, internal, research, got "personal"',
    );
  });
});

describe('evaluateLicense inheritance', () => {
  it('denies a model whose base model forbids the use, whatever it claims itself', () => {
    const result = evaluateLicense({
      expression: 'Apache-2.0',
      inherited: [{ from: 'model:default/base', expression: 'CC-BY-NC-4.0' }],
      use: 'commercial',
    });
    expect(result.verdict).toBe('denied');
    expect(result.reasons[0]).toMatch(
      /^inherited from model:default\/base \(CC-BY-NC-4.0\): denied: CC-BY-NC-4.0 is non-commercial/,
    );
    expect(result.inherited[0]).toMatchObject({
      from: 'model:default/base',
      verdict: 'denied',
    });
  });

  it('denies a model trained on data whose terms forbid the use', () => {
    const result = evaluateLicense({
      expression: 'MIT',
      inherited: [
        { from: 'model:default/base', expression: 'Apache-2.0' },
        { from: 'resource:default/scraped', expression: 'CC-BY-NC-SA-4.0' },
      ],
      use: 'internal',
    });
    expect(result.verdict).toBe('denied');
    expect(result.reasons[0]).toContain('resource:default/scraped');
  });

  it('allows research use of the same chain', () => {
    const result = evaluateLicense({
      expression: 'MIT',
      inherited: [
        { from: 'resource:default/scraped', expression: 'CC-BY-NC-SA-4.0' },
      ],
      use: 'research',
    });
    expect(result.verdict).toBe('allowed');
  });

  it('passes inherited obligations down and reviews unverifiable inheritance', () => {
    const result = evaluateLicense({
      expression: 'Apache-2.0',
      inherited: [
        {
          from: 'model:default/llama',
          expression: 'LicenseRef-llama-3-community',
        },
        {
          from: 'resource:default/missing',
          unavailable: 'training dataset not found in the catalog',
        },
        { from: 'resource:default/bad', expression: 'Bogus-1.0' },
      ],
      use: 'internal',
    });
    expect(result.verdict).toBe('review');
    expect(result.obligations).toEqual(
      expect.arrayContaining(['Follow the Llama Acceptable Use Policy']),
    );
    expect(result.reasons).toEqual(
      expect.arrayContaining([
        'review: resource:default/missing: training dataset not found in the catalog; its license terms cannot be verified',
        expect.stringMatching(
          /^review: license of resource:default\/bad cannot be verified: "Bogus-1.0"/,
        ),
      ]),
    );
  });

  it('keeps an invalid own expression invalid unless an inheritance denies', () => {
    expect(
      evaluateLicense({
        expression: 'not a license',
        inherited: [{ from: 'model:default/b', expression: 'MIT' }],
        use: 'commercial',
      }).verdict,
    ).toBe('invalid');
    expect(
      evaluateLicense({
        expression: 'not a license',
        inherited: [{ from: 'model:default/b', expression: 'GPL-3.0-only' }],
        use: 'commercial',
      }).verdict,
    ).toBe('denied');
  });
});

describe('license policy', () => {
  it('has only entries the SPDX tools understand', () => {
    for (const category of Object.values(DEFAULT_LICENSE_POLICY.categories)) {
      const licenses = expandLicensePatterns(category.licenses);
      expect(licenses.length).toBeGreaterThanOrEqual(category.licenses.length);
      // Throws on an id the parser does not know.
      for (const l of licenses) expect(satisfies(l, licenses)).toBe(true);
    }
  });

  it('reads overrides from config on top of the defaults', () => {
    const policy = readLicensePolicy(
      new ConfigReader({
        categories: {
          'strong-copyleft': {
            licenses: ['GPL-3.0-only'],
            uses: {
              commercial: 'review',
              internal: 'allowed',
              research: 'allowed',
            },
          },
        },
        licenseRefs: {
          'LicenseRef-acme-eula': {
            name: 'ACME EULA',
            uses: {
              commercial: 'denied',
              internal: 'allowed',
              research: 'allowed',
            },
            obligations: ['No redistribution'],
          },
        },
        unknown: 'denied',
      }),
    );
    expect(
      evaluateLicense({ expression: 'GPL-3.0-only', use: 'commercial' }, policy)
        .verdict,
    ).toBe('review');
    expect(
      evaluateLicense({ expression: 'MIT', use: 'commercial' }, policy).verdict,
    ).toBe('allowed');
    const acme = evaluateLicense(
      { expression: 'LicenseRef-acme-eula', use: 'internal' },
      policy,
    );
    expect(acme).toMatchObject({
      verdict: 'allowed',
      obligations: ['No redistribution'],
    });
    expect(
      evaluateLicense({ expression: 'Artistic-2.0', use: 'research' }, policy)
        .verdict,
    ).toBe('denied');
  });

  it('rejects invalid policy config with a clear message', () => {
    expect(() =>
      readLicensePolicy(
        new ConfigReader({
          categories: {
            x: {
              licenses: ['MIT'],
              uses: {
                commercial: 'maybe',
                internal: 'allowed',
                research: 'allowed',
              },
            },
          },
        }),
      ),
    ).toThrow(
      'Invalid license policy: uses.commercial must be one of allowed, denied, review, got "maybe"',
    );
    expect(() =>
      readLicensePolicy(
        new ConfigReader({ exceptions: { 'LLVM-exception': 'nope' } }),
      ),
    ).toThrow('exception LLVM-exception refers to unknown category "nope"');
  });
});
