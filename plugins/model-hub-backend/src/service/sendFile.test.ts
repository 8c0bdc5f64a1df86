import http from 'node:http';
import { AddressInfo } from 'node:net';
import { Readable } from 'node:stream';
import express from 'express';
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
