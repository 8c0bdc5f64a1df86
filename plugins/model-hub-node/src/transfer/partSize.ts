const MiB = 1024 * 1024;

/** Smallest automatic part size (the hub's floor is 5 MiB, S3's smallest part). */
export const MIN_AUTO_PART_BYTES = 8 * MiB;
/** Largest automatic part size. */
export const MAX_AUTO_PART_BYTES = 64 * MiB;

/**
 * Share of a file that the parts in flight when a transfer is cut may hold:
 * a resumed publish then re-sends under a tenth of the file (the resume goal
 * is 1.1x the file in all). Each part is a request with its own
 * authorization and bookkeeping on the hub (~15-20 ms of its CPU), so parts
 * are as large as this allows: 1/16 meant 64 parts for 1 GiB, 1/10 means 41.
 */
export const MAX_IN_FLIGHT_SHARE = 1 / 10;

/**
 * The part size for a file when the user chose none: small enough that the
 * parts in flight when a transfer is cut (at most `parallel` of them) are
 * under {@link MAX_IN_FLIGHT_SHARE} of the file, so a resumed publish
 * re-sends little, and large enough that a 150 GB file needs only a few
 * thousand parts.
 */
export function choosePartSize(size: number, parallel: number): number {
  const target =
    Math.floor((size * MAX_IN_FLIGHT_SHARE) / Math.max(1, parallel) / MiB) *
    MiB;
  return Math.min(MAX_AUTO_PART_BYTES, Math.max(MIN_AUTO_PART_BYTES, target));
}
