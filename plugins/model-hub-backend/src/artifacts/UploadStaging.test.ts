import fs from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { PassThrough, Readable } from 'node:stream';
import { listFiles, sha256 } from '../__testUtils__/fixtures';
import { UploadStaging } from './UploadStaging';

describe('UploadStaging', () => {
  let directory: string;
  let staging: UploadStaging;

  beforeEach(async () => {
    directory = await fs.mkdtemp(path.join(os.tmpdir(), 'model-hub-staging-'));
    staging = new UploadStaging({ directory, maxBytes: 1000 });
  });

  afterEach(async () => {
    await fs.rm(directory, { recursive: true, force: true });
  });

  /** A body delivered in several chunks, like a network stream. */
  function chunked(bytes: Buffer, chunkSize = 100): Readable {
    const chunks: Buffer[] = [];
    for (let i = 0; i < bytes.length; i += chunkSize) {
      chunks.push(bytes.subarray(i, i + chunkSize));
    }
    return Readable.from(chunks);
  }

  it('writes the body to a temporary file and reports its hash and size', async () => {
    const bytes = Buffer.alloc(950, 7);
    const staged = await staging.stage(chunked(bytes), {
      expectedSha256: sha256(bytes).toUpperCase(),
      expectedSize: 950,
    });
    expect(staged).toMatchObject({ sha256: sha256(bytes), size: 950 });
    expect((await fs.readFile(staged.path)).equals(bytes)).toBe(true);
    await staged.discard();
    expect(await listFiles(directory)).toEqual([]);
  });

  it('rejects a hash mismatch and keeps nothing', async () => {
    const bytes = Buffer.from('the real content');
    await expect(
      staging.stage(chunked(bytes, 4), {
        expectedSha256: sha256(Buffer.from('other content')),
      }),
    ).rejects.toMatchObject({
      name: 'InputError',
      message: expect.stringContaining(
        `received content hashes to ${sha256(bytes)}`,
      ),
    });
    expect(await listFiles(directory)).toEqual([]);
  });

  it('rejects a malformed declared hash before reading', async () => {
    await expect(
      staging.stage(chunked(Buffer.from('x')), { expectedSha256: 'abc' }),
    ).rejects.toThrow(/not a 64-character hex digest/);
    expect(await listFiles(directory)).toEqual([]);
  });

  it('stops at the size limit while streaming and keeps nothing', async () => {
    const body = chunked(Buffer.alloc(5000, 1));
    await expect(staging.stage(body)).rejects.toMatchObject({
      name: 'PayloadTooLargeError',
      statusCode: 413,
    });
    expect(await listFiles(directory)).toEqual([]);
  });

  it('rejects a declared size over the limit up front', () => {
    expect(() => staging.checkDeclaredSize(1001)).toThrow(
      /exceeds the limit of 1000 bytes/,
    );
    expect(() => staging.checkDeclaredSize(1000)).not.toThrow();
    expect(() => staging.checkDeclaredSize(undefined)).not.toThrow();
  });

  it('rejects a body shorter than its declared length', async () => {
    await expect(
      staging.stage(chunked(Buffer.alloc(10)), { expectedSize: 20 }),
    ).rejects.toThrow(/received 10 of 20 declared bytes/);
    expect(await listFiles(directory)).toEqual([]);
  });

  it('keeps nothing when the sender fails mid-stream', async () => {
    const body = new PassThrough();
    const result = staging.stage(body);
    body.write(Buffer.alloc(300));
    // The staging file appears once the write stream opens; on a loaded
    // machine that takes longer than a fixed pause, so wait (bounded) for it.
    for (let i = 0; i < 200 && (await listFiles(directory)).length === 0; i++) {
      await new Promise(resolve => setTimeout(resolve, 10));
    }
    expect(await listFiles(directory)).toHaveLength(1);
    body.destroy(new Error('socket hang up'));
    await expect(result).rejects.toThrow(
      /Upload failed while receiving: socket hang up/,
    );
    expect(await listFiles(directory)).toEqual([]);
  });
});
