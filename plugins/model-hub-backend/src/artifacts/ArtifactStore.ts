import { Readable } from 'node:stream';

/** An inclusive byte range of a stored artifact. */
export interface ByteRange {
  start: number;
  end: number;
}

/**
 * Content-addressed storage of model files. Every artifact is identified by
 * the SHA-256 of its bytes, so identical content is stored exactly once.
 * Callers hand over files that are already verified (hashed) on local disk.
 */
export interface ArtifactStore {
  /**
   * Stores the local file `sourcePath`, whose bytes hash to `sha256`, and
   * makes it visible only once it is completely written. A no-op when the
   * artifact is already stored. The source file is left for the caller to
   * remove (it may already be gone when it was moved into place).
   */
  put(sha256: string, sourcePath: string, size: number): Promise<void>;
  /** The size of a stored artifact, or undefined when it is not stored. */
  stat(sha256: string): Promise<{ size: number } | undefined>;
  /** Streams a stored artifact, or one inclusive byte range of it. */
  get(sha256: string, range?: ByteRange): Promise<Readable>;
  /** Removes a stored artifact; a no-op when it is not stored. */
  delete(sha256: string): Promise<void>;
}

const SHA256_HEX = /^[0-9a-f]{64}$/;

/** True when `value` is a lower-case hex SHA-256 digest. */
export function isSha256Hex(value: string): boolean {
  return SHA256_HEX.test(value);
}

/**
 * The storage key of an artifact: `sha256/ab/cdef…` (a two-character fan-out
 * directory keeps directory listings small).
 */
export function artifactKey(sha256: string): string {
  if (!isSha256Hex(sha256)) {
    throw new TypeError(`Not a lower-case hex SHA-256 digest: '${sha256}'`);
  }
  return `sha256/${sha256.slice(0, 2)}/${sha256.slice(2)}`;
}
