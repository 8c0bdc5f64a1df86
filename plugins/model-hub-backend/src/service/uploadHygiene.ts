import { Request } from 'express';
import { UnsupportedMediaTypeError } from '../artifacts/errors';

/**
 * Refuses a raw file upload whose body would not be stored byte for byte:
 * any media type but `application/octet-stream` (a `multipart/form-data`
 * form would be stored with its boundaries and headers as if it were the
 * file; `curl --data-binary` sends `application/x-www-form-urlencoded`
 * unless told otherwise) and any content coding but `identity` (a gzip body
 * would be stored compressed). A missing Content-Type is accepted: it is
 * what plain HTTP clients send for a bare byte stream.
 * @throws UnsupportedMediaTypeError (415) with a one-line hint
 */
export function assertRawUpload(req: Request): void {
  const contentType = req.headers['content-type'];
  if (contentType !== undefined) {
    const mediaType = contentType.split(';')[0].trim().toLowerCase();
    if (mediaType !== 'application/octet-stream') {
      throw new UnsupportedMediaTypeError(
        `File uploads take the raw bytes as application/octet-stream, not ${
          mediaType || 'an empty Content-Type'
        }; e.g. curl -T file -H 'Content-Type: application/octet-stream'`,
      );
    }
  }
  const encoding = req.headers['content-encoding'];
  if (encoding !== undefined) {
    const codings = encoding
      .split(',')
      .map(c => c.trim().toLowerCase())
      .filter(c => c !== '');
    if (codings.some(c => c !== 'identity')) {
      throw new UnsupportedMediaTypeError(
        `File uploads are stored exactly as sent; Content-Encoding '${encoding}' is not accepted, send the file uncompressed`,
      );
    }
  }
}
