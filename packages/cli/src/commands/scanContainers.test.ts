import { join, resolve } from 'node:path';
import type { FileScanResult } from '@internal/plugin-model-hub-common';
import { runCli } from '../__testUtils__/runCli';

const CONTAINERS = resolve(
  __dirname,
  '../../../../plugins/model-hub-node/fixtures/files/containers',
);
const fx = (name: string) => join(CONTAINERS, name);

describe('model-hub scan on containers (real process)', () => {
  jest.setTimeout(60_000);

  it('opens compressed, archived, HDF5 and templated models and names each verdict', async () => {
    const files = [
      'joblib-xz-malicious.joblib',
      'joblib-bz2-benign.joblib',
      'zip-lzma-malicious.zip',
      'torch-legacy-tar-malicious.pt',
      'keras-legacy-lambda.h5',
      'keras-legacy-benign.h5',
      'gguf-template-escape-name.gguf',
      'zip-bomb-256mib.zip',
      'empty.pkl',
    ];
    const { code, stdout } = await runCli(['scan', '--json', ...files.map(fx)]);
    expect(code).toBe(1);
    const doc = JSON.parse(stdout);
    expect(doc.scanner.version).toBe('2.2.0');
    expect(
      doc.files.map((f: FileScanResult) => [
        f.path.split('/').pop(),
        f.format,
        f.verdict,
      ]),
    ).toEqual([
      ['joblib-xz-malicious.joblib', 'pickle', 'unsafe'],
      ['joblib-bz2-benign.joblib', 'pickle', 'safe'],
      ['zip-lzma-malicious.zip', 'pytorch-zip', 'unsafe'],
      ['torch-legacy-tar-malicious.pt', 'pickle', 'unsafe'],
      ['keras-legacy-lambda.h5', 'keras', 'unsafe'],
      ['keras-legacy-benign.h5', 'keras', 'safe'],
      ['gguf-template-escape-name.gguf', 'gguf', 'unsafe'],
      ['zip-bomb-256mib.zip', 'pytorch-zip', 'unsafe'],
      ['empty.pkl', 'unknown', 'error'],
    ]);
  });

  it('exits 2 for a file whose name claims a model format it does not hold', async () => {
    const { code, stdout } = await runCli([
      'scan',
      '--json',
      fx('bad-magic.gguf'),
    ]);
    expect(code).toBe(2);
    expect(JSON.parse(stdout).files[0].findings[0].rule).toBe(
      'format/unrecognized',
    );
  });
});
