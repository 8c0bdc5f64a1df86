import { createHash } from 'node:crypto';
import { mkdtempSync, readFileSync, writeFileSync, mkdirSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import type {
  ModelFileFormat,
  ScanVerdict,
} from '@internal/plugin-model-hub-common';
import { scanFile, scanPaths, SCANNER_INFO } from './scanFile';

const FIXTURES = resolve(__dirname, '../../fixtures/files');
const fixture = (name: string) => join(FIXTURES, name);

type Expectation = [
  file: string,
  format: ModelFileFormat,
  verdict: ScanVerdict,
  rules: string[],
];

const CASES: Expectation[] = [
  // pickles, every protocol
  ...[0, 1, 2, 3, 4, 5].map(
    (p): Expectation => [`pickle-benign-p${p}.pkl`, 'pickle', 'safe', []],
  ),
  ...[0, 1, 2, 3, 4, 5].map(
    (p): Expectation => [
      `pickle-os-system-p${p}.pkl`,
      'pickle',
      'unsafe',
      ['pickle/dangerous-import'],
    ],
  ),
  [
    'pickle-stack-global-memo.pkl',
    'pickle',
    'unsafe',
    ['pickle/dangerous-import'],
  ],
  ['pickle-inst.pkl', 'pickle', 'unsafe', ['pickle/dangerous-import']],
  ['pickle-builtins-eval.pkl', 'pickle', 'unsafe', ['pickle/dangerous-import']],
  [
    'pickle-functools-partial.pkl',
    'pickle',
    'unsafe',
    ['pickle/dangerous-import'],
  ],
  ['pickle-dotted-bypass.pkl', 'pickle', 'unsafe', ['pickle/dangerous-import']],
  [
    'pickle-unresolved-global.pkl',
    'pickle',
    'unsafe',
    ['pickle/unresolved-global'],
  ],
  ['pickle-concatenated.pkl', 'pickle', 'unsafe', ['pickle/dangerous-import']],
  ['pickle-concatenated-benign.pkl', 'pickle', 'safe', []],
  ['pickle-truncated.pkl', 'pickle', 'error', ['pickle/truncated']],
  ['pickle-no-stop.pkl', 'pickle', 'error', ['pickle/no-stop']],
  ['pickle-unknown-opcode.pkl', 'pickle', 'error', ['pickle/unknown-opcode']],
  // PyTorch
  ['pytorch-benign.pt', 'pytorch-zip', 'safe', []],
  [
    'pytorch-malicious.pt',
    'pytorch-zip',
    'unsafe',
    ['pickle/dangerous-import'],
  ],
  ['pytorch-legacy-benign.pt', 'pickle', 'safe', []],
  ['zip64-benign.zip', 'pytorch-zip', 'safe', []],
  ['zip64-malicious.zip', 'pytorch-zip', 'unsafe', ['pickle/dangerous-import']],
  // zips
  ['zip-benign.zip', 'zip', 'safe', []],
  ['zip-traversal.zip', 'zip', 'unsafe', ['zip/path-traversal']],
  ['zip-absolute.zip', 'zip', 'unsafe', ['zip/path-traversal']],
  ['zip-backslash.zip', 'zip', 'unsafe', ['zip/path-traversal']],
  ['zip-bomb.zip', 'zip', 'unsafe', ['zip/compression-ratio']],
  [
    'zip-deflated-malicious-pickle.zip',
    'zip',
    'unsafe',
    ['pickle/dangerous-import'],
  ],
  ['zip-nested-malicious.zip', 'zip', 'unsafe', ['pickle/dangerous-import']],
  [
    'zip-nested-deflated-malicious.zip',
    'zip',
    'unsafe',
    ['pickle/dangerous-import'],
  ],
  ['zip-nested-deep.zip', 'zip', 'unsafe', ['zip/nesting-depth']],
  ['zip-truncated.zip', 'zip', 'error', ['zip/malformed']],
  // numpy
  ['numpy-plain.npy', 'numpy', 'safe', []],
  ['numpy-structured.npy', 'numpy', 'safe', []],
  ['numpy-object-benign.npy', 'numpy', 'safe', ['numpy/object-array']],
  [
    'numpy-object-malicious.npy',
    'numpy',
    'unsafe',
    ['pickle/dangerous-import', 'numpy/object-array'],
  ],
  ['numpy-size-mismatch.npy', 'numpy', 'error', ['numpy/size-mismatch']],
  ['numpy-benign.npz', 'numpy-zip', 'safe', []],
  ['numpy-compressed.npz', 'numpy-zip', 'safe', []],
  [
    'numpy-object-malicious.npz',
    'numpy-zip',
    'unsafe',
    ['pickle/dangerous-import'],
  ],
  // safetensors
  ['safetensors-valid.safetensors', 'safetensors', 'safe', []],
  [
    'safetensors-header-too-long.safetensors',
    'safetensors',
    'error',
    ['safetensors/header-too-large'],
  ],
  [
    'safetensors-header-past-eof.safetensors',
    'safetensors',
    'error',
    ['safetensors/truncated'],
  ],
  [
    'safetensors-overlap.safetensors',
    'safetensors',
    'error',
    ['safetensors/overlap'],
  ],
  ['safetensors-gap.safetensors', 'safetensors', 'error', ['safetensors/gap']],
  [
    'safetensors-trailing-data.safetensors',
    'safetensors',
    'error',
    ['safetensors/gap'],
  ],
  [
    'safetensors-shape-mismatch.safetensors',
    'safetensors',
    'error',
    ['safetensors/shape-mismatch'],
  ],
  [
    'safetensors-bad-dtype.safetensors',
    'safetensors',
    'error',
    ['safetensors/bad-dtype'],
  ],
  [
    'safetensors-bad-json.safetensors',
    'safetensors',
    'error',
    ['safetensors/bad-json'],
  ],
  [
    'safetensors-bad-metadata.safetensors',
    'safetensors',
    'error',
    ['safetensors/bad-metadata'],
  ],
  // GGUF
  ['gguf-benign.gguf', 'gguf', 'safe', []],
  [
    'gguf-malicious-template.gguf',
    'gguf',
    'unsafe',
    ['gguf/chat-template-injection'],
  ],
  ['gguf-truncated.gguf', 'gguf', 'error', ['gguf/truncated']],
  ['gguf-tensor-past-eof.gguf', 'gguf', 'error', ['gguf/truncated']],
  // Keras
  ['keras-benign.keras', 'keras', 'safe', []],
  ['keras-lambda.keras', 'keras', 'unsafe', ['keras/lambda-layer']],
  ['keras-custom-object.keras', 'keras', 'safe', ['keras/custom-object']],
  // ONNX
  ['onnx-benign.onnx', 'onnx', 'safe', []],
  ['onnx-custom-domain.onnx', 'onnx', 'safe', ['onnx/custom-domain']],
  ['onnx-external-benign.onnx', 'onnx', 'safe', ['onnx/external-data']],
  [
    'onnx-external-traversal.onnx',
    'onnx',
    'unsafe',
    ['onnx/external-data-traversal'],
  ],
  ['onnx-truncated.onnx', 'onnx', 'error', ['onnx/malformed']],
  // compressed pickles (joblib compress=, gzip.open)
  [
    'pickle-zlib-malicious.joblib',
    'pickle',
    'unsafe',
    ['pickle/dangerous-import', 'pickle/compressed'],
  ],
  ['pickle-gzip-benign.pkl.gz', 'pickle', 'safe', ['pickle/compressed']],
  ['gzip-text.gz', 'unknown', 'unsupported', []],
  // pickle in front, zip at the back
  [
    'polyglot-pickle-zip.pkl',
    'pickle',
    'unsafe',
    ['zip/polyglot', 'pickle/dangerous-import'],
  ],
  // not models
  ['plain-text.txt', 'unknown', 'unsupported', []],
  ['random.bin', 'unknown', 'error', ['format/unrecognized']],
  ['empty.bin', 'unknown', 'error', ['format/unrecognized']],
];

describe('scanFile', () => {
  it.each(CASES)('%s is %s / %s', async (file, format, verdict, rules) => {
    const result = await scanFile(fixture(file));
    expect(result.format).toBe(format);
    expect(result.verdict).toBe(verdict);
    const found = result.findings.map(f => f.rule);
    for (const rule of rules) expect(found).toContain(rule);
    // benign files carry no finding that would worry anyone
    const worrying = rules.length
      ? []
      : result.findings.filter(f => f.severity !== 'low');
    expect(worrying).toEqual([]);
    for (const f of result.findings) {
      expect(['critical', 'high', 'medium', 'low']).toContain(f.severity);
      expect(f.message.length).toBeGreaterThan(10);
    }
  });

  it('covers every committed fixture', () => {
    const { readdirSync } = jest.requireActual('node:fs');
    // Subdirectories (pickle-evasion, pickle-benign, containers) have their own tests.
    const files: string[] = readdirSync(FIXTURES, { withFileTypes: true })
      .filter((e: { isFile(): boolean }) => e.isFile())
      .map((e: { name: string }) => e.name);
    expect(files.sort()).toEqual(CASES.map(c => c[0]).sort());
  });

  it('hashes every byte with SHA-256 and reports the size', async () => {
    const file = fixture('zip-bomb.zip');
    const bytes = readFileSync(file);
    const result = await scanFile(file, { displayPath: 'bomb.zip' });
    expect(result.sha256).toBe(
      createHash('sha256').update(bytes).digest('hex'),
    );
    expect(result.size).toBe(bytes.length);
    expect(result.path).toBe('bomb.zip');
  });

  it('hashes files larger than one read chunk and reports progress', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'scan-'));
    const file = join(dir, 'big.bin');
    const data = Buffer.alloc(20 * 1024 * 1024 + 123);
    for (let i = 0; i < data.length; i += 4096) data[i] = i % 251;
    writeFileSync(file, data);
    const progress: number[] = [];
    const result = await scanFile(file, { onProgress: d => progress.push(d) });
    expect(result.sha256).toBe(createHash('sha256').update(data).digest('hex'));
    expect(progress[progress.length - 1]).toBe(data.length);
    expect(progress.length).toBeGreaterThan(1);
  });

  it('takes a SHA-256 the caller already computed instead of hashing again', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'scan-'));
    const file = join(dir, 'big.bin');
    writeFileSync(file, Buffer.alloc(20 * 1024 * 1024, 7));
    const progress: number[] = [];
    const known = 'ab'.repeat(32);
    const result = await scanFile(file, {
      knownSha256: known,
      onProgress: d => progress.push(d),
    });
    expect(result.sha256).toBe(known);
    expect(progress).toEqual([]); // no hashing pass over the bytes
    expect(result.size).toBe(20 * 1024 * 1024);
  });

  it('detects by content, not by file name', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'scan-'));
    const renamed = join(dir, 'weights.safetensors');
    writeFileSync(renamed, readFileSync(fixture('pickle-os-system-p4.pkl')));
    const result = await scanFile(renamed);
    expect(result.format).toBe('pickle');
    expect(result.verdict).toBe('unsafe');
  });

  it('does not mistake text that starts like a protocol-0 opcode for a pickle', async () => {
    // `c` is the GLOBAL opcode; a CSV header starting with it used to be
    // reported as a malformed pickle (error) instead of unsupported.
    const dir = mkdtempSync(join(tmpdir(), 'scan-csv-'));
    const file = join(dir, 'predictions.csv');
    writeFileSync(
      file,
      'churned,predicted_churn,gender,age_band\n1,1,female,18-34\n0,0,male,35-plus\n',
    );
    const result = await scanFile(file);
    expect(result.verdict).toBe('unsupported');
    expect(result.findings).toEqual([]);
  });

  it('throws for I/O errors such as a missing file', async () => {
    await expect(
      scanFile(join(FIXTURES, 'does-not-exist')),
    ).rejects.toMatchObject({
      code: 'ENOENT',
    });
  });

  it('names itself', () => {
    expect(SCANNER_INFO.name).toBe('model-hub-scanner');
    expect(SCANNER_INFO.version).toMatch(/^\d+\.\d+\.\d+$/);
  });
});

describe('scanPaths', () => {
  it('walks directories recursively in sorted order', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'scan-'));
    mkdirSync(join(dir, 'sub'));
    writeFileSync(join(dir, 'b.pkl'), readFileSync(fixture('pickle-inst.pkl')));
    writeFileSync(
      join(dir, 'sub', 'a.npy'),
      readFileSync(fixture('numpy-plain.npy')),
    );
    writeFileSync(join(dir, 'a.txt'), 'text');
    const seen: string[] = [];
    const results = await scanPaths([dir], { onFile: p => seen.push(p) });
    expect(results.map(r => [r.path, r.verdict])).toEqual([
      [join(dir, 'a.txt'), 'unsupported'],
      [join(dir, 'b.pkl'), 'unsafe'],
      [join(dir, 'sub', 'a.npy'), 'safe'],
    ]);
    expect(seen).toHaveLength(3);
  });

  it('rejects paths that do not exist', async () => {
    await expect(scanPaths(['/no/such/path'])).rejects.toMatchObject({
      code: 'ENOENT',
    });
  });
});
