import { createReadStream } from 'node:fs';
import http from 'node:http';
import https from 'node:https';
import { Readable } from 'node:stream';
import { PortalError } from './portal';

/**
 * Sends bytes `start..end` (inclusive) of `file` to a presigned S3 PUT URL
 * with an exact Content-Length (S3 refuses chunked parts), streaming the
 * file with back-pressure so memory stays flat. No portal credentials are
 * sent: the URL is its own authorization. Resolves with S3's ETag.
 * @throws PortalError with S3's status, code and message when refused
 */
export function putPresigned(
  url: string,
  file: string,
  start: number,
  end: number,
  onBytes?: (n: number) => void,
): Promise<string> {
  const target = new URL(url);
  const length = end - start + 1;
  const send = target.protocol === 'https:' ? https.request : http.request;
  return new Promise((resolve, reject) => {
    const req = send(
      target,
      { method: 'PUT', headers: { 'content-length': String(length) } },
      res => {
        const chunks: Buffer[] = [];
        res.on('data', (c: Buffer) => {
          if (chunks.length < 64) chunks.push(c);
        });
        res.on('error', reject);
        res.on('end', () => {
          const etag = res.headers.etag;
          if (res.statusCode! >= 200 && res.statusCode! < 300 && etag) {
            resolve(etag);
            return;
          }
          reject(
            new PortalError(
              `S3 refused the part upload (${res.statusCode} ${describeS3Error(
                Buffer.concat(chunks).toString('utf8'),
              )})`,
              res.statusCode,
            ),
          );
        });
      },
    );
    req.on('error', error =>
      reject(
        new PortalError(
          `cannot reach S3 at ${target.origin}: ${error.message}`,
        ),
      ),
    );
    const body =
      length > 0
        ? createReadStream(file, { start, end, highWaterMark: 1024 * 1024 })
        : Readable.from([]);
    body.on('data', (c: Buffer | string) => onBytes?.(c.length));
    body.on('error', error => req.destroy(error));
    body.pipe(req);
  });
}

/** `Code: Message` from an S3 XML error body, or the start of the text. */
export function describeS3Error(body: string): string {
  const code = /<Code>([^<]*)<\/Code>/.exec(body)?.[1];
  const message = /<Message>([^<]*)<\/Message>/.exec(body)?.[1];
  if (code || message) return [code, message].filter(Boolean).join(': ');
  return body.trim().slice(0, 200) || 'no details';
}
