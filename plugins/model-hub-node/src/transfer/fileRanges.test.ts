import { createHash, randomBytes } from 'node:crypto';
import fs from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { Writable } from 'node:stream';
import {
  fileRangeStream,
  sha256OfRange,
  TRANSFER_CHUNK_BYTES,
} from './fileRanges';
import { READ_BUFFER_SKIP } from './readBuffer';

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

describe('fileRangeStream', () => {
  let dir: string;
  let file: string;
  // Random: no two chunks alike, so a chunk sent twice cannot pass.
  const bytes = randomBytes(3 * TRANSFER_CHUNK_BYTES + 777);

  beforeAll(async () => {
    dir = await fs.mkdtemp(path.join(os.tmpdir(), 'model-hub-ranges-'));
    file = path.join(dir, 'f.bin');
    await fs.writeFile(file, bytes);
  });
  afterAll(() => fs.rm(dir, { recursive: true, force: true }));

  /**
   * A destination that, like a socket, reads each chunk only when it
   * finishes the write (20 ms later): a buffer reused before its write is
   * done would reach it with the next chunk's bytes.
   */
  function lateReader() {
    const received: Buffer[] = [];
    const dest = new Writable({
      highWaterMark: 1,
      write(chunk: Buffer, _encoding, callback) {
        setTimeout(() => {
          received.push(Buffer.from(chunk));
          callback();
        }, 20);
      },
    });
    return { dest, received: () => Buffer.concat(received) };
  }

  it('writes a range through reused buffers only once each write is done', async () => {
    const start = 5;
    const end = bytes.length - 3;
    let reported = 0;
    const { dest, received } = lateReader();
    const finished = new Promise(r => dest.on('finish', r));
    await fileRangeStream(file, start, end, n => {
      reported += n;
    }).writeTo(dest);
    await finished;
    expect(sha256(received())).toBe(sha256(bytes.subarray(start, end + 1)));
    expect(reported).toBe(end + 1 - start);
  });

  it('reads as a plain stream with a buffer of its own per chunk', async () => {
    const chunks: Buffer[] = [];
    for await (const c of fileRangeStream(file, 1, bytes.length - 1)) {
      chunks.push(c as Buffer);
    }
    expect(sha256(Buffer.concat(chunks))).toBe(sha256(bytes.subarray(1)));
    expect(new Set(chunks.map(c => c.buffer)).size).toBe(chunks.length);
    // Read into at the offset the kernel copies to fastest (readBuffer.ts).
    expect(chunks.every(c => c.byteOffset === READ_BUFFER_SKIP)).toBe(true);
  });

  it('fails on a file shorter than the range, and when the destination closes first', async () => {
    await expect(
      fileRangeStream(file, 0, bytes.length).writeTo(lateReader().dest),
    ).rejects.toThrow(`ended at byte ${bytes.length}`);
    const { dest } = lateReader();
    setTimeout(() => dest.destroy(), 5);
    await expect(
      fileRangeStream(file, 0, bytes.length - 1).writeTo(dest),
    ).rejects.toThrow(/closed|destroyed/);
  });
});
