import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { scanFile } from './scanFile';

/*
 * Tar archives walked the way Python's tarfile walks them: torch.load opens
 * a legacy (pre-1.6) checkpoint with tarfile and unpickles the data that
 * tarfile.extractfile returns for "sys_info", "storages", "tensors" and
 * "pickle".
 */

// Protocol 2: GLOBAL posix.system, ('id',), REDUCE, STOP
const EVIL = Buffer.from(
  '\x80\x02cposix\nsystem\nq\x00X\x02\x00\x00\x00idq\x01\x85q\x02Rq\x03.',
  'latin1',
);
/** A pickle of 0, what torch.save writes for an empty storages/tensors list. */
const ZERO = Buffer.from('\x80\x02K\x00.', 'latin1');
const SYS_INFO = Buffer.from('\x80\x02}q\x00.', 'latin1');

/** A tar header; `signed` stores the checksum over signed bytes (tarfile accepts both). */
function header(
  name: string,
  size: number,
  type = '0',
  options: {
    linkName?: string;
    magic?: boolean;
    uname?: Buffer;
    signed?: boolean;
  } = {},
): Buffer {
  const h = Buffer.alloc(512);
  h.write(name, 0, 'latin1');
  h.write('0000644\0', 100, 'latin1');
  h.write('0000000\0', 108, 'latin1');
  h.write('0000000\0', 116, 'latin1');
  h.write(`${size.toString(8).padStart(11, '0')}\0`, 124, 'latin1');
  h.write('00000000000\0', 136, 'latin1');
  h.write(type, 156, 'latin1');
  if (options.linkName) h.write(options.linkName, 157, 'latin1');
  if (options.magic !== false) h.write('ustar\u000000', 257, 'latin1');
  options.uname?.copy(h, 265);
  h.fill(0x20, 148, 156);
  let sum = 0;
  for (const b of h) sum += options.signed && b > 127 ? b - 256 : b;
  h.write(`${sum.toString(8).padStart(6, '0')}\0 `, 148, 'latin1');
  return h;
}

function data(b: Buffer): Buffer {
  return Buffer.concat([b, Buffer.alloc((512 - (b.length % 512)) % 512)]);
}

function member(name: string, b: Buffer, type = '0'): Buffer {
  return Buffer.concat([header(name, b.length, type), data(b)]);
}

const END = Buffer.alloc(1024);
const REST = Buffer.concat([
  member('sys_info', SYS_INFO),
  member('storages', ZERO),
  member('tensors', ZERO),
]);

