import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { ConfigReader } from '@backstage/config';
import { readTierGates } from '@internal/plugin-model-hub-common';
import { gateFor } from './check';
import { runCli } from '../__testUtils__/runCli';

const ROOT = resolve(__dirname, '../../../..');
const r = (p: string) => resolve(ROOT, p);

const run = (args: string[]) => runCli(args, { timeoutMs: 60_000, cwd: ROOT });

describe('gateFor', () => {
  const all = (status: string, overrides: Record<string, string> = {}) =>
    ['security', 'license', 'fairness', 'performance', 'provenance'].map(
      id => ({ id, status: (overrides[id] ?? status) as 'pass', summary: '' }),
    );

  it('needs every check pass or not-applicable for official', () => {
    expect(gateFor('official', all('pass'))).toBe('pass');
    expect(
      gateFor('official', all('pass', { fairness: 'not-applicable' })),
    ).toBe('pass');
    expect(gateFor('official', all('pass', { license: 'warn' }))).toBe('fail');
  });

  it('needs security and license for community, plus provenance for external', () => {
    const fairnessFails = all('pass', { fairness: 'fail' });
    expect(gateFor('community', fairnessFails)).toBe('pass');
    expect(gateFor('external', fairnessFails)).toBe('pass');
    const provenanceErrors = all('warn', { provenance: 'error' });
    expect(gateFor('community', provenanceErrors)).toBe('pass');
    expect(gateFor('external', provenanceErrors)).toBe('fail');
    expect(gateFor('community', all('pass', { license: 'error' }))).toBe(
      'fail',
    );
    expect(gateFor('community', all('pass', { security: 'fail' }))).toBe(
      'fail',
    );
  });
});

describe('gateFor with configured gates', () => {
  it('uses the gates a portal config sets, read by the same reader as the backend', () => {
    const gates = readTierGates(
      new ConfigReader({
        modelHub: {
          gauntlet: {
            tiers: {
              community: {
                required: [
                  { check: 'security' },
                  { check: 'fairness', allow: ['pass', 'warn'] },
                ],
              },
            },
          },
        },
      }),
    );
    const checks = (fairness: string) =>
      ['security', 'license', 'fairness'].map(id => ({
        id,
        status: (id === 'fairness' ? fairness : 'pass') as 'pass',
        summary: '',
      }));
    expect(gateFor('community', checks('fail'), gates)).toBe('fail');
    expect(gateFor('community', checks('warn'), gates)).toBe('pass');
    // A required check that did not run fails the gate.
    expect(gateFor('community', checks('pass').slice(0, 2), gates)).toBe(
      'fail',
    );
  });
});

