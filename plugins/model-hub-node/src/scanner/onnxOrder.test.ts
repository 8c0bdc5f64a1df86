import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { scanFile } from './scanFile';

const FIXTURES = resolve(__dirname, '../../fixtures/files');

/** Splits a protobuf message into its top-level fields (varint and length-delimited only). */
function topLevelFields(b: Buffer): Array<{ field: number; bytes: Buffer }> {
  const varint = (at: number): [number, number] => {
    let v = 0;
    let mul = 1;
    let p = at;
    for (;;) {
      const byte = b[p++];
      v += (byte & 0x7f) * mul;
      mul *= 128;
      if (!(byte & 0x80)) return [v, p];
    }
  };
  const out: Array<{ field: number; bytes: Buffer }> = [];
  let p = 0;
  while (p < b.length) {
    const start = p;
    const [tag, afterTag] = varint(p);
    let end: number;
    if ((tag & 7) === 0) end = varint(afterTag)[1];
    else {
      const [len, afterLen] = varint(afterTag);
      end = afterLen + len;
    }
    out.push({ field: Math.floor(tag / 8), bytes: b.subarray(start, end) });
    p = end;
  }
  return out;
}

describe('ONNX models whose fields are not in the usual order', () => {
  it('recognises a model whose ir_version is not its first field (onnxruntime reads fields in any order)', async () => {
    const model = readFileSync(join(FIXTURES, 'onnx-external-traversal.onnx'));
    const fields = topLevelFields(model);
    expect(fields[0].field).toBe(1);
    const reordered = Buffer.concat([
      ...fields.slice(1).map(f => f.bytes),
      fields[0].bytes,
    ]);
    const dir = mkdtempSync(join(tmpdir(), 'scan-onnx-'));
    const file = join(dir, 'model.dat');
    writeFileSync(file, reordered);
    const r = await scanFile(file);
    expect(r.format).toBe('onnx');
    expect(r.verdict).toBe('unsafe');
    expect(r.findings.map(f => f.rule)).toContain(
      'onnx/external-data-traversal',
    );
  });
});
