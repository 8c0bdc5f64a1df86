import { mkdtemp, open, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Cursor, FileSource } from './source';

/**
 * Writes the rest of a (decompressed) stream to a private temp file and
 * runs `fn` on it with random access, so an archive inside a compression
 * (`model.tar.gz`) can be scanned like a file. The file is removed after.
 */
export async function withSpooledStream<T>(
  cur: Cursor,
  fn: (src: FileSource) => Promise<T>,
): Promise<T> {
  const dir = await mkdtemp(join(tmpdir(), 'model-hub-scan-'));
  const path = join(dir, 'member');
  const fh = await open(path, 'w+', 0o600);
  try {
    let size = 0;
    while (await cur.fill(1)) {
      const chunk = cur.buf.subarray(cur.pos);
      let done = 0;
      while (done < chunk.length) {
        const { bytesWritten } = await fh.write(
          chunk,
          done,
          chunk.length - done,
          size + done,
        );
        done += bytesWritten;
      }
      size += chunk.length;
      cur.pos = cur.buf.length;
    }
    return await fn(new FileSource(fh, size, path));
  } finally {
    await fh.close();
    await rm(dir, { recursive: true, force: true });
  }
}
