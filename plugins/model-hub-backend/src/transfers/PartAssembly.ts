import fs from 'node:fs/promises';
import path from 'node:path';
import { Readable } from 'node:stream';
import { ConflictError } from '@backstage/errors';
// Only the transfer module: the package index loads the scanners too.
// eslint-disable-next-line @backstage/no-forbidden-package-imports
import { HashWorker } from '@internal/plugin-model-hub-node/src/transfer';
import { HubWrittenFile } from '../versions/ModelVersionService';
import { assertExpectedContent } from '../artifacts/UploadStaging';
import { writeHashed } from '../artifacts/writeHashed';
import { UploadedPart } from './MultipartUploadStore';
import { partLength } from './parts';

/** The whole-file SHA-256 of the parts this replica assembled in order. */
interface RunningHash {
  /** SHA-256 of parts 1..hashed.length, each as it was when hashed. */
  hashed: string[];
  /** The running hash's name in the hash worker. */
  key: string;
}

/** This replica's knowledge of one upload. */
interface UploadState {
  /** Parts written and verified here, by number, with their SHA-256. */
  verified: Map<number, string>;
  running?: RunningHash;
  /** True while one request feeds the running hash. */
  advancing: boolean;
}

/**
 * Assembles a multipart upload in place: each part is written at its offset
 * in one assembly file, and the whole file's SHA-256 grows while parts arrive
 * (parts 1..k, once all are here, are read back from the page cache into a
 * running hash on a worker thread, so it costs this thread, busy checking
 * each incoming part's own SHA-256, nothing but a message). Completion then needs neither a copy nor, usually, a second
 * hash of the whole file; after a restart, on another replica, or when a
 * hashed part is re-sent, completion hashes the file from disk instead.
 * When the hash worker stops, the running hash fails its next feed and
 * starts again from part 1 (HashWorker refuses to go on with a hash it
 * lost).
 *
 * A part is claimed while it is written or hashed, so two requests never
 * write the same bytes at once, and an upload being completed takes no part.
 */
export class PartAssembly {
  readonly #directoryOf: (uploadId: string) => string;
  readonly #states = new Map<string, UploadState>();
  readonly #claimed = new Set<string>();
  readonly #sealing = new Set<string>();
  readonly #hasher: HashWorker;
  #nextKey = 1;

  /**
   * `directoryOf` names the upload's own directory; `hasher` (by default
   * its own) computes the running and the read-back hashes.
   */
  constructor(options: {
    directoryOf(uploadId: string): string;
    hasher?: HashWorker;
  }) {
    this.#directoryOf = options.directoryOf;
    this.#hasher = options.hasher ?? new HashWorker();
  }

  /**
   * Reserves part `partNumber` for one request; a hashed copy of it no longer
   * counts. Returns the release.
   * @throws ConflictError while the part is being received, or the upload completed
   */
  claim(uploadId: string, partNumber: number): () => void {
    if (this.#sealing.has(uploadId)) {
      throw new ConflictError(
        `Upload ${uploadId} is being completed; wait for that answer before sending parts`,
      );
    }
    const key = `${uploadId}/${partNumber}`;
    if (this.#claimed.has(key)) {
      throw new ConflictError(
        `Part ${partNumber} of upload ${uploadId} is already being received; wait for that request, then retry`,
      );
    }
    this.#claimed.add(key);
    const state = this.#state(uploadId);
    state.verified.delete(partNumber);
    if (state.running && state.running.hashed.length >= partNumber) {
      // Its bytes are about to change under the running hash.
      this.#dropRunning(state);
    }
    return () => this.#claimed.delete(key);
  }

  /**
   * Writes a claimed part into its place in the assembly file, verified
   * against its declared SHA-256 and exact length.
   * @throws InputError on a different hash or length; PayloadTooLargeError past it
   */
  async write(options: {
    uploadId: string;
    partNumber: number;
    offset: number;
    length: number;
    body: Readable;
    expectedSha256: string;
    tooLarge(size: number): Error;
  }): Promise<UploadedPart> {
    const file = this.#assemblyFile(options.uploadId);
    await fs.mkdir(path.dirname(file), { recursive: true });
    // A completion that stopped (the process ended) left the assembly under
    // its sealed name: it goes back before this part lands in a new, empty
    // file that the other parts' records would vouch for. A link never
    // replaces an assembly another part request put back first.
    const sealed = this.#assembledFile(options.uploadId);
    await fs.link(sealed, file).then(
      () => fs.rm(sealed, { force: true }),
      error => {
        const code = (error as NodeJS.ErrnoException).code;
        if (code !== 'ENOENT' && code !== 'EEXIST') throw error;
      },
    );
    // With a staging directory shared by replicas, a completion on another
    // one may have moved those bytes into the store between the link and the
    // removal: the assembly then shares them with a stored blob, and a write
    // would change content already hashed and scanned. Such an assembly is
    // let go, and the part lands in a new file.
    if (((await statIfPresent(file))?.nlink ?? 1) > 1) {
      await fs.rm(file, { force: true });
    }
    // Create without truncating: other parts may already be in place.
    await (await fs.open(file, 'a')).close();
    const received = await writeHashed(options.body, {
      file,
      flags: 'r+',
      start: options.offset,
      maxBytes: options.length,
      tooLarge: options.tooLarge,
    });
    assertExpectedContent(received, {
      expectedSha256: options.expectedSha256,
      expectedSize: options.length,
    });
    return { number: options.partNumber, ...received };
  }

