import { join, resolve } from 'node:path';
import type {
  ModelFileFormat,
  ScanVerdict,
} from '@internal/plugin-model-hub-common';
import { scanFile } from './scanFile';

const DIR = resolve(__dirname, '../../fixtures/files/containers');

type Case = [
  file: string,
  format: ModelFileFormat,
  verdict: ScanVerdict,
  rules: string[],
];

/** Fixtures written by fixtures/generate_containers.py (and generate_hdf5.mjs). */
const CONTAINER_CASES: Case[] = [
  // names that claim a model format
  ['empty.pkl', 'unknown', 'error', ['format/unrecognized']],
  ['empty.safetensors', 'unknown', 'error', ['format/unrecognized']],
  ['bad-magic.gguf', 'unknown', 'error', ['format/unrecognized']],
  ['not-a-model.pt', 'unknown', 'error', ['format/unrecognized']],
  // Keras without metadata.json
  ['keras-no-metadata-lambda.keras', 'keras', 'unsafe', ['keras/lambda-layer']],
  ['keras-config-only-lambda.keras', 'keras', 'unsafe', ['keras/lambda-layer']],
  ['keras-no-metadata-benign.keras', 'keras', 'safe', []],
  // code shipped with a model
  ['modeling_custom.py', 'unknown', 'unsupported', ['code/python-source']],
  ['config.json', 'unknown', 'unsupported', ['config/auto-map']],
  ['plain-config.json', 'unknown', 'unsupported', []],
  // NumPy object arrays carry a pickle
  [
    'npy-object-malicious.npy',
    'numpy',
    'unsafe',
    ['pickle/dangerous-import', 'numpy/object-array'],
  ],
  ['npy-plain-benign.npy', 'numpy', 'safe', []],
];

describe('containers and formats', () => {
  it.each(CONTAINER_CASES)(
    '%s is %s / %s',
    async (file, format, verdict, rules) => {
      const result = await scanFile(join(DIR, file), { displayPath: file });
      expect(result.format).toBe(format);
      expect(result.verdict).toBe(verdict);
      const found = result.findings.map(f => f.rule);
      for (const rule of rules) expect(found).toContain(rule);
      const worrying = rules.length
        ? []
        : result.findings.filter(f => f.severity !== 'low');
      expect(worrying).toEqual([]);
    },
  );

  it('names only plainly non-model files unsupported', async () => {
    for (const file of ['modeling_custom.py', 'plain-config.json']) {
      const r = await scanFile(join(DIR, file));
      expect(r.verdict).toBe('unsupported');
    }
  });
});
