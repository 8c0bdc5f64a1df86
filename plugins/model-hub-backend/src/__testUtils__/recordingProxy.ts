import http from 'node:http';
import { AddressInfo } from 'node:net';

/** One request that passed through a {@link RecordingProxy}. */
export interface RecordedRequest {
  method: string;
  /** Path and query, as sent. */
  url: string;
  /** Bytes of the request body. */
  bodyBytes: number;
  /** The status the target answered. */
  status: number;
  /** The request's Range header, if any. */
  range?: string;
}

/** A transparent HTTP proxy in front of a server that logs every request. */
export interface RecordingProxy {
  /** Base URL of the proxy, e.g. `http://127.0.0.1:1234`. */
  url: string;
  requests: RecordedRequest[];
  close(): Promise<void>;
}

/**
 * Starts a proxy on 127.0.0.1 that forwards every request to `target`
 * (a base URL) unchanged and records method, URL, body size and status:
 * the request log that shows which bytes went where.
 */
export async function startRecordingProxy(
  target: string,
): Promise<RecordingProxy> {
  const to = new URL(target);
  const requests: RecordedRequest[] = [];
  const server = http.createServer((req, res) => {
    let bodyBytes = 0;
    req.on('data', (chunk: Buffer) => {
      bodyBytes += chunk.length;
    });
    const upstream = http.request(
      {
        host: to.hostname,
        port: to.port,
        method: req.method,
        path: req.url,
        headers: req.headers,
      },
      answer => {
        requests.push({
          method: req.method!,
          url: req.url!,
          bodyBytes,
          status: answer.statusCode!,
          ...(req.headers.range ? { range: req.headers.range } : {}),
        });
        res.writeHead(answer.statusCode!, answer.headers);
        answer.pipe(res);
      },
    );
    upstream.on('error', error => res.destroy(error));
    req.pipe(upstream);
  });
  await new Promise<void>(resolve => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  return {
    url: `http://127.0.0.1:${port}`,
    requests,
    async close() {
      server.closeAllConnections();
      await new Promise(resolve => server.close(resolve));
    },
  };
}
