import fs from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { PutObjectCommand, S3Client } from '@aws-sdk/client-s3';
import { startTestS3Server, TestS3Server } from '../__testUtils__/s3';
import { sha256 } from '../__testUtils__/fixtures';
import { S3ArtifactStore } from './S3ArtifactStore';
import { S3DirectTransfers } from './S3DirectTransfers';

jest.setTimeout(60_000);

const UPLOAD_ID = 'c'.repeat(32);

describe('S3DirectTransfers.promote (s3rver)', () => {
  let s3: TestS3Server;
  let tmp: string;

  beforeAll(async () => {
    s3 = await startTestS3Server();
    tmp = await fs.mkdtemp(path.join(os.tmpdir(), 'model-hub-promote-'));
  });
  afterAll(async () => {
    await s3.stop();
    await fs.rm(tmp, { recursive: true, force: true });
  });

  function transfers(prefix: string, maxCopyBytes?: number) {
    const options = {
      bucket: s3.bucket,
      prefix,
      endpoint: s3.endpoint,
      forcePathStyle: true,
      credentials: s3.credentials,
    };
    const store = S3ArtifactStore.create(options);
    const direct = S3DirectTransfers.create(store, options, {
      uploadUrlExpirySeconds: 60,
      downloadUrlExpirySeconds: 60,
      maxCopyBytes,
    });
    return { store, direct };
  }

  async function stage(prefix: string, bytes: Buffer) {
    const client = new S3Client(
      S3ArtifactStore.clientConfig({
        bucket: s3.bucket,
        endpoint: s3.endpoint,
        forcePathStyle: true,
        credentials: s3.credentials,
      }),
    );
    await client.send(
      new PutObjectCommand({
        Bucket: s3.bucket,
        Key: `${prefix}staging/${UPLOAD_ID}`,
        Body: bytes,
      }),
    );
    client.destroy();
    const local = path.join(tmp, `${prefix.replace('/', '')}.bin`);
    await fs.writeFile(local, bytes);
    return { sha256: sha256(bytes), size: bytes.length, path: local };
  }

  const read = async (store: S3ArtifactStore, sha: string) => {
    const chunks: Buffer[] = [];
    for await (const c of await store.get(sha)) chunks.push(c as Buffer);
    return Buffer.concat(chunks);
  };

  it('copies the staged object server-side to its content address', async () => {
    const bytes = Buffer.from('staged by a direct upload');
    const staged = await stage('copy/', bytes);
    await fs.rm(staged.path); // a copy never needs the local file
    const { store, direct } = transfers('copy/');
    await direct.promote(UPLOAD_ID, staged);
    expect(await read(store, staged.sha256)).toEqual(bytes);
  });

  it('uploads the verified local copy past the single-copy limit', async () => {
    const bytes = Buffer.from('larger than the copy limit');
    const staged = await stage('big/', bytes);
    // The staged object differs: only an upload of the local file is right.
    await stage('big/', Buffer.from('garbage of the same sort'));
    await fs.writeFile(staged.path, bytes);
    const { store, direct } = transfers('big/', 10);
    await direct.promote(UPLOAD_ID, staged);
    expect(await read(store, staged.sha256)).toEqual(bytes);
  });
});
