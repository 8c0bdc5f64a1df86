import { createHash } from 'node:crypto';
import { createReadStream } from 'node:fs';
import { Readable, Transform } from 'node:stream';

/** Read size for hashing and sending: big enough to hash near OpenSSL speed. */
export const TRANSFER_CHUNK_BYTES = 4 * 1024 * 1024;

/**
 * Bytes `start..end` (inclusive) of a file as a stream that reads only as
 * fast as its consumer takes them (one chunk buffered), reporting each chunk.
 */
export function fileRangeStream(
  file: string,
  start: number,
  end: number,
  onBytes?: (n: number) => void,
): Readable {
  const source = createReadStream(file, {
    start,
    end,
    highWaterMark: TRANSFER_CHUNK_BYTES,
  });
  if (!onBytes) return source;
  const meter = new Transform({
    highWaterMark: 1,
    transform(chunk: Buffer, _encoding, callback) {
      onBytes(chunk.length);
      callback(null, chunk);
    },
  });
  source.on('error', error => meter.destroy(error));
  meter.on('close', () => source.destroy());
  return source.pipe(meter);
}

/** SHA-256 (hex) of bytes `start..end` (inclusive) of a file. */
export async function sha256OfRange(
  file: string,
  start: number,
  end: number,
  onBytes?: (n: number) => void,
): Promise<string> {
  const hash = createHash('sha256');
  if (end >= start) {
    for await (const chunk of fileRangeStream(file, start, end)) {
      hash.update(chunk as Buffer);
      onBytes?.((chunk as Buffer).length);
    }
  }
  return hash.digest('hex');
}
