import { ScanReport } from './report';
import { BufferSource } from './source';
import { analyzeSource } from './analyze';

/*
 * A TensorFlow Lite model names its operators in `operator_codes`: builtin
 * kernels, custom ops (kernels the loading app registers) and Flex ops
 * (`Select TF ops`: TensorFlow kernels, file reads and writes included,
 * which tf.lite.Interpreter runs through its Flex delegate).
 */

const CUSTOM = 32;

/** A TFLite flatbuffer: a Model table with `version` and `operator_codes`. */
function tflite(ops: Array<{ builtin?: number; custom?: string }>): Buffer {
  const head = Buffer.alloc(28);
  head.writeUInt32LE(16, 0); // root table
  head.write('TFL3', 4, 'latin1');
  // Model vtable at 8: 2 fields (version at +4, operator_codes at +8)
  head.writeUInt16LE(8, 8);
  head.writeUInt16LE(12, 10);
  head.writeUInt16LE(4, 12);
  head.writeUInt16LE(8, 14);
  head.writeInt32LE(16 - 8, 16);
  head.writeUInt32LE(3, 20);
  head.writeUInt32LE(28 - 24, 24);
  const vecAt = 28;
  const vec = Buffer.alloc(4 + 4 * ops.length);
  vec.writeUInt32LE(ops.length, 0);
  const parts = [head, vec];
  let pos = vecAt + vec.length;
  ops.forEach((op, i) => {
    const code = op.builtin ?? CUSTOM;
    // OperatorCode vtable: deprecated_builtin_code, custom_code, version, builtin_code
    const vt = Buffer.alloc(12);
    vt.writeUInt16LE(12, 0);
    vt.writeUInt16LE(20, 2);
    vt.writeUInt16LE(4, 4);
    vt.writeUInt16LE(op.custom ? 8 : 0, 6);
    vt.writeUInt16LE(12, 8);
    vt.writeUInt16LE(16, 10);
    const tableAt = pos + 12;
    const t = Buffer.alloc(20);
    t.writeInt32LE(12, 0);
    t.writeInt8(Math.min(code, 127), 4);
    t.writeInt32LE(1, 12);
    t.writeInt32LE(code, 16);
    let str = Buffer.alloc(0);
    if (op.custom) {
      const s = Buffer.from(op.custom);
      str = Buffer.alloc(4 + Math.ceil((s.length + 1) / 4) * 4);
      str.writeUInt32LE(s.length, 0);
      s.copy(str, 4);
      t.writeUInt32LE(20 - 8, 8);
    }
    vec.writeUInt32LE(tableAt - (vecAt + 4 + 4 * i), 4 + 4 * i);
    parts.push(vt, t, str);
    pos += 12 + 20 + str.length;
  });
  return Buffer.concat(parts);
}

async function scan(bytes: Buffer) {
  const report = new ScanReport();
  const { format } = await analyzeSource(new BufferSource(bytes), report, '');
  return {
    format,
    parsedFully: report.parsedFully,
    findings: report.findings,
    rules: report.findings.map(f => f.rule),
  };
}

describe('TensorFlow Lite models', () => {
  it('passes a model of builtin kernels only (ADD, CONV_2D, FULLY_CONNECTED)', async () => {
    const r = await scan(
      tflite([{ builtin: 0 }, { builtin: 3 }, { builtin: 9 }]),
    );
    expect(r.format).toBe('tflite');
    expect(r.parsedFully).toBe(true);
    expect(r.rules).toEqual([]);
  });

  it('flags a Flex op that reads files (FlexReadFile runs tf.io.read_file)', async () => {
    const r = await scan(tflite([{ builtin: 0 }, { custom: 'FlexReadFile' }]));
    expect(r.format).toBe('tflite');
    expect(
      r.findings.some(
        f => f.rule === 'tflite/flex-op' && f.severity === 'high',
      ),
    ).toBe(true);
  });

  it('makes any other Flex op error: a TensorFlow kernel the scanner does not judge', async () => {
    const r = await scan(tflite([{ custom: 'FlexRFFT' }]));
    expect(r.parsedFully).toBe(false);
    expect(r.rules).toContain('tflite/flex-op');
  });

  it('lists a custom op, whose kernel the loading app must register', async () => {
    const r = await scan(tflite([{ custom: 'TFLite_Detection_PostProcess' }]));
    expect(r.rules).toContain('tflite/custom-op');
    expect(
      r.findings.find(f => f.rule === 'tflite/custom-op')?.message,
    ).toContain('TFLite_Detection_PostProcess');
  });

  it('makes operator codes that point past the end of the file error', async () => {
    const bytes = tflite([{ builtin: 0 }]);
    bytes.writeUInt32LE(1_000_000, 28); // vector length
    const r = await scan(bytes);
    expect(r.parsedFully).toBe(false);
    expect(r.rules).toContain('tflite/malformed');
  });

  it('scans a file that is a benign pickle and a TFLite model at once as both', async () => {
    // N, BININT2 0, BINSTRING whose opcode and length are "TFL3" + 0x00:
    // the first four bytes read as root offset 0x4d4e, inside the string.
    const root = 0x4d4e;
    const model = tflite([{ custom: 'FlexWriteFile' }]);
    const data = Buffer.alloc(0x00334c46);
    model.copy(data, root - 8 - 9, 8);
    const bytes = Buffer.concat([
      Buffer.from('NM\x00\x00TFL3\x00', 'latin1'),
      data,
      Buffer.from('00.', 'latin1'),
    ]);
    expect(bytes.readUInt32LE(0)).toBe(root);
    const r = await scan(bytes);
    expect(r.format).toBe('pickle');
    expect(r.rules).toContain('tflite/polyglot');
    expect(
      r.findings.some(
        f => f.rule === 'tflite/flex-op' && f.severity === 'high',
      ),
    ).toBe(true);
  });
});
