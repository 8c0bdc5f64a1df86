import {
  mkdtempSync,
  readFileSync,
  readdirSync,
  statSync,
  writeFileSync,
} from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { crc32, inflateRawSync } from 'node:zlib';
import fc from 'fast-check';
import { scanFile } from './scanFile';
import { HDF5_LIMITS } from './hdf5';

// A mutated HDF5 file can send the HDF5 library into a loop; the reader
// process is killed at its timeout, which must fit the 2 s budget here.
HDF5_LIMITS.timeoutMs = 1_500;

const FIXTURES = resolve(__dirname, '../../fixtures/files');
const CONTAINERS = join(FIXTURES, 'containers');
const SEEDS = [
  ...readdirSync(FIXTURES)
    .filter(f => f !== 'zip-bomb.zip' && statSync(join(FIXTURES, f)).isFile())
    .map(f => join(FIXTURES, f)),
  ...readdirSync(CONTAINERS)
    .filter(f => f !== 'zip-bomb-256mib.zip')
    .map(f => join(CONTAINERS, f)),
].map(f => readFileSync(f));
const VERDICTS = ['safe', 'unsafe', 'error', 'unsupported'];
const dir = mkdtempSync(join(tmpdir(), 'scan-fuzz-'));
let n = 0;

async function scanBytes(bytes: Uint8Array) {
  const file = join(dir, `case-${n++}`);
  writeFileSync(file, bytes);
  const started = Date.now();
  const result = await scanFile(file);
  const elapsed = Date.now() - started;
  expect(VERDICTS).toContain(result.verdict);
  // A crash inside a parser would surface as an internal-error finding.
  expect(
    result.findings.filter(f => f.rule === 'scanner/internal-error'),
  ).toEqual([]);
  expect(elapsed).toBeLessThan(2000);
  return result;
}

const mutation = fc.tuple(
  fc.constantFrom('set', 'delete', 'insert'),
  fc.nat(),
  fc.integer({ min: 0, max: 255 }),
);

describe('scanner fuzzing', () => {
  jest.setTimeout(60_000);

  it('never crashes or hangs on random bytes', async () => {
    await expect(
      fc.assert(
        fc.asyncProperty(
          fc.oneof(
            fc.uint8Array({ maxLength: 2048 }),
            // random bytes behind each format's magic, to get past detection
            fc
              .tuple(
                fc.constantFrom(
                  [0x80, 0x04],
                  [0x80, 0x02],
                  [0x50, 0x4b, 0x03, 0x04],
                  [0x93, 0x4e, 0x55, 0x4d, 0x50, 0x59, 0x01, 0x00],
                  [0x47, 0x47, 0x55, 0x46, 0x03, 0, 0, 0],
                  [0x08, 0x07, 0x12],
                  [0x20, 0, 0, 0, 0, 0, 0, 0, 0x7b, 0x22],
                  [0x28],
                  // bzip2, xz, .lzma alone, MessagePack map, HDF5
                  [0x42, 0x5a, 0x68, 0x39, 0x31, 0x41, 0x59, 0x26, 0x53, 0x59],
                  [0xfd, 0x37, 0x7a, 0x58, 0x5a, 0x00],
                  [0x5d, 0, 0, 0x80, 0, ...Array(8).fill(0xff), 0],
                  [0x82, 0xa1, 0x61],
                  [0x89, 0x48, 0x44, 0x46, 0x0d, 0x0a, 0x1a, 0x0a],
                ),
                fc.uint8Array({ maxLength: 1024 }),
              )
              .map(([head, tail]) => Uint8Array.from([...head, ...tail])),
          ),
          async bytes => {
            await scanBytes(bytes);
          },
        ),
        { numRuns: 300 },
      ),
    ).resolves.toBeUndefined();
  });

  it('never crashes or hangs on mutated fixtures', async () => {
    await expect(
      fc.assert(
        fc.asyncProperty(
          fc.nat({ max: SEEDS.length - 1 }),
          fc.array(mutation, { minLength: 1, maxLength: 6 }),
          fc.option(fc.nat(), { nil: undefined }),
          async (seed, mutations, cut) => {
            let bytes = Array.from(SEEDS[seed]);
            for (const [op, at, value] of mutations) {
              const i = bytes.length ? at % bytes.length : 0;
              if (op === 'set' && bytes.length) bytes[i] = value;
              else if (op === 'delete') bytes.splice(i, 1);
              else bytes.splice(i, 0, value);
            }
            if (cut !== undefined && bytes.length)
              bytes = bytes.slice(0, cut % bytes.length);
            await scanBytes(Uint8Array.from(bytes));
          },
        ),
        { numRuns: 700 },
      ),
    ).resolves.toBeUndefined();
  });
});

