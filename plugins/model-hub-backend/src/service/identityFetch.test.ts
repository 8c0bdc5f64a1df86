import http from 'node:http';
import { AddressInfo } from 'node:net';
import { identityFetch, MAX_SOCKETS_PER_SERVER } from './identityFetch';

describe('identityFetch', () => {
  it('sends a read again when the server closed its kept-alive socket under it', async () => {
    const sockets = new Set<unknown>();
    let requests = 0;
    const server = http.createServer((req, res) => {
      requests += 1;
      const reused = sockets.has(req.socket);
      sockets.add(req.socket);
      if (reused && requests === 2) {
        // What a keep-alive timeout does to a socket the client reuses.
        req.socket.destroy();
        return;
      }
      res.setHeader('content-type', 'application/json');
      res.end(JSON.stringify({ encoding: req.headers['accept-encoding'] }));
    });
    await new Promise<void>(r => server.listen(0, '127.0.0.1', r));
    const url = `http://127.0.0.1:${(server.address() as AddressInfo).port}/`;
    try {
      const first = await identityFetch(url);
      expect(await first.json()).toEqual({ encoding: 'identity' });
      const second = await identityFetch(url);
      expect(second.status).toBe(200);
      expect(await second.json()).toEqual({ encoding: 'identity' });
      expect(requests).toBe(3);
    } finally {
      server.closeAllConnections();
      server.close();
    }
  });

  it('queues a burst of calls on a bounded set of connections, answering every call', async () => {
    let connections = 0;
    const server = http.createServer((req, res) => {
      // Slow enough that the burst's calls overlap.
      setTimeout(() => {
        res.setHeader('content-type', 'application/json');
        res.end(JSON.stringify({ path: req.url }));
      }, 20);
    });
    server.on('connection', () => {
      connections += 1;
    });
    await new Promise<void>(r => server.listen(0, '127.0.0.1', r));
    const url = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
    try {
      const burst = MAX_SOCKETS_PER_SERVER * 3;
      const answers = await Promise.all(
        Array.from({ length: burst }, async (_, i) =>
          (await identityFetch(`${url}/${i}`)).json(),
        ),
      );
      expect(answers).toEqual(
        Array.from({ length: burst }, (_, i) => ({ path: `/${i}` })),
      );
      expect(connections).toBeGreaterThan(1);
      expect(connections).toBeLessThanOrEqual(MAX_SOCKETS_PER_SERVER);
    } finally {
      server.closeAllConnections();
      server.close();
    }
  });
});
