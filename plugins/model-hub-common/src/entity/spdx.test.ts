import {
  checkSpdxExpression,
  listSpdxLicenses,
  parseSpdxExpression,
} from './spdx';

describe('parseSpdxExpression', () => {
  it.each([
    'MIT',
    'Apache-2.0',
    'GPL-2.0+',
    'GPL-2.0-or-later WITH Classpath-exception-2.0',
    'MIT OR Apache-2.0',
    'LicenseRef-llama-3-community',
    'DocumentRef-spdx-tool-1.2:LicenseRef-MIT-Style-2',
    '(MIT OR Apache-2.0) AND LicenseRef-example-internal',
    'LGPL-2.1-only OR BSD-3-Clause AND MIT',
    '((MIT))',
  ])('accepts %s', expression => {
    expect(checkSpdxExpression(expression)).toBeUndefined();
  });

  it('builds a tree with AND binding tighter than OR', () => {
    expect(
      parseSpdxExpression('LGPL-2.1-only OR BSD-3-Clause AND MIT'),
    ).toEqual({
      type: 'or',
      operands: [
        { type: 'license', license: 'LGPL-2.1-only', orLater: false },
        {
          type: 'and',
          operands: [
            { type: 'license', license: 'BSD-3-Clause', orLater: false },
            { type: 'license', license: 'MIT', orLater: false },
          ],
        },
      ],
    });
  });

  it('records WITH exceptions, + suffixes and document refs', () => {
    expect(parseSpdxExpression('GPL-2.0+ WITH Bison-exception-2.2')).toEqual({
      type: 'license',
      license: 'GPL-2.0',
      orLater: true,
      exception: 'Bison-exception-2.2',
    });
    expect(parseSpdxExpression('DocumentRef-a:LicenseRef-b')).toEqual({
      type: 'license',
      license: 'LicenseRef-b',
      documentRef: 'DocumentRef-a',
      orLater: false,
    });
  });

  it('lists the licenses of an expression', () => {
    expect(
      listSpdxLicenses(
        parseSpdxExpression('(MIT OR Apache-2.0) AND LicenseRef-x WITH foo'),
      ),
    ).toEqual(['MIT', 'Apache-2.0', 'LicenseRef-x']);
  });

  it.each([
    ['', 'license expression is empty'],
    ['   ', 'license expression is empty'],
    [
      'MIT and Apache-2.0',
      'operator "and" at position 4 must be upper case (AND)',
    ],
    ['MIT OR', 'expected a license id, found end of expression'],
    ['AND MIT', 'expected a license id, found "AND" at position 0'],
    [
      '(MIT OR Apache-2.0',
      'expected ")" to close "(" at position 0, found end of expression',
    ],
    ['MIT)', 'unexpected ")" at position 3'],
    ['MIT Apache-2.0', 'unexpected "Apache-2.0" at position 4'],
    [
      'MIT WITH',
      'expected an exception id after "WITH" at position 4, found end of expression',
    ],
    ['Apache 2.0', 'unexpected "2.0" at position 7'],
    ['MIT/Apache-2.0', 'unexpected character "/" at position 3'],
    ['LicenseRef-', 'needs an id after "LicenseRef-"'],
    ['LicenseRef-x+', '"+" at position 12 cannot follow a LicenseRef'],
    [
      'DocumentRef-a:MIT',
      'must have the form DocumentRef-<id>:LicenseRef-<id>',
    ],
    ['foo:bar', 'is not a license id'],
  ])('rejects %j: %s', (expression, message) => {
    expect(checkSpdxExpression(expression)).toContain(message);
  });
});
