/**
 * Where a read buffer's data starts, counted from the start of a memory page.
 * A large Buffer comes from its own mmap with the allocator's 16-byte chunk
 * header in front, so its data starts 16 bytes into a page; the kernel's
 * copy of page-cache pages into a destination 1-31 bytes past a page
 * boundary runs ~4x slower on this machine kind (AMD EPYC, `rep movsb`):
 * reading 1 GiB into such a buffer cost 0.55-0.75 s of system time, into
 * the same buffer 48 bytes further on 0.13-0.2 s (as `dd` does).
 */
const DATA_OFFSET_IN_PAGE = 64;

/** The allocator's chunk header before a large Buffer's data. */
const ALLOCATOR_HEADER = 16;

/** Bytes skipped at the start of each read buffer's own allocation. */
export const READ_BUFFER_SKIP = DATA_OFFSET_IN_PAGE - ALLOCATOR_HEADER;

/**
 * A buffer of `size` bytes for reading files into, laid out so that the
 * kernel copies into it at full speed (see {@link DATA_OFFSET_IN_PAGE}).
 * Small buffers come from the heap at any offset, where the shift changes
 * nothing for the worse.
 */
export function allocReadBuffer(size: number): Buffer {
  return Buffer.allocUnsafeSlow(size + READ_BUFFER_SKIP).subarray(
    READ_BUFFER_SKIP,
  );
}

/**
 * {@link allocReadBuffer} in plain JavaScript, for code evaluated in a
 * worker thread (hashWorker.ts).
 */
export const ALLOC_READ_BUFFER_SOURCE = `function allocReadBuffer(size) {
  return Buffer.allocUnsafeSlow(size + ${READ_BUFFER_SKIP}).subarray(${READ_BUFFER_SKIP});
}`;
