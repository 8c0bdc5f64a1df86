import fs from 'node:fs';

/**
 * The most bytes one write system call puts into a file, wherever the hub
 * or the CLI writes received bytes (the hub's parts and uploads, a pull's
 * download).
 *
 * Why: a write's length sets the size of the page-cache folios the kernel
 * allocates for it, and on this VM kind (Linux 6.18 guest, free page
 * reporting) large folios come from memory the host has taken back. Writing
 * 1 GiB of received bytes into a new file, measured with `dd` and with
 * Node's `writev`, 20 s apart so freed memory went back to the host:
 * 4 MiB writes 1.4–5.3 s, 1 MiB 2.7–4.6 s, 256 KiB 0.5–1.0 s, 128 KiB
 * 0.4–1.3 s, 64 KiB 0.5–0.9 s. `cp` (copy_file_range, in the kernel) takes
 * 0.4 s. Below 256 KiB, the extra system calls cost more than they save.
 */
export const FILE_WRITE_BYTES = 256 * 1024;

type WritevCallback = (
  error: NodeJS.ErrnoException | null,
  bytesWritten: number,
  buffers: NodeJS.ArrayBufferView[],
) => void;

/**
 * `fs.writev` in calls of at most {@link FILE_WRITE_BYTES}, in order, at
 * `position` onwards (or the file's current offset when `position` is
 * null); calls back once, with the bytes written in total. A short write
 * continues from the first unwritten byte. For `fs.createWriteStream`'s
 * `fs` option, whose `writev` otherwise sends everything queued at once
 * (megabytes while a write is in flight).
 */
export function boundedWritev(
  fd: number,
  buffers: NodeJS.ArrayBufferView[],
  position: number | null,
  callback: WritevCallback,
): void {
  const pending = buffers.map(
    b => new Uint8Array(b.buffer, b.byteOffset, b.byteLength),
  );
  let total = 0;
  const next = (): void => {
    const group: Uint8Array[] = [];
    let bytes = 0;
    while (pending.length > 0 && bytes < FILE_WRITE_BYTES) {
      const head = pending[0];
      const room = FILE_WRITE_BYTES - bytes;
      if (head.length <= room) {
        group.push(head);
        bytes += head.length;
        pending.shift();
      } else {
        group.push(head.subarray(0, room));
        bytes += room;
        pending[0] = head.subarray(room);
      }
    }
    if (bytes === 0) {
      callback(null, total, buffers);
      return;
    }
    const at = position === null ? null : position + total;
    fs.writev(fd, group, at, (error, written) => {
      if (error) {
        callback(error, total, buffers);
        return;
      }
      total += written;
      if (written < bytes) unshiftUnwritten(pending, group, written);
      next();
    });
  };
  next();
}

/** Puts the bytes of `group` past its first `written` back at the front of `pending`. */
function unshiftUnwritten(
  pending: Uint8Array[],
  group: Uint8Array[],
  written: number,
): void {
  let skip = written;
  const rest: Uint8Array[] = [];
  for (const part of group) {
    if (skip >= part.length) {
      skip -= part.length;
      continue;
    }
    rest.push(part.subarray(skip));
    skip = 0;
  }
  // The last piece of the group may be the head of a buffer still in
  // `pending`: it was split there, so the unwritten pieces come first.
  pending.unshift(...rest);
}
