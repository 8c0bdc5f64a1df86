import { mkdirSync, mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { scanFile } from './scanFile';

/** Protobuf field bytes: tag, then a varint value or a length-delimited payload. */
function field(num: number, payload: number | Buffer): Buffer {
  const varint = (value: number) => {
    const out: number[] = [];
    let n = value;
    for (;;) {
      const b = n & 0x7f;
      n = Math.floor(n / 128);
      if (n === 0) return Buffer.from([...out, b]);
      out.push(b | 0x80);
    }
  };
  if (typeof payload === 'number') {
    return Buffer.concat([varint(num * 8), varint(payload)]);
  }
  return Buffer.concat([varint(num * 8 + 2), varint(payload.length), payload]);
}

/**
 * A TensorFlow SavedModel whose graph writes a file: a Const path and a
 * WriteFile node (TF1 loaders run a SavedModel's main_op on load).
 */
function savedModelWritingAFile(): Buffer {
  const s = (t: string) => Buffer.from(t);
  const pathNode = Buffer.concat([
    field(1, s('path')),
    field(2, s('Const')),
    field(
      5,
      Buffer.concat([field(1, s('value')), field(2, field(2, s('/tmp/x')))]),
    ),
  ]);
  const writeNode = Buffer.concat([
    field(1, s('write')),
    field(2, s('WriteFile')),
    field(3, s('path')),
    field(3, s('contents')),
  ]);
  const graph = Buffer.concat([field(1, pathNode), field(1, writeNode)]);
  const metaGraph = Buffer.concat([
    field(1, field(4, s('serve'))),
    field(2, graph),
  ]);
  return Buffer.concat([field(1, 1), field(2, metaGraph)]);
}

describe('files named like a model format the scanner does not read', () => {
  const dir = mkdtempSync(join(tmpdir(), 'scan-by-name-'));

  it.each(['saved_model.pb', 'keras_metadata.pb', 'frozen_graph.PB'])(
    '%s (a TensorFlow graph, whose ops can read and write files) is error, never unsupported',
    async name => {
      const file = join(dir, name);
      writeFileSync(file, savedModelWritingAFile());
      const r = await scanFile(file);
      expect(r.verdict).toBe('error');
      expect(r.findings.map(f => f.rule)).toContain('format/not-scanned');
    },
  );
});

/**
 * The start of a TensorFlow Lite flatbuffer: the root table offset, then the
 * file identifier `TFL3` (custom and Flex ops in it run TensorFlow kernels).
 */
function tfliteHead(): Buffer {
  return Buffer.concat([
    Buffer.from([0x1c, 0, 0, 0]),
    Buffer.from('TFL3'),
    Buffer.alloc(56),
  ]);
}

describe('TensorFlow Lite and PaddlePaddle files', () => {
  const dir = mkdtempSync(join(tmpdir(), 'scan-lite-paddle-'));

  it.each([
    ['inference.pdmodel', field(1, field(1, field(1, 0)))],
    ['inference.pdiparams', Buffer.alloc(64, 1)],
  ])(
    '%s (a format whose loader runs the ops it names) is error (format/not-scanned), never unsupported',
    async (name, bytes) => {
      const file = join(dir, name);
      writeFileSync(file, bytes);
      const r = await scanFile(file);
      expect(r.verdict).toBe('error');
      expect(r.findings.map(f => f.rule)).toContain('format/not-scanned');
    },
  );

  it.each(['model.tflite', 'weights.dat'])(
    '%s holding a broken TensorFlow Lite flatbuffer is found by its content and is error, never unsupported',
    async name => {
      const file = join(dir, name);
      writeFileSync(file, tfliteHead());
      const r = await scanFile(file);
      expect(r.format).toBe('tflite');
      expect(r.verdict).toBe('error');
      expect(r.findings.map(f => f.rule)).toContain('tflite/malformed');
    },
  );

  it('model.tflite whose content is no flatbuffer is error (the name claims a model format)', async () => {
    const file = join(dir, 'model.tflite');
    writeFileSync(file, Buffer.from('not a model\n'));
    const r = await scanFile(file);
    expect(r.verdict).toBe('error');
    expect(r.findings.map(f => f.rule)).toContain('format/unrecognized');
  });

  it.each(['model.pdparams', 'optimizer.pdopt', 'classifier.sav'])(
    '%s (which paddle.load or joblib unpickles) that is no pickle is error, never unsupported',
    async name => {
      const file = join(dir, name);
      writeFileSync(file, Buffer.from('not a pickle at all\n'));
      const r = await scanFile(file);
      expect(r.verdict).toBe('error');
      expect(r.findings.map(f => f.rule)).toContain('format/unrecognized');
    },
  );

  it.each([
    ['inference.json', ''],
    // past the size up to which JSON is parsed: found by its first key
    ['big/inference.json', ' '.repeat(65 * 1024 * 1024)],
  ])(
    '%s (a PaddlePaddle 3 program in PIR JSON) is error (format/not-scanned), never unsupported',
    async (name, padding) => {
      mkdirSync(join(dir, 'big'), { recursive: true });
      const file = join(dir, name);
      writeFileSync(
        file,
        `{"base_code": {"magic": "pir", "trainable": false, "version": 1}, "program": {"regions": []}${padding}}`,
      );
      const r = await scanFile(file);
      expect(r.verdict).toBe('error');
      expect(r.findings.map(f => f.rule)).toContain('format/not-scanned');
    },
  );
});
