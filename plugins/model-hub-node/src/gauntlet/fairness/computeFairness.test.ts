import { Readable } from 'node:stream';
import fc from 'fast-check';
import { computeFairness } from './computeFairness';
import { FairnessInputError } from './dictionary';
import { fairnessGroupKey, fairnessReportToJson } from './metrics';

// A hand-computed table. sex F: (y,p) = (1,1) (1,0) (0,1) (0,0);
// sex M: (1,1) (1,1) (0,0) (0,1). Ages: F young, young, old, old; M young, old, young, old.
const TABLE = [
  { label: '1', prediction: '1', sex: 'F', age: 'young' },
  { label: '1', prediction: '0', sex: 'F', age: 'young' },
  { label: '0', prediction: '1', sex: 'F', age: 'old' },
  { label: '0', prediction: '0', sex: 'F', age: 'old' },
  { label: '1', prediction: '1', sex: 'M', age: 'young' },
  { label: '1', prediction: '1', sex: 'M', age: 'old' },
  { label: '0', prediction: '0', sex: 'M', age: 'young' },
  { label: '0', prediction: '1', sex: 'M', age: 'old' },
];

function toCsv(rows: Array<Record<string, string>>, eol = '\n'): string {
  const header = Object.keys(rows[0]);
  const quote = (v: string) =>
    /[",\r\n]/.test(v) || v === '' ? `"${v.replace(/"/g, '""')}"` : v;
  return [
    header.map(quote).join(','),
    ...rows.map(r => header.map(h => quote(r[h])).join(',')),
  ]
    .map(l => l + eol)
    .join('');
}

/** Splits a string into byte chunks at the given sizes (to exercise chunk boundaries). */
function chunked(text: string, size: number): Buffer[] {
  const buf = Buffer.from(text, 'utf8');
  const chunks: Buffer[] = [];
  for (let i = 0; i < buf.length; i += size)
    chunks.push(buf.subarray(i, i + size));
  return chunks;
}

const options = {
  label: 'label',
  prediction: 'prediction',
  sensitive: ['sex'],
  minGroupSize: 1,
};

describe('computeFairness', () => {
  it('computes per-group rates and summary metrics for one attribute', async () => {
    const report = await computeFairness(TABLE, options);
    expect(report.rows).toBe(8);
    expect(report.positiveLabel).toBe('1');
    expect(report.groups['sex=F']).toMatchObject({
      count: 4,
      selectionRate: 0.5,
      tpr: 0.5,
      fpr: 0.5,
      accuracy: 0.5,
    });
    expect(report.groups['sex=M']).toMatchObject({
      count: 4,
      selectionRate: 0.75,
      tpr: 1,
      fpr: 0.5,
      accuracy: 0.75,
    });
    expect(report.demographicParityDifference).toBeCloseTo(0.25, 12);
    expect(report.demographicParityRatio).toBeCloseTo(2 / 3, 12);
    expect(report.disparateImpactRatio).toBeCloseTo(2 / 3, 12);
    // TPR gap 0.5, FPR gap 0.
    expect(report.equalizedOddsDifference).toBeCloseTo(0.5, 12);
    expect(report.warnings).toEqual([]);
    expect(report.insufficientData).toBe(false);
  });

  it('computes intersections and takes the worst grouping for the summary', async () => {
    const report = await computeFairness(TABLE, {
      ...options,
      sensitive: ['sex', 'age'],
    });
    expect(report.groupings.map(g => g.attributes)).toEqual([
      ['sex'],
      ['age'],
      ['sex', 'age'],
    ]);
    expect(report.groups['age=young']).toMatchObject({
      selectionRate: 0.5,
      tpr: 2 / 3,
      fpr: 0,
      accuracy: 0.75,
    });
    expect(report.groups['age=old']).toMatchObject({
      selectionRate: 0.75,
      tpr: 1,
      accuracy: 0.5,
    });
    expect(report.groups['age=old'].fpr).toBeCloseTo(2 / 3, 12);
    // Undefined rates: F&young has no actual negatives, F&old no actual positives.
    expect(report.groups['sex=F&age=young']).toMatchObject({
      tpr: 0.5,
      fpr: null,
    });
    expect(report.groups['sex=F&age=old']).toMatchObject({
      tpr: null,
      fpr: 0.5,
    });
    expect(report.groups['sex=M&age=old']).toMatchObject({
      selectionRate: 1,
      tpr: 1,
      fpr: 1,
    });
    const intersection = report.groupings[2];
    expect(intersection.demographicParityDifference).toBe(0.5);
    expect(intersection.truePositiveRateDifference).toBe(0.5);
    expect(intersection.falsePositiveRateDifference).toBe(1);
    expect(report.demographicParityDifference).toBe(0.5);
    expect(report.demographicParityRatio).toBe(0.5);
    expect(report.equalizedOddsDifference).toBe(1);
    expect(report.disparateImpactRatio).toBe(0.5);
    expect(report.warnings.join('\n')).toMatch(
      /true positive rate undefined \(no actual positives\) for sex=F&age=old/,
    );
    expect(report.warnings.join('\n')).toMatch(
      /false positive rate undefined \(no actual negatives\) for sex=F&age=young/,
    );
  });

  it('leaves small groups out of the summary with an insufficient-data warning', async () => {
    const report = await computeFairness(TABLE, {
      ...options,
      sensitive: ['sex', 'age'],
      minGroupSize: 3,
    });
    expect(report.groups['sex=F&age=young'].sufficient).toBe(false);
    expect(report.groupings[2].demographicParityDifference).toBeNull();
    // Only the single-attribute groupings count now.
    expect(report.demographicParityDifference).toBe(0.25);
    expect(report.equalizedOddsDifference).toBeCloseTo(2 / 3, 12);
    expect(report.insufficientData).toBe(true);
    expect(report.warnings[0]).toMatch(
      /^insufficient data: 4 of 4 groups of sex&age have fewer than 3 rows/,
    );
  });

  it('gives null metrics, not a pass, when no two groups are large enough', async () => {
    const report = await computeFairness(TABLE, {
      ...options,
      minGroupSize: 5,
    });
    expect(report.demographicParityDifference).toBeNull();
    expect(report.equalizedOddsDifference).toBeNull();
    expect(report.disparateImpactRatio).toBeNull();
    expect(report.insufficientData).toBe(true);
  });

  it('reads CSV bytes (fast path) with the same result as records, across chunk sizes', async () => {
    const expected = await computeFairness(TABLE, {
      ...options,
      sensitive: ['sex', 'age'],
    });
    for (const size of [1, 2, 3, 7, 64, 4096]) {
      for (const eol of ['\n', '\r\n']) {
        const report = await computeFairness(chunked(toCsv(TABLE, eol), size), {
          ...options,
          sensitive: ['sex', 'age'],
        });
        expect(report).toEqual(expected);
      }
    }
  });

  it('reads a Node stream and JSONL', async () => {
    const expected = await computeFairness(TABLE, options);
    const csv = await computeFairness(
      Readable.from([Buffer.from(toCsv(TABLE))]),
      options,
    );
    expect(csv).toEqual(expected);
    const jsonl = TABLE.map(r =>
      JSON.stringify({ ...r, label: Number(r.label) }),
    ).join('\n');
    const fromJsonl = await computeFairness(Readable.from(chunked(jsonl, 5)), {
      ...options,
      format: 'jsonl',
    });
    expect(fromJsonl).toEqual(expected);
  });

  it('handles quoted fields, escapes, embedded newlines, a BOM and extra columns', async () => {
    const csv =
      '\uFEFFid,"label",prediction,note,sex\r\n' +
      '1,1,1,"a, b",F\r\n' +
      '2,0,1,"say ""hi""\nthere","F"\r\n' +
      '3,1,1,,"M, ""senior"""\r\n' +
      '4,0,0,x,"M, ""senior"""';
    for (const size of [1, 4, 1000]) {
      const report = await computeFairness(chunked(csv, size), options);
      expect(Object.keys(report.groups)).toEqual(['sex=F', 'sex=M, "senior"']);
      expect(report.groups['sex=F']).toMatchObject({
        count: 2,
        selectionRate: 1,
        fpr: 1,
      });
      expect(report.groups['sex=M, "senior"']).toMatchObject({
        count: 2,
        selectionRate: 0.5,
      });
    }
  });

  it('agrees between the byte fast path and the record path on random tables', async () => {
    const value = fc.oneof(
      fc.constantFrom('a', 'b', 'x,y', 'q"uote', 'multi\nline', '', 'ü'),
      fc.string({ maxLength: 3 }),
    );
    const row = fc.record({
      label: fc.constantFrom('0', '1'),
      prediction: fc.constantFrom('0', '1'),
      s1: value,
      s2: fc.constantFrom('p', 'q'),
    });
    await fc.assert(
      fc.asyncProperty(
        fc.array(row, { minLength: 1, maxLength: 40 }),
        fc.integer({ min: 1, max: 50 }),
        async (rows, size) => {
          const opts = {
            label: 'label',
            prediction: 'prediction',
            sensitive: ['s1', 's2'],
            positive: '1',
            minGroupSize: 2,
          };
          // Same report, or the same error (e.g. no positive label at all).
          const settle = (p: Promise<unknown>) =>
            p.then(
              result => ({ value: result }),
              (error: Error) => ({ error: error.message }),
            );
          const expected = await settle(computeFairness(rows, opts));
          const actual = await settle(
            computeFairness(chunked(toCsv(rows), size), opts),
          );
          expect(actual).toEqual(expected);
        },
      ),
      { numRuns: 150 },
    );
  });

  it('infers the positive label or asks for it', async () => {
    const yesNo = TABLE.map(r => ({
      ...r,
      label: r.label === '1' ? 'yes' : 'no',
      prediction: r.prediction === '1' ? 'yes' : 'no',
    }));
    expect((await computeFairness(yesNo, options)).positiveLabel).toBe('yes');
    const words = TABLE.map(r => ({
      ...r,
      label: r.label === '1' ? 'approve' : 'reject',
    }));
    await expect(computeFairness(words, options)).rejects.toThrow(
      /cannot infer the positive label from the values "approve", "reject", "1", "0"/,
    );
    await expect(
      computeFairness(TABLE, { ...options, positive: 'approve' }),
    ).rejects.toThrow(
      /the positive label "approve" occurs neither in column "label"/,
    );
  });

  it('compares raw values for accuracy (multi-class) and binarizes for rates', async () => {
    const rows = [
      { label: 'cat', prediction: 'cat', g: 'a' },
      { label: 'dog', prediction: 'bird', g: 'a' },
      { label: 'bird', prediction: 'cat', g: 'b' },
      { label: 'cat', prediction: 'dog', g: 'b' },
    ];
    const report = await computeFairness(rows, {
      label: 'label',
      prediction: 'prediction',
      sensitive: ['g'],
      positive: 'cat',
      minGroupSize: 1,
    });
    // Group a: dog→bird is wrong but both "not cat": accuracy counts raw equality.
    expect(report.groups['g=a']).toMatchObject({
      accuracy: 0.5,
      selectionRate: 0.5,
      tpr: 1,
      fpr: 0,
    });
    expect(report.groups['g=b']).toMatchObject({
      accuracy: 0,
      selectionRate: 0.5,
      tpr: 0,
      fpr: 1,
    });
  });

  it('rejects bad input with clear errors', async () => {
    await expect(
      computeFairness(
        [Buffer.from('label,prediction,gender\n1,1,F\n')],
        options,
      ),
    ).rejects.toThrow(
      'column "sex" is not in the CSV header (columns: label, prediction, gender)',
    );
    await expect(
      computeFairness(
        [Buffer.from('label,prediction,sex\n1,1,F\n1,1\n')],
        options,
      ),
    ).rejects.toThrow('data row 2 has 2 fields, the header has 3');
    await expect(
      computeFairness([Buffer.from('label,prediction,sex\n1,1,"F\n')], options),
    ).rejects.toThrow('data row 1: a quoted field is never closed');
    await expect(
      computeFairness(
        [Buffer.from('label,prediction,sex\n1,1,"F"x\n')],
        options,
      ),
    ).rejects.toThrow(
      'data row 1: unexpected character after the closing quote of field 3',
    );
    await expect(computeFairness([Buffer.from('')], options)).rejects.toThrow(
      'the CSV file is empty (no header row)',
    );
    await expect(
      computeFairness([Buffer.from('label,prediction,sex\n')], options),
    ).rejects.toThrow('the evaluation data has no rows');
    await expect(
      computeFairness([Buffer.from('{"label":1}\nnot json\n')], {
        ...options,
        format: 'jsonl',
      }),
    ).rejects.toThrow(/^row 1 has no value for column "prediction"/);
    await expect(
      computeFairness(
        [Buffer.from('{"label":1,"prediction":1,"sex":"F"}\nnot json\n')],
        {
          ...options,
          format: 'jsonl',
        },
      ),
    ).rejects.toThrow(/^line 2 is not valid JSON/);
    await expect(
      computeFairness(TABLE, { ...options, sensitive: ['label'] }),
    ).rejects.toThrow('column "label" is used more than once');
    await expect(
      computeFairness(TABLE, { ...options, sensitive: [] }),
    ).rejects.toBeInstanceOf(FairnessInputError);
  });

  it('rejects continuous columns instead of exhausting memory', async () => {
    const rows = Array.from({ length: 70000 }, (_, i) => ({
      label: '1',
      prediction: '1',
      sex: String(i),
    }));
    await expect(computeFairness(rows, options)).rejects.toThrow(
      /column "sex" has more than 65536 distinct values/,
    );
  });

  it('escapes separators inside group keys', () => {
    expect(fairnessGroupKey([['a&b', 'x=y']])).toBe('a%26b=x%3Dy');
  });

  it('serializes the report in the CLI JSON shape', async () => {
    const json = fairnessReportToJson(await computeFairness(TABLE, options));
    expect(json.groups['sex=F']).toEqual({
      count: 4,
      selection_rate: 0.5,
      tpr: 0.5,
      fpr: 0.5,
      accuracy: 0.5,
    });
    expect(json.demographic_parity_difference).toBe(0.25);
  });
});
