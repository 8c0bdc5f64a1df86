import crypto, { createHash } from 'node:crypto';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { PassThrough, Readable } from 'node:stream';
import { writeHashed } from './writeHashed';

const sha256 = (b: Buffer) => createHash('sha256').update(b).digest('hex');
const tooLarge = (size: number) => new Error(`too large: ${size}`);

describe('writeHashed', () => {
  let dir: string;
  beforeEach(() => {
    dir = fs.mkdtempSync(path.join(os.tmpdir(), 'write-hashed-'));
  });
  afterEach(() => {
    jest.restoreAllMocks();
    fs.rmSync(dir, { recursive: true, force: true });
  });

  it('writes and hashes every byte of a fast body, hashing off the calling thread', async () => {
    // 64 KiB chunks as a socket delivers them, faster than the disk takes them.
    const chunks = Array.from({ length: 64 }, (_, i) =>
      Buffer.alloc(64 * 1024, i),
    );
    const all = Buffer.concat(chunks);
    const hashes = jest.spyOn(crypto, 'createHash');
    const file = path.join(dir, 'blob');
    const result = await writeHashed(Readable.from(chunks), {
      file,
      flags: 'wx',
      maxBytes: 1 << 30,
      tooLarge,
    });
    expect(result).toEqual({ sha256: sha256(all), size: all.length });
    expect(fs.readFileSync(file).equals(all)).toBe(true);
    // The thread parsing the hub's requests never hashed a byte.
    expect(hashes).not.toHaveBeenCalled();
  });

  it('writes a part at its offset in an existing file and hashes only its bytes', async () => {
    const file = path.join(dir, 'assembly');
    fs.writeFileSync(file, Buffer.alloc(10, 0xaa));
    const part = Buffer.from('a part written in the middle');
    const result = await writeHashed(Readable.from([part]), {
      file,
      flags: 'r+',
      start: 4,
      maxBytes: part.length,
      tooLarge,
    });
    expect(result).toEqual({ sha256: sha256(part), size: part.length });
    const written = fs.readFileSync(file);
    expect(written.subarray(0, 4)).toEqual(Buffer.alloc(4, 0xaa));
    expect(written.subarray(4)).toEqual(part);
  });

  it('refuses a body past maxBytes without writing the chunk that crosses it, and reads the rest', async () => {
    const file = path.join(dir, 'blob');
    const body = new PassThrough();
    const written = writeHashed(body, {
      file,
      flags: 'wx',
      maxBytes: 100,
      tooLarge,
    });
    body.write(Buffer.alloc(60, 1));
    body.write(Buffer.alloc(60, 2));
    body.end(Buffer.alloc(1000, 3));
    await expect(written).rejects.toThrow('too large: 120');
    expect(fs.readFileSync(file)).toEqual(Buffer.alloc(60, 1));
    // The remainder was consumed, so a client can read the answer.
    expect(body.readableEnded || body.readableFlowing).toBeTruthy();
  });

  it('fails with a one-line reason when the client goes away mid-body', async () => {
    const body = new PassThrough();
    const written = writeHashed(body, {
      file: path.join(dir, 'blob'),
      flags: 'wx',
      maxBytes: 1 << 20,
      tooLarge,
    });
    body.write(Buffer.alloc(1000, 1));
    body.destroy(new Error('socket hang up'));
    await expect(written).rejects.toThrow(
      'Upload failed while receiving: socket hang up',
    );
  });

  it('refuses to overwrite a file with wx', async () => {
    const file = path.join(dir, 'blob');
    fs.writeFileSync(file, 'there');
    await expect(
      writeHashed(Readable.from([Buffer.from('x')]), {
        file,
        flags: 'wx',
        maxBytes: 10,
        tooLarge,
      }),
    ).rejects.toMatchObject({ code: 'EEXIST' });
    expect(fs.readFileSync(file, 'utf8')).toBe('there');
  });
});
