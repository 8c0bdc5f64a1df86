import { crc32, deflateRawSync } from 'node:zlib';
import { ScanReport } from './report';
import { BufferSource } from './source';
import { analyzeSource } from './analyze';

/*
 * Archives built so that the scanner and the loaders would read different
 * central directories: torch.load reads zips with miniz, numpy, Keras and
 * joblib with Python's zipfile. Whatever either of them reads must be scanned.
 */

const NAME = 'archive/data.pkl';
// Protocol 2: GLOBAL posix.system, ('id',), REDUCE, STOP
const EVIL = Buffer.from(
  '\x80\x02cposix\nsystem\nq\x00X\x02\x00\x00\x00idq\x01\x85q\x02Rq\x03.',
  'latin1',
);
const BENIGN = Buffer.from('\x80\x02}q\x00.', 'latin1');
/** A Keras v3 config.json with a Lambda layer calling os.system. */
const LAMBDA_CONFIG = Buffer.from(
  JSON.stringify({
    class_name: 'Sequential',
    module: 'keras',
    config: {
      layers: [
        {
          class_name: 'Lambda',
          module: 'keras.layers',
          config: { name: 'l', function: 'os.system' },
        },
      ],
    },
  }),
);

/** A local file header and stored data. */
function local(data: Buffer, entryName = NAME): Buffer {
  const name = Buffer.from(entryName);
  const h = Buffer.alloc(30);
  h.writeUInt32LE(0x04034b50, 0);
  h.writeUInt16LE(20, 4);
  h.writeUInt32LE(crc32(data), 14);
  h.writeUInt32LE(data.length, 18);
  h.writeUInt32LE(data.length, 22);
  h.writeUInt16LE(name.length, 26);
  return Buffer.concat([h, name, data]);
}

/** A central directory of one stored entry whose local header is at `offset`. */
function central(
  data: Buffer,
  offset: number,
  entryName = NAME,
  extra = Buffer.alloc(0),
): Buffer {
  const name = Buffer.from(entryName);
  const h = Buffer.alloc(46);
  h.writeUInt16LE(extra.length, 30);
  h.writeUInt32LE(0x02014b50, 0);
  h.writeUInt16LE(20, 4);
  h.writeUInt16LE(20, 6);
  h.writeUInt32LE(crc32(data), 16);
  h.writeUInt32LE(data.length, 20);
  h.writeUInt32LE(data.length, 24);
  h.writeUInt16LE(name.length, 28);
  h.writeUInt32LE(offset, 42);
  return Buffer.concat([h, name, extra]);
}

/** An end-of-central-directory record for `entries` entries (default one). */
function end(
  cdSize: number,
  cdOffset: number,
  commentLength: number,
  entries = 1,
): Buffer {
  const e = Buffer.alloc(22);
  e.writeUInt32LE(0x06054b50, 0);
  e.writeUInt16LE(entries, 8);
  e.writeUInt16LE(entries, 10);
  e.writeUInt32LE(cdSize, 12);
  e.writeUInt32LE(cdOffset, 16);
  e.writeUInt16LE(commentLength, 20);
  return e;
}

async function analyze(bytes: Buffer) {
  const report = new ScanReport();
  const { format } = await analyzeSource(new BufferSource(bytes), report, '');
  return { format, rules: report.findings.map(f => f.rule) };
}

