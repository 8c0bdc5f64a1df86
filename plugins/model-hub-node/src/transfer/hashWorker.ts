import { types } from 'node:util';
import { Worker } from 'node:worker_threads';
import { ALLOC_READ_BUFFER_SOURCE } from './readBuffer';

/**
 * The most bytes one write system call of {@link HashWorker.append} puts
 * into a file (a pull's download; a part or upload the hub receives).
 *
 * Why: a write's length sets the size of the page-cache folios the kernel
 * allocates for it, and on this VM kind (Linux 6.18 guest, free page
 * reporting) large folios come from memory the host has taken back. Writing
 * 1 GiB into a new file, measured with `dd` and with Node's `writev`, 20 s
 * apart so freed memory went back to the host: 4 MiB writes 1.4-5.3 s,
 * 1 MiB 2.7-4.6 s, 256 KiB 0.5-1.0 s, 128 KiB 0.4-1.3 s, 64 KiB 0.5-0.9 s
 * (`cp`, copy_file_range in the kernel: 0.4 s; `curl` writes 16 KiB).
 */
const APPEND_WRITE_BYTES = 256 * 1024;

/*
 * SHA-256 is CPU-bound (~0.6 s per GiB here, where reading a GiB back from
 * the page cache costs ~0.1 s), so two hashes of the same bytes on one
 * thread take twice as long as one. This worker thread hashes file ranges
 * that it reads itself, so a second hash runs on the other core while the
 * calling thread does the first; it also writes received bytes to a file
 * and hashes them on the way (a download), so nothing is read back. Plain
 * JavaScript, evaluated in place: no transpiler or bundler has to find a
 * worker file.
 */
const WORKER_SOURCE = `
const { parentPort } = require('node:worker_threads');
const { createHash } = require('node:crypto');
const fs = require('node:fs');
const CHUNK = 4 * 1024 * 1024;
const WRITE_BYTES = ${APPEND_WRITE_BYTES};
const running = new Map();
let buffer;
// Chunks moved here by append() are freed only when this thread's heap is
// collected, and this thread allocates little, so its collector rarely
// runs: a 300 MB upload left ~160 MB of them waiting. A young-generation
// collection after every RELEASE_BYTES appended frees them (~1 ms each).
const RELEASE_BYTES = 16 * 1024 * 1024;
let appendedSinceRelease = 0;
let collectYoung = () => {};
try {
  require('node:v8').setFlagsFromString('--expose-gc');
  const gc = require('node:vm').runInNewContext('gc');
  collectYoung = () => gc({ type: 'minor' });
} catch {}
${ALLOC_READ_BUFFER_SOURCE}
function feed(hash, file, start, end) {
  if (end < start) return;
  buffer = buffer || allocReadBuffer(CHUNK);
  const fd = fs.openSync(file, 'r');
  try {
    for (let pos = start; pos <= end; ) {
      const n = fs.readSync(fd, buffer, 0, Math.min(CHUNK, end + 1 - pos), pos);
      if (n === 0) throw new Error(file + ' ended at byte ' + pos + ', before ' + (end + 1));
      hash.update(buffer.subarray(0, n));
      pos += n;
    }
  } finally {
    fs.closeSync(fd);
  }
}
function writeAll(fd, chunks, position) {
  const bytes = chunks.reduce((n, c) => n + c.length, 0);
  const written = fs.writevSync(fd, chunks, position);
  if (written === bytes) return;
  const rest = Buffer.concat(chunks).subarray(written);
  for (let off = 0; off < rest.length; ) {
    off += fs.writeSync(fd, rest, off, rest.length - off, position + written + off);
  }
}
function append(hash, fd, position, chunks) {
  for (let i = 0; i < chunks.length; ) {
    const group = [chunks[i]];
    let bytes = chunks[i++].length;
    while (i < chunks.length && bytes + chunks[i].length <= WRITE_BYTES) {
      bytes += chunks[i].length;
      group.push(chunks[i++]);
    }
    writeAll(fd, group, position);
    position += bytes;
    for (const chunk of group) hash.update(chunk);
    appendedSinceRelease += bytes;
  }
}
parentPort.on('message', m => {
  try {
    let result;
    if (m.op === 'ranges') {
      result = m.ranges.map(([start, end]) => {
        const hash = createHash('sha256');
        feed(hash, m.file, start, end);
        return hash.digest('hex');
      });
    } else if (m.op === 'feed') {
      let hash = running.get(m.key);
      if (!hash) running.set(m.key, (hash = createHash('sha256')));
      feed(hash, m.file, m.start, m.end);
    } else if (m.op === 'append') {
      let hash = running.get(m.key);
      if (!hash) running.set(m.key, (hash = createHash('sha256')));
      append(hash, m.fd, m.position, m.chunks);
      m.chunks = undefined;
      if (appendedSinceRelease >= RELEASE_BYTES) {
        appendedSinceRelease = 0;
        // After this message's handler returns, nothing refers to its chunks.
        setImmediate(collectYoung);
      }
    } else if (m.op === 'digest') {
      const hash = running.get(m.key) || createHash('sha256');
      running.delete(m.key);
      result = hash.digest('hex');
    } else if (m.op === 'drop') {
      running.delete(m.key);
    }
    parentPort.postMessage({ id: m.id, result });
  } catch (e) {
    parentPort.postMessage({ id: m.id, error: String(e && e.message || e) });
  }
});
`;

