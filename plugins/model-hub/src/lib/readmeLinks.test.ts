/* eslint-disable no-script-url -- the point of these tests is script URLs */
import {
  classifyCardUrl,
  findModelCardPath,
  resolveVersionPath,
} from './readmeLinks';

describe('classifyCardUrl', () => {
  it.each([
    [
      'https://example.com/a',
      { kind: 'external', href: 'https://example.com/a' },
    ],
    [
      'mailto:team@example.com',
      { kind: 'external', href: 'mailto:team@example.com' },
    ],
    ['#usage', { kind: 'anchor', href: '#usage' }],
    ['img/x.png', { kind: 'file', path: 'docs/img/x.png' }],
    ['./img/x.png?raw=1#top', { kind: 'file', path: 'docs/img/x.png' }],
    ['../weights/model.onnx', { kind: 'file', path: 'weights/model.onnx' }],
    ['img/my%20plot.png', { kind: 'file', path: 'docs/img/my plot.png' }],
  ])('keeps %s', (url, expected) => {
    expect(classifyCardUrl(url, 'docs/README.md')).toEqual(expected);
  });

  it.each([
    'javascript:alert(1)',
    'JaVaScRiPt:alert(1)',
    ' javascript:alert(1)',
    'java\tscript:alert(1)',
    'data:text/html;base64,PHNjcmlwdD4=',
    'vbscript:msgbox',
    'file:///etc/passwd',
    '//evil.example.com/x.png',
    '/etc/passwd',
    '\\\\evil\\share',
    '../../etc/passwd',
    'img/%2e%2e/%2e%2e/%2e%2e/x',
    'img/%E0%A4%A',
    'https://user:pass@example.com/',
    '',
  ])('blocks %j', url => {
    expect(classifyCardUrl(url, 'docs/README.md')).toEqual({ kind: 'blocked' });
  });
});

describe('resolveVersionPath', () => {
  it('stays inside the version', () => {
    expect(resolveVersionPath('a/../b.png', 'README.md')).toBe('b.png');
    expect(resolveVersionPath('../b.png', 'README.md')).toBeUndefined();
    expect(resolveVersionPath('.', 'README.md')).toBeUndefined();
  });
});

describe('findModelCardPath', () => {
  it('prefers the README at the root, any case', () => {
    expect(findModelCardPath(['docs/README.md', 'readme.md', 'x.md'])).toBe(
      'readme.md',
    );
    expect(findModelCardPath(['a/b/README.md', 'a/README.md'])).toBe(
      'a/README.md',
    );
    expect(findModelCardPath(['model.onnx', 'READMEX.md'])).toBeUndefined();
  });
});
