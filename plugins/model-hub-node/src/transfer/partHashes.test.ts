import { createHash } from 'node:crypto';
import fs from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { Readable } from 'node:stream';
import { TRANSFER_CHUNK_BYTES } from './fileRanges';
import { HashWorker } from './hashWorker';
import { uploadFileInParts, TransferTransport } from './multipart';
import { fileStamp, sha256WithParts } from './partHashes';

const sha256 = (b: Buffer) => createHash('sha256').update(b).digest('hex');

describe('hashing a file and its parts together', () => {
  let dir: string;
  let file: string;
  // Parts that straddle the 4 MiB read chunks.
  const PART = 3 * 1024 * 1024 + 5;
  const bytes = Buffer.alloc(2 * TRANSFER_CHUNK_BYTES + 999);
  for (let i = 0; i < bytes.length; i++) bytes[i] = (i * 31 + (i >> 10)) % 251;
  const partsOf = (b: Buffer) =>
    Array.from({ length: Math.ceil(b.length / PART) }, (_, i) =>
      sha256(b.subarray(i * PART, (i + 1) * PART)),
    );
  const worker = new HashWorker();

  beforeEach(async () => {
    dir = await fs.mkdtemp(path.join(os.tmpdir(), 'model-hub-parts-'));
    file = path.join(dir, 'f.bin');
    await fs.writeFile(file, bytes);
  });
  afterEach(() => fs.rm(dir, { recursive: true, force: true }));
  afterAll(() => worker.close());

  it('gives the whole SHA-256 and every part SHA-256 in one go, reporting each byte once', async () => {
    let reported = 0;
    const hashed = await sha256WithParts(file, PART, n => (reported += n));
    expect(hashed.sha256).toBe(sha256(bytes));
    expect(hashed.size).toBe(bytes.length);
    expect(hashed.parts?.partSize).toBe(PART);
    expect(hashed.parts?.sha256s).toEqual(partsOf(bytes));
    expect(hashed.parts?.stamp).toEqual(await fileStamp(file));
    expect(reported).toBe(bytes.length);
    // One part or less: no part hashes, and an empty file hashes as empty.
    expect((await sha256WithParts(file, bytes.length)).parts).toBeUndefined();
    await fs.writeFile(file, '');
    expect(await sha256WithParts(file, PART)).toEqual({
      sha256: sha256(Buffer.alloc(0)),
      size: 0,
      parts: undefined,
    });
  });

  it('fails when the file changes while it is hashed', async () => {
    // A worker whose part hashing coincides with a writer appending.
    const racing = {
      sha256OfRanges: async (f: string, ranges: Array<[number, number]>) => {
        const out = await worker.sha256OfRanges(f, ranges);
        await fs.appendFile(f, 'more');
        return out;
      },
    } as HashWorker;
    await expect(
      sha256WithParts(file, PART, undefined, racing),
    ).rejects.toThrow(
      /changed while it was being hashed; run the same command again/,
    );
  });

  it('keeps running hashes fed range by range on the worker, and fails a range past the end', async () => {
    await worker.feed('a', file, 0, 99);
    await worker.feed('b', file, 5, 9);
    await worker.feed('a', file, 100, bytes.length - 1);
    expect(await worker.digest('a')).toBe(sha256(bytes));
    expect(await worker.digest('b')).toBe(sha256(bytes.subarray(5, 10)));
    await worker.feed('c', file, 0, 9);
    await worker.drop('c');
    expect(await worker.digest('c')).toBe(sha256(Buffer.alloc(0)));
    await expect(
      worker.feed('d', file, bytes.length - 1, bytes.length + 10),
    ).rejects.toThrow(/ended at byte/);
  });

  describe('uploadFileInParts', () => {
    /** A hub stand-in that records the SHA-256 declared with each part. */
    function recordingTransport() {
      const declared = new Map<number, string>();
      const transport: TransferTransport = {
        async json<T>(method: string, p: string): Promise<T> {
          if (p.endsWith('/uploads')) {
            return {
              uploadId: 'u',
              partCount: Math.ceil(bytes.length / PART),
              parts: [],
            } as T;
          }
          return { method, path: p } as T;
        },
        async stream<T>(
          _m: string,
          p: string,
          headers: Record<string, string>,
          body: Readable,
        ): Promise<T> {
          for await (const _ of body) {
            // drain
          }
          declared.set(
            Number(p.split('/').pop()),
            headers['x-model-hub-sha256'],
          );
          return {} as T;
        },
      };
      return { transport, declared };
    }

    it('declares the part hashes computed with the whole file while the file is unchanged, and hashes again once it changed', async () => {
      const hashed = await sha256WithParts(file, PART);
      // Stand-ins no hashing could produce: proof nothing was hashed again.
      const marked = {
        ...hashed.parts!,
        sha256s: hashed.parts!.sha256s.map((_, i) => `precomputed-${i + 1}`),
      };
      const local = {
        file,
        path: 'f.bin',
        sha256: hashed.sha256,
        size: bytes.length,
      };
      const options = { partSize: PART, parallel: 2 };
      const first = recordingTransport();
      await uploadFileInParts(
        first.transport,
        '/v/uploads',
        { ...local, parts: marked },
        options,
      );
      expect([...first.declared.entries()].sort()).toEqual(
        marked.sha256s.map((h, i) => [i + 1, h]),
      );

      // Rewritten since (a new modification time): every part is hashed as sent.
      await fs.utimes(file, new Date(), new Date(Date.now() + 5000));
      const second = recordingTransport();
      await uploadFileInParts(
        second.transport,
        '/v/uploads',
        { ...local, parts: marked },
        options,
      );
      expect([...second.declared.entries()].sort()).toEqual(
        partsOf(bytes).map((h, i) => [i + 1, h]),
      );

      // Hashes for another part size are not used either.
      const third = recordingTransport();
      await uploadFileInParts(
        third.transport,
        '/v/uploads',
        {
          ...local,
          parts: {
            ...marked,
            partSize: PART + 1,
            stamp: await fileStamp(file),
          },
        },
        options,
      );
      expect(third.declared.get(1)).toBe(partsOf(bytes)[0]);
    });
  });
});