  /**
   * Notes a part as verified and stored, then feeds the running hash every
   * part that now follows on in order (one request at a time does it).
   */
  async advance(
    upload: { id: string; size: number; partSize: number },
    part: UploadedPart,
  ): Promise<void> {
    const state = this.#state(upload.id);
    state.verified.set(part.number, part.sha256);
    if (state.advancing) return;
    state.advancing = true;
    try {
      for (;;) {
        if (!state.running) {
          if (!state.verified.has(1)) return;
          state.running = {
            hashed: [],
            key: `${upload.id}#${this.#nextKey++}`,
          };
        }
        const running = state.running;
        const next = running.hashed.length + 1;
        const sha256 = state.verified.get(next);
        if (!sha256 || this.#sealing.has(upload.id)) return;
        const release = this.#claimFor(upload.id, next);
        if (!release) return; // being re-sent: its answer advances again
        try {
          const size = partLength(upload, next);
          const start = (next - 1) * upload.partSize;
          if (size > 0) {
            await this.#hasher.feed(
              running.key,
              this.#assemblyFile(upload.id),
              start,
              start + size - 1,
            );
          }
          if (state.running !== running) return;
          running.hashed.push(sha256);
        } catch {
          // A lost or unreadable assembly: completion hashes from disk.
          if (state.running === running) this.#dropRunning(state);
          return;
        } finally {
          release();
        }
      }
    } finally {
      state.advancing = false;
    }
  }

  /**
   * Takes the assembly of a complete upload out of reach of part requests and
   * returns it with its size and SHA-256: the running hash when it covers
   * exactly the recorded parts, else a hash read from disk. An assembly a
   * completion took before the process stopped is taken again. Undefined
   * when the upload's bytes are no longer on disk (a completion that stored
   * them and stopped before recording the file, a lost staging directory).
   * @throws ConflictError when a part is still being received
   */
  async seal(
    upload: { id: string },
    parts: UploadedPart[],
  ): Promise<HubWrittenFile | undefined> {
    const prefix = `${upload.id}/`;
    if ([...this.#claimed].some(key => key.startsWith(prefix))) {
      throw new ConflictError(
        `Upload ${upload.id} still has parts being received; complete it once every part has been answered`,
      );
    }
    if (this.#sealing.has(upload.id)) {
      throw new ConflictError(`Upload ${upload.id} is already being completed`);
    }
    this.#sealing.add(upload.id);
    try {
      const assembled = this.#assembledFile(upload.id);
      try {
        await fs.rename(this.#assemblyFile(upload.id), assembled);
      } catch (error) {
        if ((error as NodeJS.ErrnoException).code !== 'ENOENT') throw error;
        // No completion of it runs here (#sealing): an `assembled` file is
        // what one left when the process stopped, with the same bytes.
      }
      const size = (await statIfPresent(assembled))?.size;
      if (size === undefined) {
        this.forget(upload.id);
        this.#sealing.delete(upload.id);
        return undefined;
      }
      const running = this.#states.get(upload.id)?.running;
      const ordered = [...parts].sort((a, b) => a.number - b.number);
      const current =
        running &&
        running.hashed.length === ordered.length &&
        ordered.every((p, i) => p.sha256 === running.hashed[i]);
      let sha256: string | undefined;
      if (current) {
        sha256 = await this.#hasher.digest(running.key).catch(() => undefined);
      } else if (running) {
        this.#dropRunning(this.#state(upload.id));
      }
      // No running hash to trust (a restart, another replica, a re-sent
      // part, a lost worker): read the whole file back.
      sha256 ??= (
        await this.#hasher.sha256OfRanges(assembled, [[0, size - 1]])
      )[0];
      this.#states.delete(upload.id);
      return { path: assembled, sha256, size };
    } catch (error) {
      this.#sealing.delete(upload.id);
      throw error;
    }
  }

  /**
   * Ends a completion: after a failure the assembly goes back into place so
   * the upload can be completed again (hashed from disk then).
   */
  async unseal(uploadId: string, options: { restore: boolean }) {
    try {
      if (options.restore) {
        await fs
          .rename(this.#assembledFile(uploadId), this.#assemblyFile(uploadId))
          .catch(error => {
            if ((error as NodeJS.ErrnoException).code !== 'ENOENT') {
              throw error;
            }
          });
      }
    } finally {
      this.#sealing.delete(uploadId);
    }
  }

  /** Forgets an upload (completed or collected). */
  forget(uploadId: string): void {
    const state = this.#states.get(uploadId);
    if (state) this.#dropRunning(state);
    this.#states.delete(uploadId);
  }

  /**
   * Claims a part to read it into the running hash, which stays; undefined
   * when a request holds the part.
   */
  #claimFor(uploadId: string, partNumber: number): (() => void) | undefined {
    const key = `${uploadId}/${partNumber}`;
    if (this.#claimed.has(key)) return undefined;
    this.#claimed.add(key);
    return () => this.#claimed.delete(key);
  }

  #dropRunning(state: UploadState): void {
    const running = state.running;
    state.running = undefined;
    if (running) this.#hasher.drop(running.key).catch(() => {});
  }

  #state(uploadId: string): UploadState {
    let state = this.#states.get(uploadId);
    if (!state) {
      state = { verified: new Map(), advancing: false };
      this.#states.set(uploadId, state);
    }
    return state;
  }

  #assemblyFile(uploadId: string): string {
    return path.join(this.#directoryOf(uploadId), 'assembly');
  }

  #assembledFile(uploadId: string): string {
    return path.join(this.#directoryOf(uploadId), 'assembled');
  }
}

/** The file's stats, or undefined when it does not exist. */
async function statIfPresent(file: string) {
  return fs.stat(file).catch(error => {
    if ((error as NodeJS.ErrnoException).code !== 'ENOENT') throw error;
    return undefined;
  });
}