/**
 * Malicious container samples: mutations may break them, never bless them.
 * (Chat templates are left to the crash-only property above: a mutation
 * that turns a `{{` into text makes a template harmless, not undetected.)
 */
const MALICIOUS = readdirSync(CONTAINERS)
  .filter(f => /malicious|lambda/.test(f))
  .map(f => ({ name: f, bytes: readFileSync(join(CONTAINERS, f)), from: 0 }));

const formats = new Map<string, string>();

/**
 * Whether Python's zipfile would read every member of a zip without a CRC
 * error (it checks the CRC-32 of each member it reads); a mutation that
 * breaks one makes the archive unloadable, not undetected.
 */
function zipMembersIntact(bytes: Buffer): boolean {
  try {
    const eocd = bytes.lastIndexOf(Buffer.from([0x50, 0x4b, 0x05, 0x06]));
    if (eocd < 0) return false;
    const count = bytes.readUInt16LE(eocd + 10);
    let p = bytes.readUInt32LE(eocd + 16);
    for (let i = 0; i < count; i++) {
      if (bytes.readUInt32LE(p) !== 0x02014b50) return false;
      const method = bytes.readUInt16LE(p + 10);
      const crc = bytes.readUInt32LE(p + 16);
      const csize = bytes.readUInt32LE(p + 20);
      const nameLen = bytes.readUInt16LE(p + 28);
      const extra = bytes.readUInt16LE(p + 30);
      const comment = bytes.readUInt16LE(p + 32);
      const lho = bytes.readUInt32LE(p + 42);
      const data =
        lho + 30 + bytes.readUInt16LE(lho + 26) + bytes.readUInt16LE(lho + 28);
      const raw = bytes.subarray(data, data + csize);
      if (method === 8 && crc32(inflateRawSync(raw)) !== crc) return false;
      if (method === 0 && crc32(raw) !== crc) return false;
      p += 46 + nameLen + extra + comment;
    }
    return true;
  } catch {
    return false;
  }
}

describe('container fuzzing', () => {
  jest.setTimeout(120_000);

  it('has malicious samples of every container format', () => {
    const names = MALICIOUS.map(m => m.name).join(' ');
    for (const kind of [
      'bz2',
      'lzma',
      'xz',
      'tar',
      'zip-lzma',
      'zip-bzip2',
      '.h5',
      'npy',
    ])
      expect(names).toContain(kind);
  });

  it('never calls a mutated malicious sample safe without a finding to review', async () => {
    await expect(
      fc.assert(
        fc.asyncProperty(
          fc.nat({ max: MALICIOUS.length - 1 }),
          fc.array(mutation, { minLength: 1, maxLength: 4 }),
          async (seed, mutations) => {
            const { bytes: seedBytes, from } = MALICIOUS[seed];
            const bytes = Array.from(seedBytes);
            for (const [op, at, value] of mutations) {
              const i = from + (at % (bytes.length - from));
              if (op === 'set') bytes[i] = value;
              else if (op === 'delete') bytes.splice(i, 1);
              else bytes.splice(i, 0, value);
            }
            const result = await scanBytes(Uint8Array.from(bytes));
            // A sample that no longer parses as its format (a Keras zip
            // whose config.json lost its name is a plain zip) is out.
            const name = MALICIOUS[seed].name;
            if (!formats.has(name))
              formats.set(
                name,
                (await scanFile(join(CONTAINERS, name))).format,
              );
            const original = formats.get(name);
            if (result.format !== original) return;
            const mutated = Buffer.from(bytes);
            if (/zip|keras/.test(original ?? '') && !zipMembersIntact(mutated))
              return;
            // Otherwise it is still caught, or fails to parse (error), or
            // what is left is something a reviewer must see.
            const flagged =
              result.verdict !== 'safe' ||
              result.findings.some(f => f.severity !== 'low');
            if (!flagged) {
              throw new Error(
                `${MALICIOUS[seed].name} mutated ${JSON.stringify(
                  mutations,
                )} came out safe: ${JSON.stringify(result.findings)}`,
              );
            }
          },
        ),
        { numRuns: 250 },
      ),
    ).resolves.toBeUndefined();
  });
});
