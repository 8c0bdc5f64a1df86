import type { IncomingMessage } from 'node:http';
import { fileRangeStream } from './fileRanges';
import { readText, streamingRequest } from './httpRequest';

/** S3 refused a presigned transfer, or could not be reached; `status` when it answered. */
export class PresignedTransferError extends Error {
  constructor(message: string, readonly status?: number) {
    super(message);
    this.name = 'PresignedTransferError';
  }
}

/**
 * PUTs bytes `start..end` (inclusive) of `file` to a presigned S3 URL with
 * their exact Content-Length (S3 refuses chunked parts and the hub signs the
 * length), streamed with back-pressure. No hub credentials are sent: the URL
 * is its own authorization. Resolves with S3's ETag.
 * @throws PresignedTransferError with S3's status, code and message
 */
export async function putPresignedPart(
  url: string,
  file: string,
  start: number,
  end: number,
  onBytes?: (n: number) => void,
): Promise<string> {
  const length = end - start + 1;
  const res = await reach(url, {
    method: 'PUT',
    headers: { 'content-length': String(length) },
    body: length > 0 ? fileRangeStream(file, start, end, onBytes) : '',
  });
  const text = await readText(res);
  const etag = res.headers.etag;
  if (res.statusCode! >= 200 && res.statusCode! < 300 && etag) return etag;
  throw new PresignedTransferError(
    `S3 refused the part upload (${res.statusCode} ${describeS3Error(text)})`,
    res.statusCode,
  );
}

/**
 * GETs a presigned S3 URL (a `Range` in `headers` resumes), without hub
 * credentials, and returns the answer unread when it is a 200 or 206.
 * @throws PresignedTransferError when S3 refuses
 */
export async function getPresigned(
  url: string,
  headers: Record<string, string>,
): Promise<IncomingMessage> {
  const res = await reach(url, { headers });
  if (res.statusCode === 200 || res.statusCode === 206) return res;
  const text = await readText(res).catch(() => '');
  throw new PresignedTransferError(
    `the artifact store refused the download (${
      res.statusCode
    } ${describeS3Error(text)})`,
    res.statusCode,
  );
}

async function reach(
  url: string,
  init: Parameters<typeof streamingRequest>[1],
): Promise<IncomingMessage> {
  try {
    return await streamingRequest(url, init);
  } catch (e) {
    throw new PresignedTransferError(
      `cannot reach the artifact store at ${new URL(url).origin}: ${
        (e as Error).message
      }`,
    );
  }
}

/** `Code: Message` from an S3 XML error body, or the start of the text. */
export function describeS3Error(body: string): string {
  const code = /<Code>([^<]*)<\/Code>/.exec(body)?.[1];
  const message = /<Message>([^<]*)<\/Message>/.exec(body)?.[1];
  if (code || message) return [code, message].filter(Boolean).join(': ');
  return body.trim().slice(0, 200) || 'no details';
}
