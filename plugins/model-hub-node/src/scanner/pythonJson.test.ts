import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { crc32 } from 'node:zlib';
import { scanFile } from './scanFile';

/** A zip of stored entries. */
function storedZip(entries: Record<string, Buffer>): Buffer {
  const locals: Buffer[] = [];
  const centrals: Buffer[] = [];
  let offset = 0;
  for (const [entryName, data] of Object.entries(entries)) {
    const name = Buffer.from(entryName);
    const lh = Buffer.alloc(30);
    lh.writeUInt32LE(0x04034b50, 0);
    lh.writeUInt16LE(20, 4);
    lh.writeUInt32LE(crc32(data), 14);
    lh.writeUInt32LE(data.length, 18);
    lh.writeUInt32LE(data.length, 22);
    lh.writeUInt16LE(name.length, 26);
    const ch = Buffer.alloc(46);
    ch.writeUInt32LE(0x02014b50, 0);
    ch.writeUInt16LE(20, 6);
    ch.writeUInt32LE(crc32(data), 16);
    ch.writeUInt32LE(data.length, 20);
    ch.writeUInt32LE(data.length, 24);
    ch.writeUInt16LE(name.length, 28);
    ch.writeUInt32LE(offset, 42);
    locals.push(lh, name, data);
    centrals.push(ch, name);
    offset += 30 + name.length + data.length;
  }
  const cd = Buffer.concat(centrals);
  const end = Buffer.alloc(22);
  end.writeUInt32LE(0x06054b50, 0);
  end.writeUInt16LE(centrals.length / 2, 8);
  end.writeUInt16LE(centrals.length / 2, 10);
  end.writeUInt32LE(cd.length, 12);
  end.writeUInt32LE(offset, 16);
  return Buffer.concat([...locals, cd, end]);
}

const LAMBDA_CONFIG = JSON.stringify({
  class_name: 'Sequential',
  module: 'keras',
  config: {
    name: 'seq',
    layers: [
      {
        class_name: 'Lambda',
        module: 'keras.layers',
        config: { name: 'l', function: 'os.system' },
      },
    ],
  },
});

/** The encodings json.loads(bytes) reads and JSON.parse does not. */
const ENCODED: Array<[string, (text: string) => Buffer]> = [
  [
    'UTF-8 with a BOM',
    t => Buffer.concat([Buffer.from([0xef, 0xbb, 0xbf]), Buffer.from(t)]),
  ],
  [
    'UTF-16 with a BOM',
    t => Buffer.concat([Buffer.from([0xff, 0xfe]), Buffer.from(t, 'utf16le')]),
  ],
  ['UTF-16LE without a BOM', t => Buffer.from(t, 'utf16le')],
  [
    'UTF-8 with NaN',
    t =>
      Buffer.from(
        t.replace('"name":"seq"', '"name":"seq","x":NaN,"y":-Infinity'),
      ),
  ],
];

describe('configs read as Python reads JSON', () => {
  const dir = mkdtempSync(join(tmpdir(), 'scan-pyjson-'));

  async function scan(name: string, bytes: Buffer) {
    const file = join(dir, name);
    writeFileSync(file, bytes);
    return scanFile(file);
  }

  it.each(ENCODED)(
    'finds the Lambda of a .keras config.json in %s (Keras reads it with json.loads)',
    async (_what, encode) => {
      const alone = await scan(
        'alone.keras',
        storedZip({ 'config.json': encode(LAMBDA_CONFIG) }),
      );
      expect(alone.verdict).toBe('unsafe');
      expect(alone.findings.map(f => f.rule)).toContain('keras/lambda-layer');
      const withMetadata = await scan(
        'meta.keras',
        storedZip({
          'config.json': encode(LAMBDA_CONFIG),
          'metadata.json': Buffer.from('{"keras_version": "3.5.0"}'),
        }),
      );
      expect(withMetadata.verdict).toBe('unsafe');
    },
  );

  it('finds auto_map in a config.json that holds NaN (transformers reads it with json.loads)', async () => {
    const r = await scan(
      'config.json',
      Buffer.from(
        '{"model_type": "bert", "initializer_range": NaN, "auto_map": {"AutoModel": "other-org/repo--modeling.Model"}}',
      ),
    );
    expect(r.findings.map(f => f.rule)).toContain('config/auto-map');
  });
});
