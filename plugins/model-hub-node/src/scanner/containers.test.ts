import { randomBytes } from 'node:crypto';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { crc32, deflateRawSync, gzipSync } from 'node:zlib';
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
  // compressed joblib files
  ...(['bz2', 'lzma', 'xz', 'gzip'] as const).flatMap((c): Case[] => [
    [
      `joblib-${c}-malicious.joblib`,
      'pickle',
      'unsafe',
      ['pickle/dangerous-import', 'pickle/compressed'],
    ],
  ]),
  ...(['bz2', 'lzma', 'xz'] as const).map(
    (c): Case => [
      `joblib-${c}-benign.joblib`,
      'pickle',
      'safe',
      ['pickle/compressed'],
    ],
  ),
  ['bz2-text.bz2', 'unknown', 'unsupported', []],
  // GGUF chat templates that build a dunder name at run time
  ['gguf-template-benign.gguf', 'gguf', 'safe', []],
  ['gguf-template-benign-rich.gguf', 'gguf', 'safe', []],
  ...[
    'concat',
    'tilde',
    'join',
    'replace',
    'format-filter',
    'format-method',
    'set-var',
    'escape-x',
    'escape-u32',
    'escape-name',
    'attr-filter',
  ].map(
    (t): Case => [
      `gguf-template-${t}.gguf`,
      'gguf',
      'unsafe',
      ['gguf/chat-template-dunder'],
    ],
  ),
  [
    'gguf-template-unparseable.gguf',
    'gguf',
    'error',
    ['gguf/chat-template-unparseable'],
  ],
  // Flax MessagePack checkpoints
  ['flax-benign.msgpack', 'msgpack', 'safe', []],
  ['flax-truncated.msgpack', 'unknown', 'error', ['format/unrecognized']],
  // legacy Keras HDF5 files
  ['keras-legacy-benign.h5', 'keras', 'safe', []],
  ['keras-legacy-lambda.h5', 'keras', 'unsafe', ['keras/lambda-layer']],
  ['keras-legacy-weights-only.h5', 'keras', 'safe', []],
  [
    'keras-legacy-training-config.h5',
    'keras',
    'unsafe',
    ['keras/custom-object'],
  ],
  ['hdf5-stub.h5', 'unknown', 'error', ['hdf5/malformed']],
  // legacy (pre-1.6) torch.save tar archives, and tars in general
  ['torch-legacy-tar-benign.pt', 'pickle', 'safe', []],
  [
    'torch-legacy-tar-malicious.pt',
    'pickle',
    'unsafe',
    ['pickle/dangerous-import'],
  ],
  ['torch-legacy-tar-storages-benign.pt', 'pickle', 'safe', []],
  [
    'torch-legacy-tar-storages-malicious.pt',
    'pickle',
    'unsafe',
    ['pickle/dangerous-import'],
  ],
  ['tar-plain-malicious.tar', 'tar', 'unsafe', ['pickle/dangerous-import']],
  ['tar-traversal.tar', 'tar', 'unsafe', ['tar/path-traversal']],
  ['model-malicious.tar.gz', 'tar', 'unsafe', ['pickle/dangerous-import']],
  ['model-malicious.tar.xz', 'tar', 'unsafe', ['pickle/dangerous-import']],
  ['model-benign.tar.bz2', 'tar', 'safe', []],
  // zip members compressed with LZMA (14) and bzip2 (12)
  [
    'zip-lzma-malicious.zip',
    'pytorch-zip',
    'unsafe',
    ['pickle/dangerous-import'],
  ],
  ['zip-lzma-benign.zip', 'pytorch-zip', 'safe', []],
  [
    'zip-bzip2-malicious.zip',
    'pytorch-zip',
    'unsafe',
    ['pickle/dangerous-import'],
  ],
  ['zip-bzip2-benign.zip', 'pytorch-zip', 'safe', []],
  [
    'zip-nested-formats-malicious.zip',
    'zip',
    'unsafe',
    ['pickle/dangerous-import', 'pickle/compressed'],
  ],
  [
    'zip-stored-tar-malicious.zip',
    'zip',
    'unsafe',
    ['pickle/dangerous-import'],
  ],
  ['zip-unknown-method.zip', 'zip', 'error', ['zip/unsupported-compression']],
  ['zip-bomb-256mib.zip', 'pytorch-zip', 'unsafe', ['zip/compression-ratio']],
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

