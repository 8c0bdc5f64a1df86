import { createHash } from 'node:crypto';
import fs from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { Readable } from 'node:stream';
// eslint-disable-next-line @backstage/no-forbidden-package-imports
import { HashWorker } from '@internal/plugin-model-hub-node/src/transfer';
import { PartAssembly } from './PartAssembly';

const PART = 1000;
const sha256 = (b: Buffer) => createHash('sha256').update(b).digest('hex');

describe('PartAssembly', () => {
  let dir: string;
  const bytes = Buffer.from(
    Array.from({ length: 3 * PART + 7 }, (_, i) => (i * 13) % 256),
  );
  const upload = { id: 'u1', size: bytes.length, partSize: PART };
  const slice = (n: number) => bytes.subarray((n - 1) * PART, n * PART);
  const parts = [1, 2, 3, 4].map(n => ({
    number: n,
    size: slice(n).length,
    sha256: sha256(slice(n)),
  }));

  beforeEach(async () => {
    dir = await fs.mkdtemp(path.join(os.tmpdir(), 'model-hub-assembly-'));
  });
  afterEach(async () => {
    await fs.rm(dir, { recursive: true, force: true });
  });

  async function receive(assembly: PartAssembly, n: number) {
    const release = assembly.claim(upload.id, n);
    try {
      const part = await assembly.write({
        uploadId: upload.id,
        partNumber: n,
        offset: (n - 1) * PART,
        length: slice(n).length,
        body: Readable.from([slice(n)]),
        expectedSha256: sha256(slice(n)),
        tooLarge: size => new Error(`too large: ${size}`),
      });
      release();
      await assembly.advance(upload, part);
    } finally {
      release();
    }
  }

  it('hashes parts arriving out of order as they line up, so completion reads nothing back', async () => {
    const assembly = new PartAssembly({ directoryOf: () => dir });
    for (const n of [3, 1, 4, 2]) await receive(assembly, n);
    // Proof that completion uses the running hash: the bytes on disk are not read again.
    const handle = await fs.open(path.join(dir, 'assembly'), 'r+');
    await handle.write(Buffer.from('tampered'), 0, 8, 0);
    await handle.close();
    const sealed = await assembly.seal(upload, parts);
    expect(sealed).toEqual({
      path: path.join(dir, 'assembled'),
      sha256: sha256(bytes),
      size: bytes.length,
    });
  });

  it('hashes the file from disk after a restart, since the running hash is gone', async () => {
    const before = new PartAssembly({ directoryOf: () => dir });
    for (const n of [1, 2]) await receive(before, n);
    const after = new PartAssembly({ directoryOf: () => dir });
    for (const n of [3, 4]) await receive(after, n);
    const sealed = await after.seal(upload, parts);
    expect(sealed!.sha256).toBe(sha256(bytes));
    expect(await fs.readFile(sealed!.path)).toEqual(bytes);
  });

  it('starts its running hash again when the hash worker stops mid-upload, so completion names the bytes received', async () => {
    const hasher = new HashWorker();
    try {
      const assembly = new PartAssembly({ directoryOf: () => dir, hasher });
      for (const n of [1, 2]) await receive(assembly, n);
      // The worker holding the running hash of parts 1-2 goes away.
      await hasher.close();
      for (const n of [3, 4]) await receive(assembly, n);
      const sealed = await assembly.seal(upload, parts);
      // Before, parts 3-4 went on in a fresh hash in the new worker, and
      // completion reported the SHA-256 of those two parts alone.
      expect(sealed!.sha256).toBe(sha256(bytes));
    } finally {
      await hasher.close();
    }
  });

  it('never writes a part into an assembly whose bytes another name shares (a stored blob)', async () => {
    const assembly = new PartAssembly({ directoryOf: () => dir });
    for (const n of [1, 2, 3, 4]) await receive(assembly, n);
    // A completion on another replica moved the bytes into the store after
    // this replica linked them back as the assembly: two names, one file.
    const stored = path.join(dir, 'stored-blob');
    await fs.link(path.join(dir, 'assembly'), stored);
    const other = Buffer.alloc(PART, 7);
    const release = assembly.claim(upload.id, 2);
    try {
      await assembly.write({
        uploadId: upload.id,
        partNumber: 2,
        offset: PART,
        length: PART,
        body: Readable.from([other]),
        expectedSha256: sha256(other),
        tooLarge: size => new Error(`too large: ${size}`),
      });
    } finally {
      release();
    }
    // Before, the part was written into the stored blob's bytes.
    expect(sha256(await fs.readFile(stored))).toBe(sha256(bytes));
  });

  it('hashes from disk when the recorded parts differ from those it hashed (another replica re-sent one)', async () => {
    const assembly = new PartAssembly({ directoryOf: () => dir });
    for (const n of [1, 2, 3, 4]) await receive(assembly, n);
    const other = Buffer.from(slice(2));
    other[0] ^= 1;
    const handle = await fs.open(path.join(dir, 'assembly'), 'r+');
    await handle.write(other, 0, other.length, PART);
    await handle.close();
    const recorded = parts.map(p =>
      p.number === 2 ? { ...p, sha256: sha256(other) } : p,
    );
    const sealed = await assembly.seal(upload, recorded);
    const expected = Buffer.concat([slice(1), other, slice(3), slice(4)]);
    expect(sealed!.sha256).toBe(sha256(expected));
  });

  it('refuses parts while completing, and completion while a part is received', async () => {
    const assembly = new PartAssembly({ directoryOf: () => dir });
    for (const n of [1, 2, 3]) await receive(assembly, n);
    const release = assembly.claim(upload.id, 4);
    await expect(assembly.seal(upload, parts)).rejects.toThrow(
      'still has parts being received',
    );
    release();
    await receive(assembly, 4);
    await assembly.seal(upload, parts);
    expect(() => assembly.claim(upload.id, 1)).toThrow('is being completed');
    await assembly.unseal(upload.id, { restore: true });
    // Back in place and complete-able again, hashed from disk this time.
    const again = await assembly.seal(upload, parts);
    expect(again!.sha256).toBe(sha256(bytes));
  });
});
