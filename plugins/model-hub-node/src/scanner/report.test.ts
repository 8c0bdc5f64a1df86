import { ScanReport, verdictOf, worstVerdict, sortFindings } from './report';

describe('verdictOf', () => {
  const f = (severity: 'critical' | 'high' | 'medium' | 'low') => ({
    severity,
    rule: 'x/y',
    message: 'something',
  });
  it('is unsafe for critical or high findings, even when parsing failed', () => {
    expect(verdictOf([f('critical')], true)).toBe('unsafe');
    expect(verdictOf([f('low'), f('high')], false)).toBe('unsafe');
  });
  it('is error when the file was not fully parsed', () => {
    expect(verdictOf([f('medium')], false)).toBe('error');
    expect(verdictOf([], false, false)).toBe('error');
  });
  it('is unsupported for non-model content and safe otherwise', () => {
    expect(verdictOf([], true, false)).toBe('unsupported');
    expect(verdictOf([f('medium'), f('low')], true)).toBe('safe');
  });
});

describe('worstVerdict', () => {
  it('orders unsafe > error > unsupported > safe', () => {
    expect(worstVerdict([])).toBe('safe');
    expect(worstVerdict(['safe', 'unsupported'])).toBe('unsupported');
    expect(worstVerdict(['unsupported', 'error', 'safe'])).toBe('error');
    expect(worstVerdict(['error', 'unsafe', 'safe'])).toBe('unsafe');
  });
});

describe('ScanReport', () => {
  it('marks the file as not fully parsed on fail() and sorts findings by severity', () => {
    const r = new ScanReport();
    r.add('low', 'a/low', 'low one');
    r.fail('a/bad', 'broken', 'here');
    r.add('critical', 'a/crit', 'critical one');
    expect(r.parsedFully).toBe(false);
    expect(sortFindings(r.findings).map(x => x.rule)).toEqual([
      'a/crit',
      'a/bad',
      'a/low',
    ]);
  });
});
