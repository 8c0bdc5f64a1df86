import { createHash } from 'node:crypto';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { Readable } from 'node:stream';
import { FILE_WRITE_BYTES } from '@internal/plugin-model-hub-node/src/transfer';
import { writeHashed } from './writeHashed';

describe('writeHashed', () => {
  let dir: string;
  beforeEach(() => {
    dir = fs.mkdtempSync(path.join(os.tmpdir(), 'write-hashed-'));
  });
  afterEach(() => {
    jest.restoreAllMocks();
    fs.rmSync(dir, { recursive: true, force: true });
  });

  it('writes a fast body in system calls of at most FILE_WRITE_BYTES, every byte hashed', async () => {
    // 64 KiB chunks as a socket delivers them, faster than the disk takes
    // them: megabytes queue while a write is in flight.
    const chunks = Array.from({ length: 64 }, (_, i) =>
      Buffer.alloc(64 * 1024, i),
    );
    const calls: number[] = [];
    const real = fs.writev;
    jest.spyOn(fs, 'writev').mockImplementation(((
      fd: number,
      group: NodeJS.ArrayBufferView[],
      position: number | null,
      cb: any,
    ) => {
      calls.push(group.reduce((n, b) => n + b.byteLength, 0));
      return real(fd, group, position, cb);
    }) as any);
    const file = path.join(dir, 'blob');
    const result = await writeHashed(Readable.from(chunks), {
      file,
      flags: 'wx',
      maxBytes: 1 << 30,
      tooLarge: size => new Error(`too large: ${size}`),
    });
    const all = Buffer.concat(chunks);
    expect(result).toEqual({
      sha256: createHash('sha256').update(all).digest('hex'),
      size: all.length,
    });
    expect(fs.readFileSync(file).equals(all)).toBe(true);
    expect(calls.length).toBeGreaterThan(0);
    expect(Math.max(...calls)).toBeLessThanOrEqual(FILE_WRITE_BYTES);
  });
});
