import { createHash, randomBytes } from 'node:crypto';
import fs from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { Readable } from 'node:stream';
import { S3Client } from '@aws-sdk/client-s3';
import { listFiles, sha256 } from '../__testUtils__/fixtures';
import { startTestS3Server, TestS3Server } from '../__testUtils__/s3';
import { ArtifactStore, artifactKey } from './ArtifactStore';
import { LocalArtifactStore } from './LocalArtifactStore';
import { S3_MIN_PART_SIZE, S3ArtifactStore } from './S3ArtifactStore';

jest.setTimeout(120_000);

async function hashStream(
  stream: Readable,
): Promise<{ sha256: string; size: number }> {
  const hash = createHash('sha256');
  let size = 0;
  for await (const chunk of stream) {
    hash.update(chunk);
    size += chunk.length;
  }
  return { sha256: hash.digest('hex'), size };
}

async function readAll(stream: Readable): Promise<Buffer> {
  const chunks: Buffer[] = [];
  for await (const chunk of stream) chunks.push(chunk);
  return Buffer.concat(chunks);
}

describe('artifactKey', () => {
  it('fans out by the first two hex digits', () => {
    const digest = sha256(Buffer.from('hello'));
    expect(artifactKey(digest)).toBe(
      `sha256/${digest.slice(0, 2)}/${digest.slice(2)}`,
    );
  });

  it('rejects anything that is not a lower-case SHA-256', () => {
    expect(() => artifactKey('../../etc/passwd')).toThrow(
      /Not a lower-case hex SHA-256/,
    );
    expect(() => artifactKey('A'.repeat(64))).toThrow(
      /Not a lower-case hex SHA-256/,
    );
  });
});

let workDir: string;
let s3: TestS3Server;

beforeAll(async () => {
  workDir = await fs.mkdtemp(path.join(os.tmpdir(), 'model-hub-artifacts-'));
  s3 = await startTestS3Server();
});

afterAll(async () => {
  await s3?.stop();
  await fs.rm(workDir, { recursive: true, force: true });
});

async function sourceFile(bytes: Buffer): Promise<string> {
  const file = path.join(
    workDir,
    `source-${sha256(bytes).slice(0, 12)}-${Date.now()}`,
  );
  await fs.writeFile(file, bytes);
  return file;
}

type StoreCase = [string, () => Promise<ArtifactStore>];

const cases: StoreCase[] = [
  [
    'LocalArtifactStore',
    async () =>
      new LocalArtifactStore({
        directory: await fs.mkdtemp(path.join(workDir, 'local-')),
      }),
  ],
  [
    'S3ArtifactStore (s3rver)',
    async () =>
      S3ArtifactStore.create({
        bucket: s3.bucket,
        prefix: `run-${Date.now()}/`,
        endpoint: s3.endpoint,
        region: 'us-east-1',
        forcePathStyle: true,
        credentials: s3.credentials,
        partSizeBytes: S3_MIN_PART_SIZE,
      }),
  ],
];

describe.each(cases)('%s', (_name, createStore) => {
  let store: ArtifactStore;

  beforeAll(async () => {
    store = await createStore();
  });

  it('stores a file and returns exactly its bytes', async () => {
    const bytes = Buffer.from('hello, model hub\n');
    const digest = sha256(bytes);
    expect(await store.stat(digest)).toBeUndefined();
    await store.put(digest, await sourceFile(bytes), bytes.length);
    expect(await store.stat(digest)).toEqual({ size: bytes.length });
    expect(await hashStream(await store.get(digest))).toEqual({
      sha256: digest,
      size: bytes.length,
    });
  });

  it('serves an inclusive byte range', async () => {
    const bytes = randomBytes(4096);
    const digest = sha256(bytes);
    await store.put(digest, await sourceFile(bytes), bytes.length);
    const part = await readAll(
      await store.get(digest, { start: 100, end: 1123 }),
    );
    expect(part.equals(bytes.subarray(100, 1124))).toBe(true);
  });

  it('stores identical content once and keeps the first copy', async () => {
    const bytes = randomBytes(1000);
    const digest = sha256(bytes);
    await store.put(digest, await sourceFile(bytes), bytes.length);
    await store.put(digest, await sourceFile(bytes), bytes.length);
    expect(await hashStream(await store.get(digest))).toEqual({
      sha256: digest,
      size: 1000,
    });
  });

  it('reports missing artifacts', async () => {
    const digest = sha256(Buffer.from('never stored'));
    expect(await store.stat(digest)).toBeUndefined();
    await expect(store.get(digest)).rejects.toMatchObject({
      name: 'NotFoundError',
    });
  });

  it('deletes artifacts', async () => {
    const bytes = Buffer.from('short-lived');
    const digest = sha256(bytes);
    await store.put(digest, await sourceFile(bytes), bytes.length);
    await store.delete(digest);
    expect(await store.stat(digest)).toBeUndefined();
    await store.delete(digest);
  });

  it('stores a file larger than one part (multipart for S3) intact', async () => {
    const bytes = randomBytes(S3_MIN_PART_SIZE * 2 + 12345);
    const digest = sha256(bytes);
    await store.put(digest, await sourceFile(bytes), bytes.length);
    expect(await hashStream(await store.get(digest))).toEqual({
      sha256: digest,
      size: bytes.length,
    });
  });
});

