import {
  assertValidAlias,
  assertValidFilePath,
  assertValidVersion,
  findPathCollision,
  MAX_SEGMENT_BYTES,
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
    'modèle/données.bin',
    '模型/权重.safetensors',
    'emoji-😀.txt',
    // 127 two-byte characters and one ASCII: exactly 255 bytes.
    `${'é'.repeat(127)}a`,
    `dir/${'a'.repeat(MAX_SEGMENT_BYTES)}`,
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
    ['a\u0000b', /control character U\+0000/],
    ['a\nb', /control character U\+000A/],
    ['a\u007fb', /control character U\+007F/],
    ['a\u0085b', /control character U\+0085/],
    ['a\u009bb', /control character U\+009B/],
    ...[
      0x202a, 0x202b, 0x202c, 0x202d, 0x202e, 0x2066, 0x2067, 0x2068, 0x2069,
      0x200e, 0x200f, 0x061c,
    ].map(
      c =>
        [`invoice${String.fromCodePoint(c)}fdp.exe`, /bidirectional/] as [
          string,
          RegExp,
        ],
    ),
    ...[0x200b, 0x200c, 0x200d, 0xfeff, 0x2060].map(
      c =>
        [`model${String.fromCodePoint(c)}.bin`, /zero-width/] as [
          string,
          RegExp,
        ],
    ),
    [`${'a'.repeat(MAX_SEGMENT_BYTES + 1)}`, /256 bytes in UTF-8/],
    // 128 two-byte characters: 128 characters but 256 bytes.
    [`dir/${'é'.repeat(128)}`, /256 bytes in UTF-8/],
    // Four-byte emoji: 64 characters (128 UTF-16 units), 256 bytes.
    ['😀'.repeat(64), /256 bytes in UTF-8/],
    ['a\ud800b', /unpaired surrogates/],
  ])('rejects %j', (path, message) =>
    expect(() => assertValidFilePath(path)).toThrow(message),
  );
});

describe('findPathCollision', () => {
  it.each([
    ['Model.bin', ['model.bin']],
    ['MODEL.BIN', ['weights/a', 'model.bin']],
    ['dir/Straße.txt', ['dir/STRASSE.txt']],
    // NFD é (e + combining acute) against NFC é.
    ['caf\u0065\u0301.txt', ['caf\u00e9.txt']],
    ['CAF\u0045\u0301.txt', ['caf\u00e9.txt']],
    ['Weights/a.bin', ['weights/a.bin']],
    // A file where another file needs a directory, in either order.
    ['weights', ['weights/a.bin']],
    ['Weights/a.bin/x', ['weights/A.bin']],
  ])('%j collides with one of %j', (path, existing) =>
    expect(findPathCollision(path, existing)).toBeDefined(),
  );

  it.each([
    ['model.bin', ['model.bin']],
    ['model.bin', ['model.bin.1', 'other']],
    ['a/b', ['a/c', 'b/b']],
    ['weights.bin', ['weights/a.bin']],
    ['ab/c', ['a/bc']],
  ])('%j does not collide with %j', (path, existing) =>
    expect(findPathCollision(path, existing)).toBeUndefined(),
  );
});
