import { auditCsv, csvCell } from './csv';

describe('audit CSV', () => {
  it('quotes separators and neutralises spreadsheet formulas', () => {
    expect(csvCell('a,b')).toBe('"a,b"');
    expect(csvCell('say "hi"')).toBe('"say ""hi"""');
    expect(csvCell('=HYPERLINK("http://x")')).toBe(
      `"'=HYPERLINK(""http://x"")"`,
    );
    expect(csvCell('+1')).toBe("'+1");
    expect(csvCell('@SUM(A1)')).toBe("'@SUM(A1)");
    expect(csvCell('line\nbreak')).toBe('"line\nbreak"');
    expect(csvCell(undefined)).toBe('');
    expect(csvCell({ a: 1 })).toBe('"{""a"":1}"');
  });

  it('writes a header and one row per record', () => {
    const text = auditCsv([
      {
        id: 1,
        eventId: 'model-deprecate',
        outcome: 'succeeded',
        actor: 'user:default/a',
        entityRef: 'model:default/m',
        occurredAt: '2026-12-06T10:00:00.000Z',
        meta: { reason: '-1 bad' },
      },
    ]);
    expect(text.split('\r\n')).toEqual([
      'occurredAt,eventId,outcome,actor,entityRef,team,meta',
      '2026-12-06T10:00:00.000Z,model-deprecate,succeeded,user:default/a,model:default/m,,"{""reason"":""-1 bad""}"',
      '',
    ]);
  });
});