describe('LocalArtifactStore layout', () => {
  it('keeps only the content-addressed file, moved into place', async () => {
    const directory = await fs.mkdtemp(path.join(workDir, 'layout-'));
    const store = new LocalArtifactStore({ directory });
    const bytes = Buffer.from('layout');
    const digest = sha256(bytes);
    const source = await sourceFile(bytes);
    await store.put(digest, source, bytes.length);
    expect(await listFiles(directory)).toEqual([artifactKey(digest)]);
  });

  it('refuses to put a file whose size disagrees with the stored copy', async () => {
    const store = new LocalArtifactStore({
      directory: await fs.mkdtemp(path.join(workDir, 'corrupt-')),
    });
    const bytes = Buffer.from('abc');
    const digest = sha256(bytes);
    await store.put(digest, await sourceFile(bytes), 3);
    await expect(store.put(digest, await sourceFile(bytes), 4)).rejects.toThrow(
      /the store is corrupt/,
    );
  });
});

describe('S3ArtifactStore', () => {
  it('rejects a part size below the S3 minimum', () => {
    expect(() =>
      S3ArtifactStore.create({ bucket: 'b', partSizeBytes: 1024 }),
    ).toThrow(/at least 5242880 bytes/);
  });

  it('writes objects under the prefix with the content as is (no chunk framing)', async () => {
    const store = S3ArtifactStore.create({
      bucket: s3.bucket,
      prefix: 'framing/',
      endpoint: s3.endpoint,
      forcePathStyle: true,
      credentials: s3.credentials,
    });
    const bytes = Buffer.from('hello');
    const digest = sha256(bytes);
    await store.put(digest, await sourceFile(bytes), bytes.length);
    const stored = await listFiles(
      path.join(s3.directory, s3.bucket, 'framing'),
    );
    expect(stored.some(f => f.startsWith(artifactKey(digest)))).toBe(true);
    expect((await readAll(await store.get(digest))).toString()).toBe('hello');
  });

  it('sends a file larger than the part size as a multipart upload', async () => {
    const options = {
      bucket: s3.bucket,
      prefix: 'multipart/',
      endpoint: s3.endpoint,
      forcePathStyle: true,
      credentials: s3.credentials,
      partSizeBytes: S3_MIN_PART_SIZE,
    };
    const client = new S3Client(S3ArtifactStore.clientConfig(options));
    const commands: string[] = [];
    client.middlewareStack.add(
      (next, context) => async args => {
        commands.push(context.commandName!);
        return next(args);
      },
      { step: 'initialize' },
    );
    const store = new S3ArtifactStore(client, options);
    const bytes = randomBytes(S3_MIN_PART_SIZE * 2 + 1);
    const digest = sha256(bytes);
    await store.put(digest, await sourceFile(bytes), bytes.length);
    expect(commands.filter(c => c !== 'HeadObjectCommand')).toEqual([
      'CreateMultipartUploadCommand',
      'UploadPartCommand',
      'UploadPartCommand',
      'UploadPartCommand',
      'CompleteMultipartUploadCommand',
    ]);
    // Confirmed with a HEAD after completing.
    expect(commands[commands.length - 1]).toBe('HeadObjectCommand');
    expect(await hashStream(await store.get(digest))).toEqual({
      sha256: digest,
      size: bytes.length,
    });
    client.destroy();
  });
});
