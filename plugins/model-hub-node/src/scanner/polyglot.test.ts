import { ScanReport } from './report';
import { BufferSource } from './source';
import { analyzeSource } from './analyze';

/*
 * pickle.load, joblib.load and torch.load (for a file that is no zip) run
 * whatever pickle a file starts with, whatever else it is. A file that the
 * scanner reads as ONNX or tar first must still be scanned as a pickle when
 * it is one.
 */

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

/** The tail of the pickle: pop the mark, then os.system('id'). */
const TAIL = Buffer.from("1cos\nsystem\n(S'id'\ntR.", 'latin1');

/**
 * An ONNX ModelProto that is also a pickle: model_version (tag 0x28, MARK)
 * = 0x42 (BINBYTES), whose four length bytes are the graph's tag, length
 * and first field; the bytes run to a doc_string (tag 0x32, DUP) of length
 * 0x30 (POP) that holds the rest of the pickle.
 */
function onnxPicklePolyglot(): Buffer {
  const graph = Buffer.from([0x12, 0x00]); // graph.name = ""
  const head = Buffer.concat([
    Buffer.from([0x28, 0x42, 0x3a, graph.length]),
    graph,
  ]);
  const bytesEnd = 6 + head.readUInt32LE(2);
  const irVersion = Buffer.from([0x08, 0x07]);
  const fillerAt = head.length + irVersion.length;
  const fillerLength = bytesEnd - (fillerAt + 1 + 3);
  expect(varint(fillerLength).length).toBe(3);
  const doc = Buffer.concat([TAIL, Buffer.alloc(0x30 - TAIL.length, 0x20)]);
  return Buffer.concat([
    head,
    irVersion,
    Buffer.from([0x12]), // producer_name covers the rest of the BINBYTES
    varint(fillerLength),
    Buffer.alloc(fillerLength),
    Buffer.from([0x32, 0x30]),
    doc,
  ]);
}

/** A tar whose first member's name is a whole pickle (tarfile allows a newline in it). */
function tarPicklePolyglot(): Buffer {
  const pickle = Buffer.from("cos\nsystem\n(S'id'\ntR.", 'latin1');
  const data = Buffer.from('hello\n');
  const h = Buffer.alloc(512);
  pickle.copy(h, 0);
  h.write('0000644\0', 100, 'latin1');
  h.write('0000000\0', 108, 'latin1');
  h.write('0000000\0', 116, 'latin1');
  h.write(`${data.length.toString(8).padStart(11, '0')}\0`, 124, 'latin1');
  h.write('00000000000\0', 136, 'latin1');
  h.write('        ', 148, 'latin1');
  h.write('0', 156, 'latin1');
  h.write('ustar\x0000', 257, 'latin1');
  let sum = 0;
  for (const b of h) sum += b;
  h.write(`${sum.toString(8).padStart(6, '0')}\0 `, 148, 'latin1');
  const body = Buffer.alloc(512);
  data.copy(body);
  return Buffer.concat([h, body, Buffer.alloc(1024)]);
}

async function scan(bytes: Buffer) {
  const report = new ScanReport();
  const { format } = await analyzeSource(new BufferSource(bytes), report, '');
  return { format, rules: report.findings.map(f => f.rule) };
}

describe('files that are a pickle and another format at once', () => {
  it('scans the pickle in a file that also parses as an ONNX model', async () => {
    const r = await scan(onnxPicklePolyglot());
    expect(r.format).toBe('onnx');
    expect(r.rules).toEqual(
      expect.arrayContaining(['pickle/polyglot', 'pickle/dangerous-import']),
    );
  });

  it('scans the pickle in a file that also parses as a tar archive', async () => {
    const r = await scan(tarPicklePolyglot());
    expect(r.format).toBe('tar');
    expect(r.rules).toEqual(
      expect.arrayContaining(['pickle/polyglot', 'pickle/dangerous-import']),
    );
  });
});
