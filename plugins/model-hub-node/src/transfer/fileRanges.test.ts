import { createHash } from 'node:crypto';
import fs from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { sha256OfRange, TRANSFER_CHUNK_BYTES } from './fileRanges';

const sha256 = (b: Buffer) => createHash('sha256').update(b).digest('hex');

describe('sha256OfRange', () => {
  let dir: string;
  let file: string;
  // Two chunks and a bit: ranges cross the reused buffers' boundaries.
  const bytes = Buffer.alloc(2 * TRANSFER_CHUNK_BYTES + 333);
  for (let i = 0; i < bytes.length; i++) bytes[i] = (i * 7 + (i >> 12)) % 256;

  beforeAll(async () => {
    dir = await fs.mkdtemp(path.join(os.tmpdir(), 'model-hub-ranges-'));
    file = path.join(dir, 'f.bin');
    await fs.writeFile(file, bytes);
  });
  afterAll(() => fs.rm(dir, { recursive: true, force: true }));

  it('hashes any range exactly, across chunk boundaries, and reports every byte', async () => {
    const ranges: Array<[number, number]> = [
      [0, bytes.length - 1],
      [1, TRANSFER_CHUNK_BYTES],
      [TRANSFER_CHUNK_BYTES - 1, 2 * TRANSFER_CHUNK_BYTES + 5],
      [17, 17],
    ];
    for (const [start, end] of ranges) {
      let seen = 0;
      const hash = await sha256OfRange(file, start, end, n => {
        seen += n;
      });
      expect(hash).toBe(sha256(bytes.subarray(start, end + 1)));
      expect(seen).toBe(end + 1 - start);
    }
    expect(await sha256OfRange(file, 5, 4)).toBe(sha256(Buffer.alloc(0)));
  });

  it('fails on a file shorter than the range, rather than hashing less', async () => {
    await expect(sha256OfRange(file, 0, bytes.length)).rejects.toThrow(
      `ended at byte ${bytes.length}`,
    );
  });
});
