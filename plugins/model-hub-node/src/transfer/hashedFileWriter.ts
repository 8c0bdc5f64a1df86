import { randomUUID } from 'node:crypto';
import { HashWorker } from './hashWorker';

/**
 * One worker writes and hashes every file written this way in a process
 * (every file of a pull; every part and upload a hub receives). Chunks move
 * to it, and a worker frees moved chunks only when its own heap is
 * collected, which lets about 60-80 MB of them wait: with a worker per file,
 * a pull of four 512 MiB files at once (`--parallel 4`) peaked at 371 MB,
 * with one worker at 195 MB (the CLI's limit is 256). It is unref'd while
 * idle, so it never keeps a process alive.
 */
let sharedWorker: HashWorker | undefined;

/** Where a {@link HashedFileWriter} writes, and what its hash covers. */
export interface HashedFileWriterOptions {
  /** Byte offset of the first byte written (default 0). */
  position?: number;
  /**
   * True when bytes `0..position-1` already in the file count too: they are
   * read back once and hashed first (a resumed download). Otherwise the hash
   * covers exactly the bytes written (a part written at its offset).
   */
  hashExisting?: boolean;
  /**
   * Bytes handed over and not yet written past which the sender should
   * pause (default {@link HashedFileWriter.IN_FLIGHT}).
   */
  inFlightBytes?: number;
  /** The worker (default: one shared by the process). */
  worker?: HashWorker;
}

/**
 * Stores received chunks in an open file from an offset on, hashing them as
 * they are written, on a worker thread ({@link HashWorker.append}): received
 * bytes are never read back from disk, and the calling thread (the one
 * parsing HTTP) only hands chunks over. The worker writes in system calls
 * of at most 256 KiB (see hashWorker.ts for why).
 */
export class HashedFileWriter {
  /** Chunks are handed to the worker in batches of about this many bytes. */
  static readonly BATCH = 1024 * 1024;
  /** Default bytes handed over and not yet written past which the sender should pause. */
  static readonly IN_FLIGHT = 8 * 1024 * 1024;
  readonly #inFlightLimit: number;
  readonly #worker: HashWorker;
  readonly #key = randomUUID();
  readonly #fd: number;
  #position: number;
  #batch: Buffer[] = [];
  #batched = 0;
  #inFlight = 0;
  #settled: Promise<void> = Promise.resolve();
  #failure?: Error;
  /** Called when a paused sender may go on (bytes were written, or writing failed). */
  onDrain: () => void = () => {};

  /** `fd` is open for writing `file`; it stays open until {@link flush} settles. */
  constructor(file: string, fd: number, options: HashedFileWriterOptions = {}) {
    this.#worker = options.worker ?? (sharedWorker ??= new HashWorker());
    this.#inFlightLimit = options.inFlightBytes ?? HashedFileWriter.IN_FLIGHT;
    this.#fd = fd;
    this.#position = options.position ?? 0;
    if (options.hashExisting && this.#position > 0) {
      this.#track(this.#worker.feed(this.#key, file, 0, this.#position - 1), 0);
    }
  }

  /**
   * Queues `chunk` (moved to the worker when it owns its memory: it is
   * empty afterwards); returns false when the sender should pause until
   * {@link onDrain}. Throws once a write has failed.
   */
  write(chunk: Buffer): boolean {
    if (this.#failure) throw this.#failure;
    this.#batch.push(chunk);
    this.#batched += chunk.length;
    if (this.#batched >= HashedFileWriter.BATCH) this.#send();
    return this.#inFlight < this.#inFlightLimit;
  }

  /** Writes whatever is queued; resolves once every write is done, or fails with the first error. */
  async flush(): Promise<void> {
    this.#send();
    await this.#settled;
    if (this.#failure) throw this.#failure;
  }

  /** The SHA-256 (hex) of the bytes hashed, once every chunk is written. */
  async digest(): Promise<string> {
    await this.flush();
    return this.#worker.digest(this.#key);
  }

  /** Forgets this file's hash in the worker; call after {@link flush} has settled, then close the file. */
  close(): void {
    this.#worker.drop(this.#key).catch(() => undefined);
  }

  #send(): void {
    if (this.#batched === 0) return;
    const chunks = this.#batch;
    const bytes = this.#batched;
    this.#batch = [];
    this.#batched = 0;
    const position = this.#position;
    this.#position += bytes;
    this.#inFlight += bytes;
    this.#track(
      this.#worker.append(this.#key, this.#fd, position, chunks),
      bytes,
    );
  }

  #track(done: Promise<void>, bytes: number): void {
    const settled = done.then(
      () => {
        this.#inFlight -= bytes;
        if (this.#inFlight < this.#inFlightLimit) this.onDrain();
      },
      (error: Error) => {
        this.#failure ??= error;
        this.onDrain();
      },
    );
    this.#settled = this.#settled.then(() => settled);
  }
}
