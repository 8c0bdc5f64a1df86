import { mkdtempSync, writeFileSync } from 'node:fs';
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