describe('zip archives that loaders read differently from the scanner', () => {
  it('reads the last end record, as zipfile and miniz do, even when its comment length overruns the file', async () => {
    // [evil][benign][CD->benign][END 1, comment = the rest][CD->evil][END 2, comment 0xffff]
    // zipfile and miniz both take END 2, the last signature with 22 bytes
    // after it; a scanner that insists on a comment that fits takes END 1.
    const evil = local(EVIL);
    const benign = local(BENIGN);
    const cdBenign = central(BENIGN, evil.length);
    const cdEvil = central(EVIL, 0);
    const cdBenignAt = evil.length + benign.length;
    const end1 = end(cdBenign.length, cdBenignAt, cdEvil.length + 22);
    const cdEvilAt = cdBenignAt + cdBenign.length + end1.length;
    const zip = Buffer.concat([
      evil,
      benign,
      cdBenign,
      end1,
      cdEvil,
      end(cdEvil.length, cdEvilAt, 0xffff),
    ]);
    const { format, rules } = await analyze(zip);
    expect(format).toBe('pytorch-zip');
    expect(rules).toContain('pickle/dangerous-import');
  });

  it('also scans the entries miniz (torch.load) finds at the unshifted offsets of an archive with a shifted directory', async () => {
    // [evil][pad][CD->evil @0][benign][CD->benign][END, cd offset = CD->evil]
    // zipfile adds the gap between where the directory is said to be and
    // where it ends (here the distance between the two directories) to
    // every offset and reads the benign entry; miniz takes the offsets as
    // written and reads the evil one.
    const evil = local(EVIL);
    const cdEvilAt = evil.length + 64;
    const cdEvil = central(EVIL, 0);
    const benignAt = cdEvilAt + cdEvil.length;
    const benign = local(BENIGN);
    const cdBenignAt = benignAt + benign.length;
    const shift = cdBenignAt - cdEvilAt;
    const cdBenign = central(BENIGN, benignAt - shift);
    const zip = Buffer.concat([
      evil,
      Buffer.alloc(64),
      cdEvil,
      benign,
      cdBenign,
      end(cdBenign.length, cdEvilAt, 0),
    ]);
    const { format, rules } = await analyze(zip);
    expect(format).toBe('pytorch-zip');
    expect(rules).toContain('pickle/dangerous-import');
  });

  it('refuses a ZIP64 end record that is not right before its locator (zipfile reads there, miniz where the locator points)', async () => {
    // [evil][benign][CD->benign][Z64->CD benign][CD->evil][Z64->CD evil][locator->first Z64][END]
    // miniz follows the locator to the benign directory; Python's zipfile
    // reads the record right before the locator and loads the evil entry.
    const evil = local(EVIL);
    const benign = local(BENIGN);
    const cdBenign = central(BENIGN, evil.length);
    const cdEvil = central(EVIL, 0);
    const z64 = (cdSize: number, cdOffset: number) => {
      const z = Buffer.alloc(56);
      z.writeUInt32LE(0x06064b50, 0);
      z.writeUInt32LE(44, 4);
      z.writeUInt32LE(1, 24);
      z.writeUInt32LE(1, 32);
      z.writeUInt32LE(cdSize, 40);
      z.writeUInt32LE(cdOffset, 48);
      return z;
    };
    const cdBenignAt = evil.length + benign.length;
    const z64BenignAt = cdBenignAt + cdBenign.length;
    const cdEvilAt = z64BenignAt + 56;
    const locator = Buffer.alloc(20);
    locator.writeUInt32LE(0x07064b50, 0);
    locator.writeUInt32LE(z64BenignAt, 8);
    locator.writeUInt32LE(1, 16);
    const zip = Buffer.concat([
      evil,
      benign,
      cdBenign,
      z64(cdBenign.length, cdBenignAt),
      cdEvil,
      z64(cdEvil.length, cdEvilAt),
      locator,
      end(0xffffffff, 0xffffffff, 0),
    ]);
    const report = new ScanReport();
    await analyzeSource(new BufferSource(zip), report, '');
    expect(report.parsedFully).toBe(false);
    expect(report.findings.map(f => f.rule)).toContain('zip/malformed');
  });

  it('scans a NumPy array stored under a PyTorch storage name, which numpy.load reads and torch.load never unpickles', async () => {
    // np.load(f, allow_pickle=True)['archive/data/0'] unpickles the array.
    const header = "{'descr': '|O', 'fortran_order': False, 'shape': (1,), }";
    const padded = `${header.padEnd(128 - 10 - 1, ' ')}\n`;
    const npyHead = Buffer.alloc(10);
    Buffer.from('\x93NUMPY', 'latin1').copy(npyHead);
    npyHead[6] = 1;
    npyHead.writeUInt16LE(padded.length, 8);
    const npy = Buffer.concat([npyHead, Buffer.from(padded, 'latin1'), EVIL]);
    const pkl = local(BENIGN);
    const storage = local(npy, 'archive/data/0');
    const cd = Buffer.concat([
      central(BENIGN, 0),
      central(npy, pkl.length, 'archive/data/0'),
    ]);
    const e = end(cd.length, pkl.length + storage.length, 0, 2);
    const zip = Buffer.concat([pkl, storage, cd, e]);
    const { format, rules } = await analyze(zip);
    expect(format).toBe('pytorch-zip');
    expect(rules).toContain('pickle/dangerous-import');
  });

  it('takes a name cut at its first NUL byte, as zipfile does: "config.json\\0.txt" is the config Keras loads', async () => {
    const config = LAMBDA_CONFIG;
    const metadata = Buffer.from('{"keras_version": "3.5.0"}');
    const configName = 'config.json\u0000.txt';
    const first = local(metadata, 'metadata.json');
    const second = local(config, configName);
    const cd = Buffer.concat([
      central(metadata, 0, 'metadata.json'),
      central(config, first.length, configName),
    ]);
    const e = end(cd.length, first.length + second.length, 0, 2);
    const { format, rules } = await analyze(
      Buffer.concat([first, second, cd, e]),
    );
    expect(format).toBe('keras');
    expect(rules).toEqual(
      expect.arrayContaining(['keras/lambda-layer', 'zip/bad-name']),
    );
  });
  it('takes the name of a Unicode Path extra field, as zipfile (Python 3.12+) does: "weights.bin" can be the config Keras loads', async () => {
    const config = LAMBDA_CONFIG;
    const metadata = Buffer.from('{"keras_version": "3.5.0"}');
    const storedName = 'weights.bin';
    const unicodePath = Buffer.concat([
      Buffer.from([0x75, 0x70, 0, 0, 1]),
      Buffer.alloc(4),
      Buffer.from('config.json'),
    ]);
    unicodePath.writeUInt16LE(unicodePath.length - 4, 2);
    unicodePath.writeUInt32LE(crc32(Buffer.from(storedName)), 5);
    const first = local(metadata, 'metadata.json');
    const second = local(config, storedName);
    const cd = Buffer.concat([
      central(metadata, 0, 'metadata.json'),
      central(config, first.length, storedName, unicodePath),
    ]);
    const e = end(cd.length, first.length + second.length, 0, 2);
    const { format, rules } = await analyze(
      Buffer.concat([first, second, cd, e]),
    );
    expect(format).toBe('keras');
    expect(rules).toContain('keras/lambda-layer');
  });

  it('scans a zip after bytes of no known format, which zipfile (and so Keras) opens', async () => {
    const config = Buffer.from(
      JSON.stringify({
        class_name: 'Sequential',
        config: {
          layers: [{ class_name: 'Lambda', config: { function: 'os.system' } }],
        },
      }),
    );
    const metadata = Buffer.from('{}');
    const first = local(config, 'config.json');
    const second = local(metadata, 'metadata.json');
    const cd = Buffer.concat([
      central(config, 0, 'config.json'),
      central(metadata, first.length, 'metadata.json'),
    ]);
    const e = end(cd.length, first.length + second.length, 0, 2);
    const { format, rules } = await analyze(
      Buffer.concat([Buffer.from('GARBAGE '.repeat(20)), first, second, cd, e]),
    );
    expect(format).toBe('keras');
    expect(rules).toContain('keras/lambda-layer');
  });

  it('scans the declared size of an entry that inflates to more, which zipfile reads and stops at', async () => {
    // zipfile returns file_size bytes and checks the CRC over those; the
    // bytes beyond never reach pickle.load.
    const body = deflateRawSync(Buffer.concat([EVIL, Buffer.alloc(4096, 7)]));
    const name = Buffer.from('model.pkl');
    const lh = Buffer.alloc(30);
    lh.writeUInt32LE(0x04034b50, 0);
    lh.writeUInt16LE(20, 4);
    lh.writeUInt16LE(8, 8);
    lh.writeUInt32LE(crc32(EVIL), 14);
    lh.writeUInt32LE(body.length, 18);
    lh.writeUInt32LE(EVIL.length, 22);
    lh.writeUInt16LE(name.length, 26);
    const ch = Buffer.alloc(46);
    ch.writeUInt32LE(0x02014b50, 0);
    ch.writeUInt16LE(20, 6);
    ch.writeUInt16LE(8, 10);
    ch.writeUInt32LE(crc32(EVIL), 16);
    ch.writeUInt32LE(body.length, 20);
    ch.writeUInt32LE(EVIL.length, 24);
    ch.writeUInt16LE(name.length, 28);
    const cd = Buffer.concat([ch, name]);
    const zip = Buffer.concat([
      lh,
      name,
      body,
      cd,
      end(cd.length, 30 + name.length + body.length, 0),
    ]);
    const { rules } = await analyze(zip);
    expect(rules).toEqual(
      expect.arrayContaining(['pickle/dangerous-import', 'zip/inflate-limit']),
    );
  });
});
