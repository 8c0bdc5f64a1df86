import http from 'node:http';
import https from 'node:https';

/**
 * Most connections {@link identityFetch} opens to one server; further calls
 * wait, in order, for one of them. Unbounded, a burst of concurrent calls
 * after an idle gap opened a connection per call, and the loaded back end
 * accepted those 50-100 ms apart while it kept answering calls on
 * kept-alive connections: at bench:scale's 50 clients the first ~20 hub
 * searches of each burst waited 2-3 s (4x the p50) while later ones
 * overtook them. 16 is above the catalog's database pool (10 connections),
 * so the catalog still gets as much work as it can run at once.
 */
export const MAX_SOCKETS_PER_SERVER = 16;

// Idle sockets close after 4 s, before a node server's 5 s keep-alive
// timeout closes them under a request.
const agentOptions = {
  keepAlive: true,
  timeout: 4000,
  maxSockets: MAX_SOCKETS_PER_SERVER,
};
const agents = {
  'http:': new http.Agent(agentOptions),
  'https:': new https.Agent(agentOptions),
};

/**
 * A `fetch` for back-end-to-back-end JSON calls that asks for an
 * uncompressed answer (`Accept-Encoding: identity`) over kept-alive
 * connections, on node's own http client. The catalog runs next to the
 * hub, so gzip there and gunzip here only cost CPU (profiled at ~11 % of a
 * hub search's), and node's built-in `fetch` (undici) costs about twice
 * the CPU per call of `http.request` (measured: 0.5–0.7 vs 0.3 ms for a
 * search page's answer). The body is read whole: these answers are small.
 * For reads only: a request whose kept-alive socket the server had just
 * closed (ECONNRESET on a reused socket) is sent once more, as node's
 * documentation advises.
 */
export function identityFetch(
  input: string | URL | Request,
  init?: RequestInit,
): Promise<Response> {
  const url = new URL(input instanceof Request ? input.url : String(input));
  const headers: Record<string, string> = {};
  new Headers(init?.headers).forEach((value, key) => {
    headers[key] = value;
  });
  headers['accept-encoding'] = 'identity';
  if (init?.body !== undefined && typeof init.body !== 'string') {
    throw new TypeError('identityFetch sends string bodies only');
  }
  const client = url.protocol === 'https:' ? https : http;
  const send = (retried: boolean) =>
    new Promise<Response>((resolve, reject) => {
      const req = client.request(
        url,
        {
          method: init?.method ?? 'GET',
          headers,
          agent: agents[url.protocol as keyof typeof agents],
          signal: init?.signal ?? undefined,
        },
        res => {
          const chunks: Buffer[] = [];
          res.on('data', (chunk: Buffer) => chunks.push(chunk));
          res.on('error', reject);
          res.on('end', () => {
            const responseHeaders = new Headers();
            for (const [key, value] of Object.entries(res.headers)) {
              if (value !== undefined) {
                responseHeaders.set(
                  key,
                  Array.isArray(value) ? value.join(', ') : value,
                );
              }
            }
            const status = res.statusCode ?? 500;
            const empty = status === 204 || status === 304;
            resolve(
              new Response(empty ? null : Buffer.concat(chunks), {
                status,
                statusText: res.statusMessage,
                headers: responseHeaders,
              }),
            );
          });
        },
      );
      req.on('error', (error: NodeJS.ErrnoException) => {
        if (!retried && req.reusedSocket && error.code === 'ECONNRESET') {
          send(true).then(resolve, reject);
        } else {
          reject(error);
        }
      });
      req.end(typeof init?.body === 'string' ? init.body : undefined);
    });
  return send(false);
}
