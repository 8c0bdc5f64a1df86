import { copyFileSync, mkdirSync, mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import type { FileScanResult } from '@internal/plugin-model-hub-common';
import { exitCodeFor } from './scan';
import { runCli } from '../__testUtils__/runCli';

const FIXTURES = resolve(
  __dirname,
  '../../../../plugins/model-hub-node/fixtures/files',
);
const fx = (name: string) => join(FIXTURES, name);

const run = runCli;

describe('model-hub scan (real process)', () => {
  jest.setTimeout(60_000);

  it('exits 0 and prints one JSON document for a safe file', async () => {
    const { code, stdout } = await run([
      'scan',
      '--json',
      fx('safetensors-valid.safetensors'),
    ]);
    expect(code).toBe(0);
    const doc = JSON.parse(stdout);
    expect(Object.keys(doc)).toEqual(['scanner', 'files']);
    expect(doc.scanner).toEqual({
      name: 'model-hub-scanner',
      version: expect.any(String),
    });
    expect(doc.files).toEqual([
      {
        path: fx('safetensors-valid.safetensors'),
        format: 'safetensors',
        verdict: 'safe',
        sha256: expect.stringMatching(/^[0-9a-f]{64}$/),
        size: 192,
        findings: [],
      },
    ]);
  });

  it('exits 1 when anything is unsafe and lists the findings', async () => {
    const { code, stdout } = await run([
      'scan',
      '--json',
      fx('pytorch-malicious.pt'),
      fx('numpy-plain.npy'),
      fx('pickle-truncated.pkl'),
    ]);
    expect(code).toBe(1);
    const doc = JSON.parse(stdout);
    expect(doc.files.map((f: FileScanResult) => f.verdict)).toEqual([
      'unsafe',
      'safe',
      'error',
    ]);
    expect(doc.files[0].findings[0]).toEqual({
      severity: 'critical',
      rule: 'pickle/dangerous-import',
      message: expect.stringContaining('posix.system'),
      location: expect.stringContaining('archive/data.pkl'),
    });
  });

  it('exits 2 when something could not be scanned and nothing is unsafe', async () => {
    const { code } = await run([
      'scan',
      fx('pickle-truncated.pkl'),
      fx('gguf-benign.gguf'),
    ]);
    expect(code).toBe(2);
  });

  it('exits 3 when no supported model file is found', async () => {
    const { code, stdout } = await run([
      'scan',
      fx('plain-text.txt'),
      // random.bin would be an error: `.bin` claims a model format
      fx('gzip-text.gz'),
    ]);
    expect(code).toBe(3);
    expect(stdout).toContain('UNSUPPORTED');
    const empty = mkdtempSync(join(tmpdir(), 'scan-empty-'));
    expect((await run(['scan', '--json', empty])).code).toBe(3);
  });

  it('walks directories recursively and prints a human summary', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'scan-cli-'));
    mkdirSync(join(dir, 'nested'));
    copyFileSync(fx('keras-lambda.keras'), join(dir, 'nested', 'model.keras'));
    copyFileSync(fx('onnx-benign.onnx'), join(dir, 'model.onnx'));
    const { code, stdout } = await run(['scan', dir]);
    expect(code).toBe(1);
    expect(stdout).toMatch(/^SAFE\s+.*model\.onnx \(onnx/m);
    expect(stdout).toMatch(/^UNSAFE\s+.*model\.keras \(keras/m);
    expect(stdout).toContain('critical keras/lambda-layer');
    expect(stdout).toContain('2 file(s) scanned by model-hub-scanner');
    expect(stdout).toContain('1 unsafe, 1 safe');
  });

  it.each([
    [['scan', '/definitely/not/here']],
    [['scan', '--bogus', fx('numpy-plain.npy')]],
    [['scan']],
    [['no-such-command']],
    [[]],
  ])('exits 4 on usage errors: %j', async args => {
    const { code, stdout } = await run(args);
    expect(code).toBe(4);
    expect(stdout).not.toContain('"scanner"');
  });

  it('exits 0 for --help', async () => {
    const { code, stdout } = await run(['scan', '--help']);
    expect(code).toBe(0);
    expect(stdout).toContain('Exit codes');
  });
});

describe('exitCodeFor', () => {
  const r = (verdict: FileScanResult['verdict']): FileScanResult => ({
    path: 'x',
    format: 'unknown',
    verdict,
    sha256: '',
    size: 0,
    findings: [],
  });
  it('ranks unsafe over error over nothing-supported', () => {
    expect(exitCodeFor([r('safe'), r('unsupported')])).toBe(0);
    expect(exitCodeFor([r('error'), r('unsafe')])).toBe(1);
    expect(exitCodeFor([r('error'), r('safe')])).toBe(2);
    expect(exitCodeFor([r('unsupported')])).toBe(3);
    expect(exitCodeFor([])).toBe(3);
  });
});
