import { readFileSync, readdirSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { scanFile } from '../scanFile';
import { scanPaths } from '../scanFile';

const FILES = resolve(__dirname, '../../../fixtures/files');
const EVASION = join(FILES, 'pickle-evasion');
const BENIGN = join(FILES, 'pickle-benign');
const manifest: Record<string, string> = JSON.parse(
  readFileSync(join(EVASION, 'manifest.json'), 'utf8'),
);

describe('pickle evasion fixtures (fixtures/generate_pickles.py)', () => {
  it('has a manifest entry for every evasion file', () => {
    const files = readdirSync(EVASION).filter(f => f !== 'manifest.json');
    expect(files.sort()).toEqual(Object.keys(manifest).sort());
  });

  it.each(Object.entries(manifest))(
    '%s is unsafe and the finding names %s',
    async (file, resolved) => {
      const result = await scanFile(join(EVASION, file));
      expect(result.verdict).toBe('unsafe');
      const blocking = result.findings.filter(
        f => f.severity === 'critical' || f.severity === 'high',
      );
      expect(blocking.map(f => f.message).join('\n')).toContain(resolved);
    },
  );
});

describe('pickle benign fixtures (fixtures/generate_pickles.py)', () => {
  it('scans the whole benign set with zero findings above low', async () => {
    const results = await scanPaths([BENIGN]);
    expect(results.length).toBeGreaterThanOrEqual(14);
    const above = results.flatMap(r =>
      r.findings
        .filter(f => f.severity !== 'low')
        .map(f => `${r.path}: ${f.severity} ${f.rule} ${f.message}`),
    );
    expect(above).toEqual([]);
    expect(results.map(r => [r.path, r.verdict])).toEqual(
      results.map(r => [r.path, 'safe']),
    );
  });
});

describe('trustedGlobals', () => {
  const file = join(EVASION, 'unknown-global-called.pkl');

  it('lets an organisation trust a global by exact name or module pattern, noted as low', async () => {
    for (const pattern of ['mylib.loader.fetch_and_run', 'mylib.*']) {
      const result = await scanFile(file, { trustedGlobals: [pattern] });
      expect(result.verdict).toBe('safe');
      expect(result.findings).toEqual([
        expect.objectContaining({
          severity: 'low',
          rule: 'pickle/trusted-global',
        }),
      ]);
    }
  });

  it('does not trust look-alikes of a pattern', async () => {
    for (const pattern of ['mylib.load*', 'mylib.loader.fetch', 'mylibx.*']) {
      const result = await scanFile(file, { trustedGlobals: [pattern] });
      expect(result.verdict).toBe('unsafe');
    }
  });

  it('never overrides a known-dangerous name', async () => {
    const result = await scanFile(join(EVASION, 'random-os-execv.pkl'), {
      trustedGlobals: ['random.*', 'os.*'],
    });
    expect(result.verdict).toBe('unsafe');
    expect(result.findings[0].severity).toBe('critical');
  });

  it('reaches pickles inside zips through scanPaths', async () => {
    const [result] = await scanPaths(
      [join(EVASION, 'headerless-70k-first-arg-torch.pt')],
      { trustedGlobals: ['os.system'] },
    );
    expect(result.verdict).toBe('unsafe');
  });
});

describe('the example artifact', () => {
  it('examples/artifacts/churn-classifier/model.joblib scans safe', async () => {
    const result = await scanFile(
      resolve(
        __dirname,
        '../../../../../examples/artifacts/churn-classifier/model.joblib',
      ),
    );
    expect(result.verdict).toBe('safe');
  });
});
