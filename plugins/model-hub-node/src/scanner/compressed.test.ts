import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { gzipSync } from 'node:zlib';
import { scanFile } from './scanFile';

const DIR = resolve(__dirname, '../../fixtures/files/containers');

// Protocol 2: GLOBAL posix.system, ('id',), REDUCE, STOP
const EVIL = Buffer.from(
  '\x80\x02cposix\nsystem\nq\x00X\x02\x00\x00\x00idq\x01\x85q\x02Rq\x03.',
  'latin1',
);

/*
 * A stream that starts with gzip, bzip2 or xz magic but does not decompress
 * cleanly may still load: Python's gzip module never checks the header CRC
 * and hands out the data before it checks the trailer's CRC-32, so
 * pickle.load(gzip.open(f)) and pandas.read_pickle run such a pickle. Under
 * a name that claims no model format (scaler.sav, vocab.gz) it must not be
 * `unsupported`, which the gate lets through silently below 1 MiB.
 */
describe('compressed streams that do not decompress cleanly', () => {
  const dir = mkdtempSync(join(tmpdir(), 'scan-compressed-'));

  async function scan(name: string, bytes: Buffer) {
    const file = join(dir, name);
    writeFileSync(file, bytes);
    return scanFile(file);
  }

  it('finds the pickle in gzip with a wrong CRC-32 in its trailer, which gzip.open hands out before checking it', async () => {
    const gz = gzipSync(EVIL);
    gz[gz.length - 8] ^= 0xff;
    const r = await scan('scaler.sav', gz);
    expect(r.verdict).toBe('unsafe');
    expect(r.findings.map(f => f.rule)).toContain('pickle/dangerous-import');
  });

  it('finds the pickle in gzip with a wrong header CRC (FHCRC), which Python skips', async () => {
    const gz = gzipSync(EVIL);
    const withHcrc = Buffer.concat([
      gz.subarray(0, 10),
      Buffer.from([0, 0]),
      gz.subarray(10),
    ]);
    withHcrc[3] |= 0x02;
    const r = await scan('vocab.gz', withHcrc);
    expect(r.verdict).toBe('unsafe');
    expect(r.findings.map(f => f.rule)).toContain('pickle/dangerous-import');
  });

  it.each(['joblib-bz2-malicious.joblib', 'joblib-xz-malicious.joblib'])(
    'is error, not unsupported, for %s with its last bytes damaged',
    async fixture => {
      const bytes = readFileSync(join(DIR, fixture));
      bytes[bytes.length - 1] ^= 0xff;
      bytes[bytes.length - 2] ^= 0xff;
      const r = await scan('model.dat', bytes);
      expect(r.verdict).not.toBe('unsupported');
      expect(r.verdict).not.toBe('safe');
    },
  );
});
