import type { ModelFileFormat } from '@internal/plugin-model-hub-common';
import { MalformedError, ScanReport } from './report';
import { RandomSource } from './source';
import { BombError } from './decompress';
import { ZIP_LIMITS } from './zip';

/* Helpers shared by the format detection and the zip walker. */

/** Scans a byte source by content (`analyzeSource`), handed to the zip walker for nested entries. */
export type AnalyzeFn = (
  src: RandomSource,
  report: ScanReport,
  location: string,
  depth: number,
) => Promise<{ format: ModelFileFormat; supported: boolean }>;

/** Whether `head` starts like a zip: a local file header or an empty archive. */
export function isZipHead(head: Uint8Array): boolean {
  return (
    head[0] === 0x50 && head[1] === 0x4b && (head[2] === 3 || head[2] === 5)
  );
}

/**
 * Whether one more level of archive nesting passes the limit; if so it is
 * reported (`zip/nesting-depth`, high) at `location`.
 */
export function nestsTooDeep(
  depth: number,
  report: ScanReport,
  location: string,
): boolean {
  if (depth + 1 <= ZIP_LIMITS.maxDepth) return false;
  report.add(
    'high',
    'zip/nesting-depth',
    `archives nest deeper than ${ZIP_LIMITS.maxDepth} levels`,
    location,
  );
  return true;
}

/** Whether the error came from the operating system (I/O), not from content. */
export function isIoError(e: unknown): boolean {
  return (
    !!e &&
    typeof e === 'object' &&
    typeof (e as { code?: unknown }).code === 'string' &&
    typeof (e as { syscall?: unknown }).syscall === 'string'
  );
}

/**
 * Records a parse failure: a decompression bomb is `unsafe` (high), any
 * other malformation makes the file `error`.
 */
export function recordFailure(
  report: ScanReport,
  e: MalformedError,
  location: string,
) {
  if (e instanceof BombError) {
    report.add('high', e.rule, e.message, e.location ?? location);
    report.parsedFully = false;
  } else report.fail(e.rule, e.message, e.location ?? location);
}