describe('model-hub check (real process)', () => {
  jest.setTimeout(120_000);
  let tmp: string;
  let modelFile: string;

  beforeAll(() => {
    tmp = mkdtempSync(join(tmpdir(), 'model-hub-check-'));
    modelFile = join(tmp, 'sentiment.yaml');
    writeFileSync(
      modelFile,
      [
        'examples/models/sentiment-classifier.yaml',
        'examples/models/bert-base-uncased.yaml',
        'examples/datasets/product-reviews.yaml',
      ]
        .map(p => readFileSync(r(p), 'utf8'))
        .join('\n---\n'),
    );
  });

  afterAll(() => rmSync(tmp, { recursive: true, force: true }));

  it('passes the official gate for the sentiment classifier and prints one JSON document', async () => {
    const { code, stdout, stderr } = await run([
      'check',
      r('examples/artifacts/sentiment-classifier'),
      '--model',
      modelFile,
      '--config',
      r('app-config.yaml'),
      '--json',
    ]);
    expect(stderr).toBe('');
    expect(code).toBe(0);
    const doc = JSON.parse(stdout);
    expect(Object.keys(doc)).toEqual([
      'model',
      'tier',
      'version',
      'checks',
      'gate',
    ]);
    expect(doc.model).toBe('model:default/sentiment-classifier');
    expect(doc.tier).toBe('official');
    expect(doc.gate).toBe('pass');
    expect(doc.version.files).toContainEqual({
      path: 'model.onnx',
      sha256: expect.stringMatching(/^[0-9a-f]{64}$/),
      format: 'onnx',
      verdict: 'safe',
    });
    expect(doc.version.files.map((f: { path: string }) => f.path)).toContain(
      'eval/fairness.csv',
    );
    const byId = Object.fromEntries(
      doc.checks.map((c: { id: string }) => [c.id, c]),
    );
    expect(doc.checks.map((c: { id: string }) => c.id)).toEqual([
      'security',
      'license',
      'fairness',
      'performance',
      'provenance',
    ]);
    for (const id of ['security', 'performance', 'fairness']) {
      expect(byId[id]).toMatchObject({
        status: 'pass',
        summary: expect.any(String),
        evidence: expect.any(Object),
      });
    }
    // The ONNX benchmark was re-run locally, not taken from the claims.
    expect(byId.performance.summary).toMatch(/Measured on \d+ benchmark rows/);
    expect(byId.fairness.metrics).toEqual(
      expect.objectContaining({
        demographic_parity_difference: expect.any(Number),
      }),
    );
  });

  it('prints a table with the offline note, and gates on --tier', async () => {
    const { code, stdout } = await run([
      'check',
      r('examples/artifacts/sentiment-classifier'),
      '--model',
      modelFile,
      '--tier',
      'community',
    ]);
    expect(code).toBe(0);
    expect(stdout).toContain(
      `offline: catalog lookups limited to ${modelFile}`,
    );
    expect(stdout).toMatch(/^security\s+PASS\s+/m);
    expect(stdout).toContain('Gate for tier community: PASS');
  });

  it('fails the gate (exit 1) for the unfair churn classifier', async () => {
    const { code, stdout } = await run([
      'check',
      r('examples/artifacts/churn-classifier'),
      '--model',
      r('examples/models/churn-classifier.yaml'),
      '--json',
    ]);
    expect(code).toBe(1);
    const doc = JSON.parse(stdout);
    expect(doc.gate).toBe('fail');
    const fairness = doc.checks.find(
      (c: { id: string }) => c.id === 'fairness',
    );
    expect(fairness.status).toBe('fail');
    expect(fairness.summary).toMatch(/demographic parity difference/);
  });

  it('exits 4 for a missing directory', async () => {
    const { code, stderr, stdout } = await run([
      'check',
      join(tmp, 'nope'),
      '--model',
      modelFile,
    ]);
    expect(code).toBe(4);
    expect(stdout).toBe('');
    expect(stderr).toContain('no such directory');
  });

  it("exits 4 with the validator's message for an invalid Model", async () => {
    const { code, stderr } = await run([
      'check',
      r('examples/artifacts/churn-classifier'),
      '--model',
      r('examples-for-tests/broken-model.yaml'),
    ]);
    expect(code).toBe(4);
    expect(stderr).toContain('invalid Model "broken-model"');
    expect(stderr).toContain("must have required property 'owner'");
  });

  it('exits 4 for YAML that does not parse or has no Model', async () => {
    const bad = join(tmp, 'bad.yaml');
    writeFileSync(bad, 'kind: Model\nmetadata: [unclosed\n');
    const parse = await run([
      'check',
      r('examples/artifacts/churn-classifier'),
      '--model',
      bad,
    ]);
    expect(parse.code).toBe(4);
    expect(parse.stderr).toContain('YAML document 1');

    const noModel = join(tmp, 'no-model.yaml');
    writeFileSync(
      noModel,
      readFileSync(r('examples/datasets/product-reviews.yaml')),
    );
    const none = await run([
      'check',
      r('examples/artifacts/churn-classifier'),
      '--model',
      noModel,
    ]);
    expect(none.code).toBe(4);
    expect(none.stderr).toContain('no kind: Model document');
  });
});
