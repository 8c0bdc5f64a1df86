import http from 'node:http';
import https from 'node:https';
import { Readable } from 'node:stream';
import { FileRangeStream } from './fileRanges';
import { ReceiveBufferAgent } from './receiveAgent';

const agents = {
  // Plain HTTP (a local hub, S3 without TLS) reads into reused buffers;
  // TLS sockets decrypt into their own.
  http: new ReceiveBufferAgent({ keepAlive: true }),
  https: new https.Agent({ keepAlive: true }),
};

/** A request for {@link streamingRequest}. */
export interface StreamingRequestInit {
  method?: string;
  headers?: Record<string, string>;
  /** A stream is piped with back-pressure; a string or Buffer is sent as is. */
  body?: Readable | string | Buffer;
}

/**
 * Sends one HTTP request with Node's own client and resolves with the answer
 * unread. Unlike `fetch` it pipes a stream body with real back-pressure
 * (`Readable.toWeb` into `fetch` buffered a whole GiB) and asks for identity
 * encoding, so artifact bytes are never compressed on the fly.
 */
export function streamingRequest(
  url: string,
  init: StreamingRequestInit = {},
): Promise<http.IncomingMessage> {
  const target = new URL(url);
  const secure = target.protocol === 'https:';
  const { body } = init;
  return new Promise((resolve, reject) => {
    const req = (secure ? https : http).request(
      target,
      {
        method: init.method ?? 'GET',
        headers: { 'accept-encoding': 'identity', ...init.headers },
        agent: secure ? agents.https : agents.http,
      },
      resolve,
    );
    req.on('error', reject);
    if (body instanceof FileRangeStream) {
      // A file range is sent through reused buffers.
      req.on('close', () => body.destroy());
      body.writeTo(req).catch(error => req.destroy(error));
    } else if (body instanceof Readable) {
      body.on('error', error => req.destroy(error));
      // An answer before the body is sent (a 413, say) ends the upload.
      req.on('close', () => body.destroy());
      body.pipe(req);
    } else {
      req.end(body);
    }
  });
}

/** Reads a whole (small) answer body as text. */
export async function readText(res: Readable): Promise<string> {
  const chunks: Buffer[] = [];
  for await (const chunk of res) chunks.push(chunk as Buffer);
  return Buffer.concat(chunks).toString('utf8');
}
