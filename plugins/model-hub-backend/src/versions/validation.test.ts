import {
  assertValidAlias,
  assertValidFilePath,
  assertValidVersion,
} from './validation';

describe('assertValidVersion', () => {
  it.each(['1.0.0', '0.1.2', '2.0.0-rc.1'])('accepts %s', version =>
    expect(() => assertValidVersion(version)).not.toThrow(),
  );

  it.each(['1', '1.0', 'latest', ''])('rejects %j', version =>
    expect(() => assertValidVersion(version)).toThrow(/Invalid version/),
  );
});

describe('assertValidVersion canonical form', () => {
  it.each([
    ['v1.0.0', '1.0.0'],
    ['1.2.3+build.5', '1.2.3'],
  ])('rejects %s and names %s', (version, canonical) =>
    expect(() => assertValidVersion(version)).toThrow(
      `use the canonical form '${canonical}'`,
    ),
  );
});

describe('assertValidAlias', () => {
  it.each(['latest', 'champion', 'a', 'prod-eu-1', `a${'b'.repeat(62)}`])(
    'accepts %s',
    alias => expect(() => assertValidAlias(alias)).not.toThrow(),
  );

  it.each([
    'Latest',
    '1champion',
    '-x',
    'has_underscore',
    '',
    `a${'b'.repeat(63)}`,
  ])('rejects %j', alias =>
    expect(() => assertValidAlias(alias)).toThrow(/Invalid alias/),
  );
});

describe('assertValidFilePath', () => {
  it.each([
    'model.safetensors',
    'weights/part-1.bin',
    'a/b/c/d.json',
    '.config',
  ])('accepts %s', path =>
    expect(() => assertValidFilePath(path)).not.toThrow(),
  );

  it.each([
    ['', /empty/],
    ['/etc/passwd', /absolute/],
    ['../secret', /'\.\.'/],
    ['a/../b', /'\.\.'/],
    ['a\\b', /backslash/],
    ['a//b', /empty path segments/],
    ['a/', /empty path segments/],
    ['./a', /'\.'/],
    ['C:/x', /drive/],
    ['a\u0000b', /control/],
  ])('rejects %j', (path, message) =>
    expect(() => assertValidFilePath(path)).toThrow(message),
  );
});
