import { modelVersion } from '../__testUtils__/fixtures';
import { formatBytes, shortSha } from './format';
import { compareVersions, pickPullTarget } from './versions';

describe('compareVersions', () => {
  it('orders by numeric parts, not by string', () => {
    expect(compareVersions('1.10.0', '1.9.0')).toBeGreaterThan(0);
    expect(compareVersions('2.0.0', '10.0.0')).toBeLessThan(0);
    expect(compareVersions('1.0.0', '1.0.0')).toBe(0);
  });

  it('puts a pre-release before its release', () => {
    expect(compareVersions('1.0.0-rc.1', '1.0.0')).toBeLessThan(0);
    expect(compareVersions('1.0.0', '1.0.0-rc.1')).toBeGreaterThan(0);
  });
});

describe('pickPullTarget', () => {
  it('prefers the latest alias over a newer sealed version', () => {
    const target = pickPullTarget([
      modelVersion('m', '2.0.0'),
      modelVersion('m', '1.5.0', { aliases: ['latest'] }),
    ]);
    expect(target?.selector).toBe('latest');
    expect(target?.version.version).toBe('1.5.0');
  });

  it('falls back to the newest sealed version and skips drafts', () => {
    const target = pickPullTarget([
      modelVersion('m', '1.2.0'),
      modelVersion('m', '1.10.0'),
      modelVersion('m', '3.0.0', { state: 'draft', sealedAt: undefined }),
    ]);
    expect(target?.selector).toBe('1.10.0');
  });

  it('returns undefined when nothing is sealed', () => {
    expect(pickPullTarget([])).toBeUndefined();
    expect(
      pickPullTarget([modelVersion('m', '0.1.0', { state: 'draft' })]),
    ).toBeUndefined();
  });
});

describe('format', () => {
  it('formats sizes in binary units', () => {
    expect(formatBytes(512)).toBe('512 B');
    expect(formatBytes(1536)).toBe('1.5 KiB');
    expect(formatBytes(5 * 1024 ** 3)).toBe('5.0 GiB');
    expect(formatBytes(-1)).toBe('unknown size');
  });

  it('shortens digests to 12 characters', () => {
    expect(shortSha('0123456789abcdef'.repeat(4))).toBe('0123456789ab…');
  });
});
