const MiB = 1024 * 1024;

/** Smallest automatic part size (the hub's floor is 5 MiB, S3's smallest part). */
export const MIN_AUTO_PART_BYTES = 8 * MiB;
/** Largest automatic part size. */
export const MAX_AUTO_PART_BYTES = 64 * MiB;

/**
 * The part size for a file when the user chose none: small enough that the
 * parts in flight when a transfer is cut (at most `parallel` of them) are
 * under 1/16 of the file, so a resumed publish re-sends little, and large
 * enough that a 150 GB file needs only a few thousand parts.
 */
export function choosePartSize(size: number, parallel: number): number {
  const target = Math.floor(size / (16 * Math.max(1, parallel)) / MiB) * MiB;
  return Math.min(MAX_AUTO_PART_BYTES, Math.max(MIN_AUTO_PART_BYTES, target));
}