type Pending = { resolve(v: unknown): void; reject(e: Error): void };

interface Started {
  worker: Worker;
  /** Requests this worker has not answered yet, by id. */
  pending: Map<number, Pending>;
}

/**
 * A worker thread that computes SHA-256s of file ranges off the calling
 * thread: one-shot hashes of many ranges, and running hashes fed range by
 * range (in order) and read once. Requests run one after another in the
 * order sent. The worker is started on first use and does not keep the
 * process alive; if it dies, its pending requests fail and its running
 * hashes are gone: the next request starts a new worker, and every later
 * request on a running hash begun in the dead one fails (it would
 * otherwise go on in a fresh hash that lacks the bytes before, and its
 * digest would name content nobody sent).
 */
export class HashWorker {
  #started?: Started;
  #nextId = 1;
  /** The worker each running hash lives in, by key. */
  readonly #runningIn = new Map<string, Started>();

  /** SHA-256 (hex) of each inclusive byte range `[start, end]` of `file`. */
  sha256OfRanges(
    file: string,
    ranges: Array<[number, number]>,
  ): Promise<string[]> {
    return this.#call({ op: 'ranges', file, ranges }) as Promise<string[]>;
  }

  /** Feeds bytes `start..end` (inclusive) of `file` into running hash `key`. */
  async feed(
    key: string,
    file: string,
    start: number,
    end: number,
  ): Promise<void> {
    await this.#call({ op: 'feed', key, file, start, end }, [], key);
  }

  /**
   * Writes `chunks`, in order, to the open file `fd` from byte `position`
   * on, and feeds exactly the bytes written into running hash `key` (after
   * any earlier feed): a download hashed as it is stored, never read back.
   * A chunk that owns its whole memory is moved to the worker, not copied,
   * and is empty afterwards. The caller keeps `fd` open until this settles.
   */
  async append(
    key: string,
    fd: number,
    position: number,
    chunks: Uint8Array[],
  ): Promise<void> {
    const owned = chunks.map(c =>
      c.byteOffset === 0 &&
      c.byteLength === c.buffer.byteLength &&
      types.isArrayBuffer(c.buffer)
        ? c
        : new Uint8Array(c),
    );
    await this.#call(
      { op: 'append', key, fd, position, chunks: owned },
      owned.map(c => c.buffer as ArrayBuffer),
      key,
    );
  }

  /** The SHA-256 (hex) of everything fed into `key`; forgets it. */
  async digest(key: string): Promise<string> {
    try {
      return (await this.#call({ op: 'digest', key }, [], key)) as string;
    } finally {
      this.#runningIn.delete(key);
    }
  }

  /** Forgets running hash `key` without reading it. */
  async drop(key: string): Promise<void> {
    const holder = this.#runningIn.get(key);
    this.#runningIn.delete(key);
    if (holder && holder === this.#started) {
      await this.#call({ op: 'drop', key });
    }
  }

  /** Stops the worker (pending requests fail). */
  async close(): Promise<void> {
    const started = this.#started;
    this.#started = undefined;
    if (started) await started.worker.terminate();
  }

  /**
   * Sends one request; with `key`, a request on that running hash, which
   * must live in the current worker (or be new: it then starts there).
   */
  #call(
    message: Record<string, unknown>,
    transfer: ArrayBuffer[] = [],
    key?: string,
  ): Promise<unknown> {
    const started = this.#start();
    if (key !== undefined) {
      const holder = this.#runningIn.get(key);
      if (holder && holder !== started) {
        this.#runningIn.delete(key);
        return Promise.reject(
          new Error(
            `running hash ${key} was lost when its hash worker stopped; hash the bytes again`,
          ),
        );
      }
      if (message.op !== 'digest') this.#runningIn.set(key, started);
    }
    const { worker, pending } = started;
    const id = this.#nextId++;
    return new Promise((resolve, reject) => {
      pending.set(id, { resolve, reject });
      worker.ref();
      worker.postMessage({ ...message, id }, transfer);
    });
  }

  #start(): Started {
    if (this.#started) return this.#started;
    const worker = new Worker(WORKER_SOURCE, { eval: true });
    const started: Started = { worker, pending: new Map() };
    const { pending } = started;
    worker.unref();
    worker.on(
      'message',
      (m: { id: number; result?: unknown; error?: string }) => {
        const call = pending.get(m.id);
        pending.delete(m.id);
        if (pending.size === 0) worker.unref();
        if (!call) return;
        if (m.error !== undefined) call.reject(new Error(m.error));
        else call.resolve(m.result);
      },
    );
    const fail = (error: Error) => {
      if (this.#started === started) this.#started = undefined;
      const calls = [...pending.values()];
      pending.clear();
      calls.forEach(c => c.reject(error));
    };
    worker.on('error', fail);
    worker.on('exit', code => fail(new Error(`hash worker exited (${code})`)));
    this.#started = started;
    return started;
  }
}