/** A protocol-4 pickle: a large bytes payload, then posix.system('id'). */
function bigEvilPickle(payload: number, random = false): Buffer {
  const head = Buffer.from([0x80, 0x04, 0x8e]); // PROTO 4, BINBYTES8
  const len = Buffer.alloc(8);
  len.writeBigUInt64LE(BigInt(payload));
  const tail = Buffer.from(
    '0cposix\nsystem\n\x8c\x02id\x85R.'.replace('0', '\x30'),
    'latin1',
  );
  // POP the bytes (0x30), then GLOBAL, SHORT_BINUNICODE 'id', TUPLE1, REDUCE, STOP
  const bytes = random ? randomBytes(payload) : Buffer.alloc(payload, 7);
  return Buffer.concat([head, len, bytes, tail]);
}

/** A one-entry zip (stored or deflated) built byte by byte. */
function oneEntryZip(name: string, data: Buffer, deflate: boolean): Buffer {
  const body = deflate ? deflateRawSync(data) : data;
  const n = Buffer.from(name);
  const lh = Buffer.alloc(30);
  lh.writeUInt32LE(0x04034b50, 0);
  lh.writeUInt16LE(20, 4);
  lh.writeUInt16LE(deflate ? 8 : 0, 8);
  lh.writeUInt32LE(crc32(data), 14);
  lh.writeUInt32LE(body.length, 18);
  lh.writeUInt32LE(data.length, 22);
  lh.writeUInt16LE(n.length, 26);
  const ch = Buffer.alloc(46);
  ch.writeUInt32LE(0x02014b50, 0);
  ch.writeUInt16LE(20, 6);
  ch.writeUInt16LE(deflate ? 8 : 0, 10);
  ch.writeUInt32LE(crc32(data), 16);
  ch.writeUInt32LE(body.length, 20);
  ch.writeUInt32LE(data.length, 24);
  ch.writeUInt16LE(n.length, 28);
  const eocd = Buffer.alloc(22);
  eocd.writeUInt32LE(0x06054b50, 0);
  eocd.writeUInt16LE(1, 8);
  eocd.writeUInt16LE(1, 10);
  eocd.writeUInt32LE(46 + n.length, 12);
  eocd.writeUInt32LE(30 + n.length + body.length, 16);
  return Buffer.concat([lh, n, body, ch, n, eocd]);
}

describe('large and hostile containers', () => {
  const dir = mkdtempSync(join(tmpdir(), 'scan-containers-'));
  jest.setTimeout(60_000);

  it.each([false, true])(
    'opens and streams a pickle over 64 MiB in a zip member (deflated: %s)',
    async deflate => {
      const file = join(dir, `big-${deflate}.pt`);
      const pickle = bigEvilPickle(65 * 1024 * 1024 + 17, true);
      writeFileSync(file, oneEntryZip('archive/data.pkl', pickle, deflate));
      const result = await scanFile(file);
      expect(result.verdict).toBe('unsafe');
      expect(result.findings.map(f => f.rule)).toContain(
        'pickle/dangerous-import',
      );
    },
  );

  it('calls a compressed pickle whose actual ratio passes the limit a bomb, without inflating it all', async () => {
    const file = join(dir, 'bomb.joblib');
    const pickle = bigEvilPickle(256 * 1024 * 1024);
    const packed = gzipSync(pickle, { level: 9 });
    expect(packed.length).toBeLessThan(512 * 1024);
    writeFileSync(file, packed);
    const started = Date.now();
    const result = await scanFile(file);
    expect(result.verdict).toBe('unsafe');
    expect(result.findings.map(f => f.rule)).toContain('compression/bomb');
    // stopped early: inflating all 256 MiB takes far longer here
    expect(Date.now() - started).toBeLessThan(5_000);
  });
});
