import { createHash } from 'node:crypto';
import fs from 'node:fs/promises';
import http from 'node:http';
import { AddressInfo } from 'node:net';
import os from 'node:os';
import path from 'node:path';
import { Readable } from 'node:stream';
import express from 'express';
// eslint-disable-next-line @backstage/no-forbidden-package-imports
import { FileRangeStream } from '@internal/plugin-model-hub-node/src/transfer';
import { LocalArtifactStore } from '../artifacts/LocalArtifactStore';
import { sendFile } from './sendFile';

const MiB = 1024 * 1024;

/**
 * A server whose one route sends a file through `sendFile` from `body()`,
 * and reports how each `sendFile` call ended.
 */
async function startServer(size: number, body: () => Readable) {
  const outcomes: Array<'sent' | 'failed'> = [];
  let settled: () => void = () => {};
  const app = express();
  app.get('/file', async (req, res) => {
    try {
      await sendFile(
        req,
        res,
        { sha256: 'ab'.repeat(32), size, path: 'w/model.bin' },
        { readFile: async () => body() },
      );
      outcomes.push('sent');
    } catch {
      outcomes.push('failed');
    }
    settled();
  });
  const server = http.createServer(app);
  await new Promise<void>(r => server.listen(0, '127.0.0.1', r));
  const { port } = server.address() as AddressInfo;
  return {
    url: `http://127.0.0.1:${port}/file`,
    outcomes,
    next: () => new Promise<void>(r => (settled = r)),
    close: () => new Promise<void>(r => server.close(() => r())),
  };
}

/** GETs `url`, reads `stopAfter` bytes of the body, then drops the connection. */
function readThenDrop(url: string, stopAfter: number): Promise<number> {
  return new Promise((resolve, reject) => {
    const req = http.get(url, res => {
      let got = 0;
      res.on('data', (chunk: Buffer) => {
        got += chunk.length;
        if (got >= stopAfter) {
          req.destroy();
          resolve(got);
        }
      });
    });
    req.on('error', e => {
      if (!req.destroyed) reject(e);
    });
  });
}

describe('sendFile', () => {
  it('counts a download as sent when the client hangs up right after the last byte', async () => {
    // Every byte goes out at once; the end of the stream comes later, so the
    // client (which knows the length) closes before the response has ended.
    const bytes = Buffer.alloc(64 * 1024, 1);
    const server = await startServer(bytes.length, () => {
      const stream = new Readable({ read() {} });
      stream.push(bytes);
      setTimeout(() => stream.push(null), 200);
      return stream;
    });
    try {
      const done = server.next();
      expect(await readThenDrop(server.url, bytes.length)).toBe(bytes.length);
      await done;
      expect(server.outcomes).toEqual(['sent']);
    } finally {
      await server.close();
    }
  });

  it('does not count a download the client abandoned half-way', async () => {
    const size = 64 * MiB;
    const server = await startServer(size, () => {
      let offset = 0;
      return new Readable({
        read() {
          if (offset >= size) {
            this.push(null);
            return;
          }
          offset += MiB;
          this.push(Buffer.alloc(MiB, 2));
        },
      });
    });
    try {
      const done = server.next();
      expect(await readThenDrop(server.url, MiB)).toBeLessThan(size);
      await done;
      expect(server.outcomes).toEqual(['failed']);
    } finally {
      await server.close();
    }
  });
});

describe('sendFile of a file in the local artifact store', () => {
  let dir: string;
  beforeEach(async () => {
    dir = await fs.mkdtemp(path.join(os.tmpdir(), 'model-hub-send-'));
  });
  afterEach(async () => {
    jest.restoreAllMocks();
    await fs.rm(dir, { recursive: true, force: true });
  });

  it('sends it through reused buffers, whole and as a range, never as a stream read', async () => {
    const bytes = Buffer.alloc(9 * MiB + 3);
    for (let i = 0; i < bytes.length; i += 4093) bytes[i] = i % 251;
    const digest = createHash('sha256').update(bytes).digest('hex');
    const source = path.join(dir, 'upload');
    await fs.writeFile(source, bytes);
    const store = new LocalArtifactStore({
      directory: path.join(dir, 'store'),
    });
    await store.put(digest, source, bytes.length);
    // A stream read allocates a buffer per chunk; writeTo reuses two.
    const read = jest.spyOn(FileRangeStream.prototype, '_read');
    const writeTo = jest.spyOn(FileRangeStream.prototype, 'writeTo');
    const app = express();
    app.get('/file', async (req, res) => {
      await sendFile(
        req,
        res,
        { sha256: digest, size: bytes.length, path: 'model.bin' },
        { readFile: async (f, range) => store.get(f.sha256, range) },
      );
    });
    const server = http.createServer(app);
    await new Promise<void>(r => server.listen(0, '127.0.0.1', r));
    const { port } = server.address() as AddressInfo;
    try {
      const whole = await fetch(`http://127.0.0.1:${port}/file`);
      expect(Buffer.from(await whole.arrayBuffer()).equals(bytes)).toBe(true);
      const part = await fetch(`http://127.0.0.1:${port}/file`, {
        headers: { range: 'bytes=5-4194309' },
      });
      expect(part.status).toBe(206);
      const got = Buffer.from(await part.arrayBuffer());
      expect(got.equals(bytes.subarray(5, 4194310))).toBe(true);
      expect(writeTo).toHaveBeenCalledTimes(2);
      expect(read).not.toHaveBeenCalled();
    } finally {
      await new Promise<void>(r => server.close(() => r()));
    }
  });
});
