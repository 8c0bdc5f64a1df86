import fs from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { CreateBucketCommand, S3Client } from '@aws-sdk/client-s3';
import S3rver from 's3rver';

/** A real S3-protocol server (s3rver) on a random local port, with one bucket. */
export interface TestS3Server {
  endpoint: string;
  bucket: string;
  credentials: { accessKeyId: string; secretAccessKey: string };
  /** The directory where s3rver keeps its objects. */
  directory: string;
  stop(): Promise<void>;
}

/** Starts s3rver on 127.0.0.1 port 0 with a temp directory and creates `bucket`. */
export async function startTestS3Server(
  bucket = 'model-hub-test',
): Promise<TestS3Server> {
  const directory = await fs.mkdtemp(
    path.join(os.tmpdir(), 'model-hub-s3rver-'),
  );
  const server = new S3rver({
    port: 0,
    address: '127.0.0.1',
    directory,
    silent: true,
  });
  const { port } = await server.run();
  const endpoint = `http://127.0.0.1:${port}`;
  // s3rver accepts these well-known dummy credentials.
  const credentials = { accessKeyId: 'S3RVER', secretAccessKey: 'S3RVER' };
  const client = new S3Client({
    endpoint,
    region: 'us-east-1',
    forcePathStyle: true,
    credentials,
  });
  await client.send(new CreateBucketCommand({ Bucket: bucket }));
  client.destroy();
  return {
    endpoint,
    bucket,
    credentials,
    directory,
    async stop() {
      await server.close();
      await fs.rm(directory, { recursive: true, force: true });
    },
  };
}
