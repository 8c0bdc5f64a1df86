import { promises as fs } from 'node:fs';

const CHUNK = 4 * 1024 * 1024;

/**
 * A request body over bytes `start..end` (inclusive) of a file that reads one
 * chunk only when the HTTP client pulls the next (highWaterMark 0), so the
 * upload honours back-pressure and memory stays flat whatever the file size.
 * (`Readable.toWeb` of a file stream does not: it buffered a GiB.)
 */
export function fileRangeBody(
  file: string,
  start: number,
  end: number,
  onBytes?: (n: number) => void,
): ReadableStream<Uint8Array> {
  let handle: fs.FileHandle | undefined;
  let position = start;
  const close = async () => {
    const h = handle;
    handle = undefined;
    await h?.close();
  };
  return new ReadableStream<Uint8Array>(
    {
      async pull(controller) {
        handle ??= await fs.open(file, 'r');
        const length = Math.min(CHUNK, end + 1 - position);
        if (length <= 0) {
          await close();
          controller.close();
          return;
        }
        const buffer = Buffer.allocUnsafe(length);
        const { bytesRead } = await handle.read(buffer, 0, length, position);
        if (bytesRead === 0) {
          await close();
          controller.error(new Error(`${file} shrank while it was being sent`));
          return;
        }
        position += bytesRead;
        onBytes?.(bytesRead);
        controller.enqueue(buffer.subarray(0, bytesRead));
      },
      async cancel() {
        await close();
      },
    },
    { highWaterMark: 0 },
  );
}
