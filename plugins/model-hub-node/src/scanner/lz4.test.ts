import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { scanFile } from './scanFile';

/*
 * joblib.load reads LZ4 frames (magic 04 22 4d 18) as a compressed pickle
 * when the lz4 package is installed, whatever the file is named: an LZ4
 * pickle under a name that claims no model format (scaler.dat) scanned
 * `unsupported`, which the gate lets through below 1 MiB.
 */

/** An LZ4 length continuation: 15 in the token, then 255s and the rest. */
function lengthBytes(n: number): number[] {
  const out: number[] = [];
  let rest = n - 15;
  while (rest >= 255) {
    out.push(255);
    rest -= 255;
  }
  out.push(rest);
  return out;
}

/** One LZ4 sequence: literals, then (unless last) a match of `matchLength` at `offset` back. */
function sequence(literals: string, match?: [offset: number, length: number]) {
  const lit = Buffer.from(literals, 'latin1');
  const m = match ? match[1] - 4 : 0;
  const token = (Math.min(lit.length, 15) << 4) | Math.min(m, 15);
  return Buffer.from([
    token,
    ...(lit.length >= 15 ? lengthBytes(lit.length) : []),
    ...lit,
    ...(match
      ? [match[0] & 0xff, match[0] >> 8, ...(m >= 15 ? lengthBytes(m) : [])]
      : []),
  ]);
}

/** An LZ4 frame of compressed blocks (independent unless `linked`). */
function frame(blocks: Buffer[], linked = false): Buffer {
  const flg = 0x40 | (linked ? 0 : 0x20);
  const parts = [Buffer.from([0x04, 0x22, 0x4d, 0x18, flg, 0x40, 0x00])];
  for (const b of blocks) {
    const size = Buffer.alloc(4);
    size.writeUInt32LE(b.length);
    parts.push(size, b);
  }
  parts.push(Buffer.alloc(4));
  return Buffer.concat(parts);
}

// cos\nsystem\n(S'aaa...'\ntR. : os.system('aaa...'), the run of a's a match
const EVIL_BLOCK = Buffer.concat([
  sequence("cos\nsystem\n(S'a", [1, 300]),
  sequence("'\ntR."),
]);

describe('LZ4-compressed pickles (joblib)', () => {
  const dir = mkdtempSync(join(tmpdir(), 'scan-lz4-'));
  async function scan(name: string, bytes: Buffer) {
    const file = join(dir, name);
    writeFileSync(file, bytes);
    return scanFile(file);
  }

  it('finds os.system in an LZ4 frame under a name that claims no model format', async () => {
    const r = await scan('scaler.dat', frame([EVIL_BLOCK]));
    expect(r.format).toBe('pickle');
    expect(r.verdict).toBe('unsafe');
    expect(r.findings.map(f => f.rule)).toContain('pickle/dangerous-import');
  });

  it('follows a match into the previous block of a linked frame', async () => {
    const first = sequence("cos\nsystem\n(S'abcd");
    const second = Buffer.concat([
      sequence('', [4, 8]), // abcdabcd, from the first block
      sequence("'\ntR."),
    ]);
    const r = await scan('linked.bin', frame([first, second], true));
    expect(r.verdict).toBe('unsafe');
    expect(r.findings.map(f => f.rule)).toContain('pickle/dangerous-import');
  });

  it('reads a benign LZ4 pickle as safe', async () => {
    const r = await scan('benign.lz4', frame([sequence('\x80\x02}q\x00.')]));
    expect(r.format).toBe('pickle');
    expect(r.verdict).toBe('safe');
  });

  it('makes a match before the start of the data error, never unsupported', async () => {
    const r = await scan(
      'broken.dat',
      frame([Buffer.concat([sequence('ab', [9, 4]), sequence('.')])]),
    );
    expect(r.verdict).toBe('error');
  });
});
