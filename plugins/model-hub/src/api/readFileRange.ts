import { ResponseError } from '@backstage/errors';
import { VersionFileContent } from './ModelHubApi';

/**
 * Turns the answer to a `Range: bytes=0-N` request into file content: a 206
 * names the file's size in `Content-Range`; a 200 (a server or proxy that
 * ignored the range) is cut to `maxBytes` here so a huge file never reaches
 * the page whole.
 */
export async function readFileRange(
  response: Response,
  maxBytes: number,
): Promise<VersionFileContent> {
  if (!response.ok) {
    throw await ResponseError.fromResponse(response);
  }
  const blob = await response.blob();
  const total = /\/(\d+)\s*$/.exec(response.headers.get('content-range') ?? '');
  const size = total ? Number(total[1]) : blob.size;
  return {
    blob: blob.size > maxBytes ? blob.slice(0, maxBytes, blob.type) : blob,
    size,
    truncated: size > maxBytes,
  };
}
