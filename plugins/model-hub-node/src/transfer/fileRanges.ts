import { createHash } from 'node:crypto';
import { createReadStream } from 'node:fs';
import { open } from 'node:fs/promises';
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

/**
 * SHA-256 (hex) of bytes `start..end` (inclusive) of a file. Two buffers are
 * reused for the whole range, the next read running while the last is
 * hashed: no garbage per chunk (a fresh 4 MiB buffer per chunk cost as much
 * time in the collector as the hashing itself).
 */
export async function sha256OfRange(
  file: string,
  start: number,
  end: number,
  onBytes?: (n: number) => void,
): Promise<string> {
  const hash = createHash('sha256');
  if (end < start) return hash.digest('hex');
  const handle = await open(file, 'r');
  try {
    const buffers = [0, 1].map(() =>
      Buffer.allocUnsafe(Math.min(TRANSFER_CHUNK_BYTES, end - start + 1)),
    );
    const readAt = (position: number, buffer: Buffer) =>
      handle.read(
        buffer,
        0,
        Math.min(buffer.length, end + 1 - position),
        position,
      );
    let position = start;
    let pending = readAt(position, buffers[0]);
    for (let turn = 0; position <= end; turn ^= 1) {
      const { bytesRead } = await pending;
      if (bytesRead === 0) {
        throw new Error(`${file} ended at byte ${position}, before ${end + 1}`);
      }
      position += bytesRead;
      if (position <= end) pending = readAt(position, buffers[turn ^ 1]);
      hash.update(buffers[turn].subarray(0, bytesRead));
      onBytes?.(bytesRead);
    }
  } finally {
    await handle.close();
  }
  return hash.digest('hex');
}
