import { crc32, deflateRawSync } from 'node:zlib';
import { randomBytes } from 'node:crypto';
import { ScanReport } from './report';
import { BufferSource } from './source';
import { analyzeSource } from './analyze';

/** Builds a zip archive (deflated or stored entries) byte by byte. */
function buildZip(
  entries: Array<{ name: string; data: Buffer; deflate: boolean }>,
): Buffer {
  const parts: Buffer[] = [];
  const central: Buffer[] = [];
  let offset = 0;
  for (const e of entries) {
    const name = Buffer.from(e.name);
    const body = e.deflate ? deflateRawSync(e.data) : e.data;
    const crc = crc32(e.data);
    const lh = Buffer.alloc(30);
    lh.writeUInt32LE(0x04034b50, 0);
    lh.writeUInt16LE(20, 4);
    lh.writeUInt16LE(e.deflate ? 8 : 0, 8);
    lh.writeUInt32LE(crc, 14);
    lh.writeUInt32LE(body.length, 18);
    lh.writeUInt32LE(e.data.length, 22);
    lh.writeUInt16LE(name.length, 26);
    const ch = Buffer.alloc(46);
    ch.writeUInt32LE(0x02014b50, 0);
    ch.writeUInt16LE(20, 6);
    ch.writeUInt16LE(e.deflate ? 8 : 0, 10);
    ch.writeUInt32LE(crc, 16);
    ch.writeUInt32LE(body.length, 20);
    ch.writeUInt32LE(e.data.length, 24);
    ch.writeUInt16LE(name.length, 28);
    ch.writeUInt32LE(offset, 42);
    central.push(ch, name);
    parts.push(lh, name, body);
    offset += 30 + name.length + body.length;
  }
  const cd = Buffer.concat(central);
  const eocd = Buffer.alloc(22);
  eocd.writeUInt32LE(0x06054b50, 0);
  eocd.writeUInt16LE(entries.length, 8);
  eocd.writeUInt16LE(entries.length, 10);
  eocd.writeUInt32LE(cd.length, 12);
  eocd.writeUInt32LE(offset, 16);
  return Buffer.concat([...parts, cd, eocd]);
}

async function analyze(bytes: Buffer) {
  const report = new ScanReport();
  const { format } = await analyzeSource(new BufferSource(bytes), report, '');
  return { format, report, rules: report.findings.map(f => f.rule) };
}

// Protocol 2: GLOBAL posix.system, ('id',), REDUCE, STOP
const EVIL = Buffer.from(
  '\x80\x02cposix\nsystem\nq\x00X\x02\x00\x00\x00idq\x01\x85q\x02Rq\x03.',
  'latin1',
);

describe('zip scanning', () => {
  it('stops reading a large deflated non-pickle entry early and goes on to the next', async () => {
    const text = Buffer.from(randomBytes(6 * 1024 * 1024).toString('base64'));
    const zip = buildZip([
      { name: 'notes.txt', data: text, deflate: true },
      { name: 'model.bin', data: EVIL, deflate: true },
    ]);
    const started = Date.now();
    const { format, rules, report } = await analyze(zip);
    expect(Date.now() - started).toBeLessThan(5000);
    expect(format).toBe('zip');
    expect(rules).toEqual(['pickle/dangerous-import']);
    expect(report.parsedFully).toBe(true);
  });

  it('reports inflated data longer than the declared size as an error', async () => {
    const zip = buildZip([
      { name: 'a.pkl', data: Buffer.alloc(4096, 'N'), deflate: true },
    ]);
    // shrink the declared uncompressed size in the central directory
    const cd = zip.indexOf(Buffer.from([0x50, 0x4b, 0x01, 0x02]));
    zip.writeUInt32LE(100, cd + 24);
    const { rules, report } = await analyze(zip);
    expect(rules).toContain('zip/inflate-limit');
    expect(report.parsedFully).toBe(false);
  });

  it('reports corrupt deflate data as an error', async () => {
    const zip = buildZip([{ name: 'a.pkl', data: EVIL, deflate: true }]);
    const lfhData = 30 + 'a.pkl'.length;
    zip.fill(0xff, lfhData, lfhData + 8);
    const { rules } = await analyze(zip);
    expect(rules).toContain('zip/bad-deflate');
  });

  it('flags duplicate entry names, which readers resolve differently', async () => {
    const zip = buildZip([
      {
        name: 'data.pkl',
        data: Buffer.from('\x80\x02N.', 'latin1'),
        deflate: false,
      },
      { name: 'data.pkl', data: EVIL, deflate: false },
    ]);
    const { rules } = await analyze(zip);
    expect(rules).toEqual(
      expect.arrayContaining([
        'zip/duplicate-entry',
        'pickle/dangerous-import',
      ]),
    );
  });

  it('rejects unsupported compression methods and encrypted entries as errors', async () => {
    const zip = buildZip([{ name: 'a.pkl', data: EVIL, deflate: false }]);
    const cd = zip.indexOf(Buffer.from([0x50, 0x4b, 0x01, 0x02]));
    zip.writeUInt16LE(97, cd + 10); // no such method
    expect((await analyze(zip)).rules).toContain('zip/unsupported-compression');
    zip.writeUInt16LE(0, cd + 10);
    zip.writeUInt16LE(1, cd + 8); // encrypted flag
    expect((await analyze(zip)).rules).toContain('zip/encrypted');
  });
});
