import { mkdtempSync, readFileSync, readdirSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import fc from 'fast-check';
import { scanFile } from './scanFile';

const FIXTURES = resolve(__dirname, '../../fixtures/files');
const CONTAINERS = join(FIXTURES, 'containers');
const SEEDS = [
  ...readdirSync(FIXTURES)
    .filter(f => f !== 'zip-bomb.zip' && f !== 'containers')
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
