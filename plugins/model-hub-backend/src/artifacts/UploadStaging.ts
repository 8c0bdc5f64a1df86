import { randomUUID } from 'node:crypto';
import fs from 'node:fs/promises';
import path from 'node:path';
import { Readable } from 'node:stream';
import { InputError } from '@backstage/errors';
import { isSha256Hex } from './ArtifactStore';
import { PayloadTooLargeError } from './errors';
import { writeHashed } from './writeHashed';

/** Name prefix of every staging file; the recovery sweep removes only these. */
export const STAGING_FILE_PREFIX = 'upload-';

/** A complete, hashed upload in the staging directory. */
export interface StagedUpload {
  /** Absolute path of the temporary file. */
  path: string;
  sha256: string;
  size: number;
  /** Deletes the temporary file (safe to call more than once). */
  discard(): Promise<void>;
}

/** Options of {@link UploadStaging.stage}. */
export interface StageOptions {
  /** SHA-256 the client declared; a different hash rejects the upload. */
  expectedSha256?: string;
  /** Length the client declared; fewer or more bytes reject the upload. */
  expectedSize?: number;
}

/**
 * Streams uploads to temporary files while hashing and counting them, so a
 * file is never held in memory and nothing is kept unless it arrived
 * completely, within the size limit and with the declared hash.
 */
export class UploadStaging {
  readonly #directory: string;
  readonly #maxBytes: number;

  /** Creates a staging area in `directory` with a per-file size limit. */
  constructor(options: { directory: string; maxBytes: number }) {
    this.#directory = path.resolve(options.directory);
    this.#maxBytes = options.maxBytes;
  }

  /** The absolute staging directory. */
  get directory(): string {
    return this.#directory;
  }

  /** The largest accepted upload in bytes. */
  get maxBytes(): number {
    return this.#maxBytes;
  }

  /**
   * Rejects a declared length over the limit before any byte is read.
   * @throws PayloadTooLargeError
   */
  checkDeclaredSize(size: number | undefined): void {
    if (size !== undefined && size > this.#maxBytes) {
      throw this.#tooLarge(size);
    }
  }

  /**
   * Writes `body` to a temporary file, returning it once complete and
   * verified. On any failure (too large, hash mismatch, truncated, client
   * gone) the temporary file is deleted and the error is thrown. When the
   * size limit is hit the rest of `body` is drained, not stored.
   */
  async stage(
    body: Readable,
    options: StageOptions = {},
  ): Promise<StagedUpload> {
    const expected = options.expectedSha256?.toLowerCase();
    if (expected !== undefined && !isSha256Hex(expected)) {
      throw new InputError(
        `Declared SHA-256 '${options.expectedSha256}' is not a 64-character hex digest`,
      );
    }
    this.checkDeclaredSize(options.expectedSize);
    await fs.mkdir(this.#directory, { recursive: true });
    const file = path.join(
      this.#directory,
      `${STAGING_FILE_PREFIX}${randomUUID()}`,
    );
    const discard = () => fs.rm(file, { force: true });
    try {
      const { sha256, size } = await writeHashed(body, {
        file,
        flags: 'wx',
        maxBytes: this.#maxBytes,
        tooLarge: n => this.#tooLarge(n),
      });
      assertExpectedContent({ sha256, size }, options);
      return { path: file, sha256, size, discard };
    } catch (error) {
      await discard();
      throw error;
    }
  }

  /**
   * Takes over a file the hub wrote and hashed itself (an assembled
   * multipart upload), checked against what the client declared, as if it
   * had been staged. The caller keeps owning the file: `discard` leaves it.
   */
  adopt(
    file: { path: string; sha256: string; size: number },
    options: StageOptions = {},
  ): StagedUpload {
    this.checkDeclaredSize(file.size);
    assertExpectedContent(file, options);
    return {
      ...file,
      discard: async () => {},
    };
  }

  #tooLarge(size: number): PayloadTooLargeError {
    return new PayloadTooLargeError(
      `Upload of ${size} bytes or more exceeds the limit of ${
        this.#maxBytes
      } bytes (modelHub.artifacts.maxUploadBytes)`,
    );
  }
}

/**
 * Rejects received bytes whose size or SHA-256 differ from what the client
 * declared.
 * @throws InputError
 */
export function assertExpectedContent(
  received: { sha256: string; size: number },
  options: StageOptions,
): void {
  const { sha256, size } = received;
  if (options.expectedSize !== undefined && size !== options.expectedSize) {
    throw new InputError(
      `Upload truncated: received ${size} of ${options.expectedSize} declared bytes`,
    );
  }
  const expected = options.expectedSha256?.toLowerCase();
  if (expected !== undefined && sha256 !== expected) {
    throw new InputError(
      `SHA-256 mismatch: declared ${expected}, received content hashes to ${sha256}; nothing was stored`,
    );
  }
}
