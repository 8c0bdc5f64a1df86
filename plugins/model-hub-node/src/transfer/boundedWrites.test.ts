import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { boundedWritev, FILE_WRITE_BYTES } from './boundedWrites';

const KiB = 1024;

function pattern(length: number, seed: number): Buffer {
  const b = Buffer.alloc(length);
  for (let i = 0; i < length; i++) b[i] = (i * 31 + seed) & 0xff;
  return b;
}

function writev(
  fd: number,
  buffers: Buffer[],
  position: number | null,
): Promise<number> {
  return new Promise((resolve, reject) =>
    boundedWritev(fd, buffers, position, (error, written) =>
      error ? reject(error) : resolve(written),
    ),
  );
}

describe('boundedWritev', () => {
  let dir: string;
  let file: string;
  beforeEach(() => {
    dir = fs.mkdtempSync(path.join(os.tmpdir(), 'bounded-writes-'));
    file = path.join(dir, 'f');
  });
  afterEach(() => {
    jest.restoreAllMocks();
    fs.rmSync(dir, { recursive: true, force: true });
  });

  it('writes every byte in order, at the position, in calls of at most FILE_WRITE_BYTES', async () => {
    // Socket-sized chunks, one larger than the bound, and odd sizes, so
    // groups split chunks across calls.
    const buffers = [
      pattern(64 * KiB, 1),
      pattern(FILE_WRITE_BYTES + 5000, 2),
      pattern(3, 3),
      ...Array.from({ length: 20 }, (_, i) => pattern(64 * KiB + i, 4 + i)),
    ];
    const total = buffers.reduce((n, b) => n + b.length, 0);
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
    fs.writeFileSync(file, Buffer.alloc(10, 0xee));
    const fd = fs.openSync(file, 'r+');
    try {
      expect(await writev(fd, buffers, 10)).toBe(total);
    } finally {
      fs.closeSync(fd);
    }
    expect(Math.max(...calls)).toBe(FILE_WRITE_BYTES);
    expect(calls.reduce((a, b) => a + b, 0)).toBe(total);
    const written = fs.readFileSync(file);
    expect(written.subarray(0, 10)).toEqual(Buffer.alloc(10, 0xee));
    expect(written.subarray(10).equals(Buffer.concat(buffers))).toBe(true);
  });

  it('goes on from the first unwritten byte after a short write', async () => {
    const real = fs.writev;
    // The kernel may write less than asked: here at most 1,000 bytes a call.
    jest.spyOn(fs, 'writev').mockImplementation(((
      fd: number,
      group: NodeJS.ArrayBufferView[],
      position: number,
      cb: any,
    ) => {
      const first = Buffer.concat(group as Uint8Array[]).subarray(0, 1000);
      return real(fd, [first], position, cb);
    }) as any);
    const buffers = [pattern(2500, 7), pattern(700, 8), pattern(4100, 9)];
    const fd = fs.openSync(file, 'w');
    try {
      expect(await writev(fd, buffers, 0)).toBe(7300);
    } finally {
      fs.closeSync(fd);
    }
    expect(fs.readFileSync(file).equals(Buffer.concat(buffers))).toBe(true);
  });

  it('appends at the current offset when no position is given', async () => {
    fs.writeFileSync(file, 'head:');
    const fd = fs.openSync(file, 'a');
    try {
      await writev(fd, [pattern(FILE_WRITE_BYTES * 2 + 1, 5)], null);
    } finally {
      fs.closeSync(fd);
    }
    const written = fs.readFileSync(file);
    expect(written.subarray(0, 5).toString()).toBe('head:');
    expect(
      written.subarray(5).equals(pattern(FILE_WRITE_BYTES * 2 + 1, 5)),
    ).toBe(true);
  });

  it('reports a failed write', async () => {
    fs.writeFileSync(file, '');
    // Opened for reading only: the write fails with EBADF.
    const fd = fs.openSync(file, 'r');
    try {
      await expect(writev(fd, [pattern(10, 1)], 0)).rejects.toMatchObject({
        code: 'EBADF',
      });
    } finally {
      fs.closeSync(fd);
    }
  });
});
