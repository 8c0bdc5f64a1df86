import { createHash } from 'node:crypto';
import { promises as fs } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { HashedFileWriter } from './hashedFileWriter';
import { HashWorker } from './hashWorker';

const sha256 = (b: Buffer) => createHash('sha256').update(b).digest('hex');

describe('HashedFileWriter', () => {
  let dir: string;
  const worker = new HashWorker();
  beforeEach(async () => {
    dir = await fs.mkdtemp(path.join(os.tmpdir(), 'hashed-writer-'));
  });
  afterEach(() => fs.rm(dir, { recursive: true, force: true }));
  afterAll(() => worker.close());

  it('asks the sender to pause past its in-flight bytes and calls it back once written', async () => {
    const file = path.join(dir, 'f');
    const handle = await fs.open(file, 'w');
    const writer = new HashedFileWriter(file, handle.fd, {
      inFlightBytes: 2 * 1024 * 1024,
      worker,
    });
    let drains = 0;
    writer.onDrain = () => drains++;
    const chunks = [Buffer.alloc(1 << 20, 1), Buffer.alloc(1 << 20, 2)];
    const expected = Buffer.concat(chunks);
    // Each 1 MiB chunk is a batch handed over at once; the second reaches 2 MiB.
    expect(writer.write(Buffer.from(chunks[0]))).toBe(true);
    expect(writer.write(Buffer.from(chunks[1]))).toBe(false);
    const digest = await writer.digest();
    expect(drains).toBeGreaterThan(0);
    writer.close();
    await handle.close();
    expect(digest).toBe(sha256(expected));
    expect((await fs.readFile(file)).equals(expected)).toBe(true);
  });

  it('hashes the bytes already in the file first when asked (a resumed download)', async () => {
    const file = path.join(dir, 'f');
    await fs.writeFile(file, 'already here|');
    const handle = await fs.open(file, 'r+');
    const writer = new HashedFileWriter(file, handle.fd, {
      position: 13,
      hashExisting: true,
      worker,
    });
    writer.write(Buffer.from('and the rest'));
    const digest = await writer.digest();
    writer.close();
    await handle.close();
    expect(digest).toBe(sha256(Buffer.from('already here|and the rest')));
  });

  it('fails the next write and the flush once a write has failed', async () => {
    const file = path.join(dir, 'f');
    await fs.writeFile(file, '');
    const handle = await fs.open(file, 'r'); // not writable: EBADF
    const writer = new HashedFileWriter(file, handle.fd, { worker });
    writer.write(Buffer.alloc(2 * 1024 * 1024, 1));
    await expect(writer.flush()).rejects.toThrow(/EBADF|bad file/i);
    expect(() => writer.write(Buffer.from('more'))).toThrow(/EBADF|bad file/i);
    writer.close();
    await handle.close();
  });
});