describe('tar archives read as tarfile reads them', () => {
  const dir = mkdtempSync(join(tmpdir(), 'scan-tar-'));

  async function scan(bytes: Buffer) {
    const file = join(dir, 'checkpoint.dat');
    writeFileSync(file, bytes);
    return scanFile(file);
  }

  it('scans a member of an unknown type, which extractfile reads as a regular file', async () => {
    const r = await scan(
      Buffer.concat([REST, member('pickle', EVIL, 'Z'), END]),
    );
    expect(r.verdict).toBe('unsafe');
    expect(r.findings.map(f => f.rule)).toContain('pickle/dangerous-import');
  });

  it('does not skip the size a directory header declares (tarfile reads the next header right after it)', async () => {
    const r = await scan(
      Buffer.concat([
        REST,
        header('dir/', 512, '5'),
        member('pickle', EVIL),
        END,
      ]),
    );
    expect(r.verdict).toBe('unsafe');
    expect(r.findings.map(f => f.rule)).toContain('pickle/dangerous-import');
  });

  it('reads a header whose checksum is over signed bytes, as tarfile accepts', async () => {
    const evil = Buffer.concat([
      header('pickle', EVIL.length, '0', {
        uname: Buffer.from([0xff, 0xfe]),
        signed: true,
      }),
      data(EVIL),
    ]);
    const r = await scan(Buffer.concat([REST, evil, END]));
    expect(r.verdict).toBe('unsafe');
  });

  it('opens a V7 tar (no ustar magic), which tarfile and torch.load open too', async () => {
    const v7 = (name: string, b: Buffer) =>
      Buffer.concat([header(name, b.length, '0', { magic: false }), data(b)]);
    const r = await scan(
      Buffer.concat([
        v7('sys_info', SYS_INFO),
        v7('storages', ZERO),
        v7('tensors', ZERO),
        v7('pickle', EVIL),
        END,
      ]),
    );
    expect(r.verdict).toBe('unsafe');
    expect(r.format).toBe('pickle');
  });

  it('follows every element size a storage record can have, not the first that fits', async () => {
    // torch reads a DoubleStorage's 4 elements as 32 bytes; a scanner that
    // tries 4-byte elements first lands on a decoy pickle 16 bytes in and,
    // from there, skips past the second header, the one torch unpickles.
    const header1 = Buffer.from(
      '\x80\x02(X\x01\x00\x00\x000X\x03\x00\x00\x00cpuctorch\nDoubleStorage\ntq\x00.',
      'latin1',
    );
    const decoy = Buffer.from('\x80\x02N.', 'latin1');
    const tail = Buffer.alloc(4 + EVIL.length + 8); // rest of the data, header 2, numel 0
    EVIL.copy(tail, 4);
    const fakeNumel = Buffer.alloc(8);
    fakeNumel.writeBigInt64LE(BigInt(tail.length));
    const data1 = Buffer.concat([
      Buffer.alloc(16),
      decoy,
      fakeNumel,
      tail.subarray(0, 4),
    ]);
    expect(data1.length).toBe(32);
    const numel1 = Buffer.alloc(8);
    numel1.writeBigInt64LE(4n);
    const storages = Buffer.concat([
      Buffer.from('\x80\x02K\x02.', 'latin1'),
      header1,
      numel1,
      data1,
      tail.subarray(4),
    ]);
    const r = await scan(
      Buffer.concat([
        member('sys_info', SYS_INFO),
        member('pickle', SYS_INFO),
        member('storages', storages),
        member('tensors', ZERO),
        END,
      ]),
    );
    expect(r.verdict).toBe('unsafe');
    expect(r.findings.map(f => f.rule)).toContain('pickle/dangerous-import');
  });

  it.each([
    ['a benign', SYS_INFO, 'safe'],
    ['a hostile', EVIL, 'unsafe'],
  ])(
    'walks tensors records as torch.load reads them (ndim, 4 skipped bytes, sizes, strides, offset) to %s second header',
    async (_what, secondHeader, verdict) => {
      const record = (ndim: number) => {
        const b = Buffer.alloc(4 + 4 + 16 * ndim + 8);
        b.writeInt32LE(ndim, 0);
        return b;
      };
      const tensors = Buffer.concat([
        Buffer.from('\x80\x02K\x02.', 'latin1'),
        Buffer.from('\x80\x02}q\x00.', 'latin1'),
        record(2),
        secondHeader,
        record(1),
      ]);
      const r = await scan(
        Buffer.concat([
          member('sys_info', SYS_INFO),
          member('pickle', SYS_INFO),
          member('storages', ZERO),
          member('tensors', tensors),
          END,
        ]),
      );
      expect(r.findings.map(f => f.rule)).not.toContain('tar/unparsed-record');
      expect(r.verdict).toBe(verdict);
    },
  );

  it('reads the configs of a model archive (model.tar.gz as SageMaker ships it) for auto_map code', async () => {
    const dir2 = mkdtempSync(join(tmpdir(), 'scan-tar-config-'));
    const file = join(dir2, 'model.tar');
    writeFileSync(
      file,
      Buffer.concat([
        member(
          'model/config.json',
          Buffer.from(
            '{"auto_map": {"AutoModel": "attacker/repo--modeling.Net"}}',
          ),
        ),
        END,
      ]),
    );
    const r = await scanFile(file);
    const finding = r.findings.find(f => f.rule === 'config/auto-map');
    expect(finding?.location).toContain('model/config.json');
  });
});
