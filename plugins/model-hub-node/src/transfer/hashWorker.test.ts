import { createHash } from 'node:crypto';
import fs from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { HashWorker } from './hashWorker';

const sha256 = (b: Buffer) => createHash('sha256').update(b).digest('hex');

describe('HashWorker.append (a download hashed as it is written)', () => {
  let dir: string;
  const worker = new HashWorker();

  beforeEach(async () => {
    dir = await fs.mkdtemp(path.join(os.tmpdir(), 'model-hub-append-'));
  });
  afterEach(() => fs.rm(dir, { recursive: true, force: true }));
  afterAll(() => worker.close());

  it('writes chunks after a resumed prefix and hashes exactly the bytes of the file', async () => {
    const file = path.join(dir, 'model.bin.part');
    const prefix = Buffer.from('bytes from an interrupted run ');
    await fs.writeFile(file, prefix);
    // More than one 256 KiB write, in chunks of odd sizes.
    const body = Buffer.alloc(600 * 1024 + 7);
    for (let i = 0; i < body.length; i++) body[i] = (i * 7 + (i >> 9)) % 253;
    const owned = Buffer.from(body.subarray(0, 300 * 1024 + 3));
    // A view into a larger buffer cannot be moved: it is copied.
    const larger = Buffer.concat([
      Buffer.from('xx'),
      body.subarray(owned.length),
    ]);
    const view = larger.subarray(2);

    const handle = await fs.open(file, 'r+');
    try {
      await worker.feed('d1', file, 0, prefix.length - 1);
      await worker.append('d1', handle.fd, prefix.length, [owned, view]);
      const digest = await worker.digest('d1');
      const onDisk = await fs.readFile(file);
      expect(onDisk.equals(Buffer.concat([prefix, body]))).toBe(true);
      expect(digest).toBe(sha256(onDisk));
    } finally {
      await handle.close();
    }
    // The owned chunk moved to the worker; the caller's larger buffer is intact.
    expect(owned.length).toBe(0);
    expect(view.equals(body.subarray(300 * 1024 + 3))).toBe(true);
  });

  it('fails the append when the file cannot be written', async () => {
    const file = path.join(dir, 'read-only.part');
    await fs.writeFile(file, '');
    const handle = await fs.open(file, 'r');
    try {
      await expect(
        worker.append('d2', handle.fd, 0, [Buffer.from('weights')]),
      ).rejects.toThrow(/EBADF/);
    } finally {
      await handle.close();
      await worker.drop('d2');
    }
  });

  it('frees the chunks moved to it soon after writing them, not at some later collection', async () => {
    const file = path.join(dir, 'big.part');
    const handle = await fs.open(file, 'w');
    const MiB = 1024 * 1024;
    const base = process.memoryUsage().arrayBuffers;
    try {
      for (let i = 0; i < 48; i++) {
        // Owned 1 MiB chunks, as the hub's and the pull's sockets hand over.
        await worker.append('d3', handle.fd, i * MiB, [Buffer.alloc(MiB, i)]);
      }
      await worker.digest('d3');
    } finally {
      await handle.close();
    }
    await new Promise(r => setTimeout(r, 200));
    // Without the worker's own collections all 48 MiB stayed allocated.
    expect(process.memoryUsage().arrayBuffers - base).toBeLessThan(24 * MiB);
  });
});

describe('HashWorker running hashes across a stopped worker', () => {
  let dir: string;
  const worker = new HashWorker();

  beforeEach(async () => {
    dir = await fs.mkdtemp(path.join(os.tmpdir(), 'model-hub-restart-'));
  });
  afterEach(() => fs.rm(dir, { recursive: true, force: true }));
  afterAll(() => worker.close());

  it('fails a running hash begun in a worker that stopped, instead of going on without its first bytes', async () => {
    const file = path.join(dir, 'weights.bin');
    const bytes = Buffer.from('first half|second half');
    await fs.writeFile(file, bytes);
    await worker.feed('r1', file, 0, 10);
    await worker.feed('r2', file, 0, 10);
    // The worker goes away (a crash, or close) with both hashes in it.
    await worker.close();

    // Without the check, the next worker started a fresh hash here and
    // the digest was the SHA-256 of the second half alone.
    await expect(worker.feed('r1', file, 11, bytes.length - 1)).rejects.toThrow(
      /running hash r1 was lost when its hash worker stopped/,
    );
    await expect(worker.digest('r2')).rejects.toThrow(/r2 was lost/);
    await worker.drop('r1');

    // New hashes work in the new worker, from their first byte.
    await worker.feed('r3', file, 0, 10);
    await worker.feed('r3', file, 11, bytes.length - 1);
    expect(await worker.digest('r3')).toBe(sha256(bytes));
  });
});
