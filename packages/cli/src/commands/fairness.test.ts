import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { runCli } from '../__testUtils__/runCli';

const run = runCli;

// Hand-computed: sex F selection 0.5, TPR 0.5, FPR 0.5; sex M selection 0.75, TPR 1, FPR 0.5.
const CSV = `label,prediction,sex,age
1,1,F,young
1,0,F,young
0,1,F,old
0,0,F,old
1,1,M,young
1,1,M,old
0,0,M,young
0,1,M,old
`;

describe('model-hub fairness (real process)', () => {
  jest.setTimeout(60_000);
  const dir = mkdtempSync(join(tmpdir(), 'model-hub-fairness-'));
  const file = join(dir, 'predictions.csv');
  writeFileSync(file, CSV);
  const base = [
    'fairness',
    '--eval',
    file,
    '--label',
    'label',
    '--prediction',
    'prediction',
  ];

  it('prints the documented JSON document and exits 0', async () => {
    const { code, stdout } = await run([
      ...base,
      '--sensitive',
      'sex',
      '--min-group-size',
      '1',
      '--json',
    ]);
    expect(code).toBe(0);
    const doc = JSON.parse(stdout);
    expect(doc.groups).toEqual({
      'sex=F': {
        count: 4,
        selection_rate: 0.5,
        tpr: 0.5,
        fpr: 0.5,
        accuracy: 0.5,
      },
      'sex=M': {
        count: 4,
        selection_rate: 0.75,
        tpr: 1,
        fpr: 0.5,
        accuracy: 0.75,
      },
    });
    expect(doc.demographic_parity_difference).toBe(0.25);
    expect(doc.demographic_parity_ratio).toBeCloseTo(2 / 3, 12);
    expect(doc.equalized_odds_difference).toBe(0.5);
    expect(doc.disparate_impact_ratio).toBeCloseTo(2 / 3, 12);
  });

  it('keys intersections as attr=value&attr=value and warns on small groups', async () => {
    const { code, stdout } = await run([
      ...base,
      '--sensitive',
      'sex,age',
      '--json',
    ]);
    expect(code).toBe(0);
    const doc = JSON.parse(stdout);
    expect(Object.keys(doc.groups)).toEqual([
      'sex=F',
      'sex=M',
      'age=old',
      'age=young',
      'sex=F&age=old',
      'sex=F&age=young',
      'sex=M&age=old',
      'sex=M&age=young',
    ]);
    // Default minimum group size 30: nothing can be compared.
    expect(doc.demographic_parity_difference).toBeNull();
    expect(doc.warnings[0]).toMatch(
      /^insufficient data: 2 of 2 groups of sex have fewer than 30 rows/,
    );
  });

  it('prints a readable table without --json', async () => {
    const { code, stdout } = await run([
      ...base,
      '--sensitive',
      'sex',
      '--min-group-size',
      '1',
    ]);
    expect(code).toBe(0);
    expect(stdout).toMatch(/^8 rows, positive label "1", minimum group size 1/);
    expect(stdout).toMatch(/sex=M +4 +0\.7500 +1\.0000 +0\.5000 +0\.7500/);
    expect(stdout).toMatch(/demographic parity difference +0\.2500/);
  });

  it('exits 4 with a clear message for missing columns, files and bad flags', async () => {
    const missing = await run([...base, '--sensitive', 'gender', '--json']);
    expect(missing.code).toBe(4);
    expect(missing.stderr).toContain(
      'column "gender" is not in the CSV header (columns: label, prediction, sex, age)',
    );
    expect(missing.stdout).toBe('');
    const noFile = await run([
      'fairness',
      '--eval',
      join(dir, 'nope.csv'),
      '--label',
      'l',
      '--prediction',
      'p',
      '--sensitive',
      's',
    ]);
    expect(noFile.code).toBe(4);
    expect(noFile.stderr).toContain('nope.csv: no such file');
    const noFlag = await run([
      'fairness',
      '--eval',
      file,
      '--label',
      'label',
      '--prediction',
      'prediction',
    ]);
    expect(noFlag.code).toBe(4);
    expect(noFlag.stderr).toContain(
      "required option '--sensitive <columns>' not specified",
    );
    const badSize = await run([
      ...base,
      '--sensitive',
      'sex',
      '--min-group-size',
      '0',
    ]);
    expect(badSize.code).toBe(4);
    expect(badSize.stderr).toContain(
      '--min-group-size must be a positive integer, got "0"',
    );
  });
});
