import { createHash, randomBytes } from 'node:crypto';
import http from 'node:http';
import { AddressInfo } from 'node:net';
import { streamingRequest } from './httpRequest';

const sha256 = (b: Buffer) => createHash('sha256').update(b).digest('hex');

describe('plain HTTP downloads (ReceiveBufferAgent)', () => {
  const body = randomBytes(6 * 1024 * 1024 + 123);
  let server: http.Server;
  let url: string;
  beforeAll(async () => {
    server = http.createServer((_req, res) => {
      res.setHeader('content-length', String(body.length));
      // Many writes, so the client reads many times.
      for (let at = 0; at < body.length; at += 100_000) {
        res.write(body.subarray(at, at + 100_000));
      }
      res.end();
    });
    await new Promise<void>(r => server.listen(0, '127.0.0.1', r));
    url = `http://127.0.0.1:${(server.address() as AddressInfo).port}/f`;
  });
  afterAll(async () => {
    server.closeAllConnections();
    await new Promise(r => server.close(r));
  });

  it('reads the socket into one reused buffer and still delivers every byte, also to a slow reader', async () => {
    for (const slow of [false, true]) {
      const res = await streamingRequest(url);
      const reads = new Set<ArrayBufferLike>();
      let count = 0;
      res.socket.prependListener('data', (d: Buffer) => {
        reads.add(d.buffer);
        count++;
      });
      const chunks: Buffer[] = [];
      for await (const chunk of res) {
        chunks.push(chunk as Buffer);
        // A slow consumer: the socket pauses and resumes under it.
        if (slow) await new Promise(r => setTimeout(r, 1));
      }
      const got = Buffer.concat(chunks);
      expect(got.length).toBe(body.length);
      expect(sha256(got)).toBe(sha256(body));
      expect(count).toBeGreaterThan(10);
      expect(reads.size).toBe(1);
    }
  });
});
