import { ScanReport } from './report';
import { BufferSource } from './source';
import { analyzeSource } from './analyze';

/** A GGUF string: u64 length, then the bytes. */
function gstr(s: string): Buffer {
  const b = Buffer.from(s);
  const n = Buffer.alloc(8);
  n.writeBigUInt64LE(BigInt(b.length));
  return Buffer.concat([n, b]);
}

const u32 = (v: number) => {
  const b = Buffer.alloc(4);
  b.writeUInt32LE(v);
  return b;
};

/** A GGUF v3 file with no tensors and the given metadata entries. */
function gguf(kvs: Buffer[]): Buffer {
  const head = Buffer.alloc(24);
  head.write('GGUF', 0, 'latin1');
  head.writeUInt32LE(3, 4);
  head.writeBigUInt64LE(0n, 8);
  head.writeBigUInt64LE(BigInt(kvs.length), 16);
  return Buffer.concat([head, ...kvs]);
}

describe('GGUF chat templates stored as arrays', () => {
  it('checks a chat template stored as an array of strings, which llama.cpp renders as its text ["..."]', async () => {
    const items = [
      "{% for m in messages %}{{ m['content'] }}{% endfor %}",
      "{{ messages['__cla' + 'ss__'] }}",
    ];
    const template = Buffer.concat([
      gstr('tokenizer.chat_template'),
      u32(9), // array
      u32(8), // of strings
      (() => {
        const n = Buffer.alloc(8);
        n.writeBigUInt64LE(BigInt(items.length));
        return n;
      })(),
      ...items.map(gstr),
    ]);
    const file = gguf([
      Buffer.concat([gstr('general.architecture'), u32(8), gstr('llama')]),
      template,
    ]);
    const report = new ScanReport();
    const { format } = await analyzeSource(new BufferSource(file), report, '');
    expect(format).toBe('gguf');
    expect(report.findings.map(f => f.rule)).toContain(
      'gguf/chat-template-dunder',
    );
  });
});
