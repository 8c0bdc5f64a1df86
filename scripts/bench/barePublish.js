#!/usr/bin/env node
/*
 * The least a publish with #16's checks costs on this machine: a reference
 * row for `npm run bench:transfer`, beside the floor (`openssl dgst` + `cp`).
 *
 * A bare client and a bare `node:http` server, each its own process, do only
 * what any publish that keeps the issue's guarantees must do, and nothing a
 * hub adds (authentication, the database, staging and rename, the scan):
 * - the client hashes the whole file (SHA-256, the dedupe key) and, on a
 *   second thread at the same time, each part, as the CLI does; then sends
 *   the parts in order over one keep-alive connection;
 * - the server writes each part at its offset and hashes every byte twice,
 *   as it arrives: the part's SHA-256 on its own thread (refused on a
 *   mismatch, "each part hashed") and the whole file's on a worker thread
 *   (the content address the hub seals);
 * - the client compares the server's whole-file SHA-256 with its own.
 *
 * `barePublish.js run <file> <out> <partBytes> <check>` runs both and ends
 * when the server has written and answered; `timeBarePublish` (for
 * transfer.js) times that in a child process. <check> is how each part is
 * checked (PART_CHECKS): 'sha256' as #16 asks; 'crc32' and 'none' show what
 * the checks themselves cost.
 */
'use strict';

const crypto = require('node:crypto');
const fs = require('node:fs');
const http = require('node:http');
const { spawn } = require('node:child_process');
const {
  Worker,
  isMainThread,
  parentPort,
  workerData,
} = require('node:worker_threads');
const zlib = require('node:zlib');

const CHUNK = 1024 * 1024;

/**
 * How each part is checked: 'sha256' is what #16 asks ("each part hashed",
 * the SHA-256 the hub compares); 'crc32' a cheap checksum instead (S3's
 * default part checksum); 'none' no part check at all. The whole file's
 * SHA-256 is computed on both sides in every case.
 */
const PART_CHECKS = ['sha256', 'crc32', 'none'];

/** A running check of one part: update(chunk), then digest() (hex). */
function partCheck(kind) {
  if (kind === 'sha256') return crypto.createHash('sha256');
  if (kind === 'crc32') {
    let crc = 0;
    return {
      update: chunk => (crc = zlib.crc32(chunk, crc)),
      digest: () => crc.toString(16),
    };
  }
  return { update: () => {}, digest: () => '-' };
}

/**
 * The whole file's SHA-256 on a worker thread, fed copies of the chunks in
 * order (the server's own thread hashes each part), as the hub splits them.
 */
function wholeFileHasher() {
  const worker = new Worker(
    `const { parentPort } = require('node:worker_threads');
    const hash = require('node:crypto').createHash('sha256');
    parentPort.on('message', m => {
      if (m === 'digest') parentPort.postMessage(hash.digest('hex'));
      else for (const chunk of m) hash.update(chunk);
    });`,
    { eval: true },
  );
  let pending = [];
  let pendingBytes = 0;
  const send = () => {
    if (pending.length === 0) return;
    worker.postMessage(pending); // copied: the chunks are still written
    pending = [];
    pendingBytes = 0;
  };
  return {
    update(chunk) {
      pending.push(chunk);
      pendingBytes += chunk.length;
      if (pendingBytes >= CHUNK) send();
    },
    digest() {
      send();
      worker.postMessage('digest');
      return new Promise(resolve => worker.once('message', resolve));
    },
  };
}

/** Bare server: prints its port; exits after answering GET (the digest). */
function serve(out, kind) {
  const fd = fs.openSync(out, 'w');
  const whole = wholeFileHasher();
  const server = http.createServer(async (req, res) => {
    if (req.method === 'GET') {
      res.end(await whole.digest(), () => {
        fs.closeSync(fd);
        server.close();
        process.exit(0);
      });
      return;
    }
    const url = new URL(req.url, 'http://bare');
    let position = Number(url.searchParams.get('offset'));
    const part = partCheck(kind);
    let writing = 0;
    let ended = false;
    let batch = [];
    let batched = 0;
    const answer = () => {
      if (!ended || writing > 0) return;
      const ok = part.digest('hex') === url.searchParams.get('check');
      res.statusCode = ok ? 200 : 400;
      res.end();
    };
    // Chunks are written in batches of about 1 MiB (one writev each).
    const flush = () => {
      if (batched === 0) return;
      const chunks = batch;
      const at = position;
      position += batched;
      batch = [];
      batched = 0;
      writing += 1;
      if (writing > 4) req.pause();
      fs.writev(fd, chunks, at, error => {
        if (error) throw error;
        writing -= 1;
        if (writing <= 2) req.resume();
        answer();
      });
    };
    req.on('data', chunk => {
      whole.update(chunk);
      part.update(chunk);
      batch.push(chunk);
      batched += chunk.length;
      if (batched >= CHUNK) flush();
    });
    req.on('end', () => {
      flush();
      ended = true;
      answer();
    });
  });
  server.listen(0, '127.0.0.1', () => {
    process.stdout.write(`${server.address().port}\n`);
  });
}

/** Each part's check (hex), computed on a worker thread (partsWorker). */
function partChecks(file, partSize, size, kind) {
  if (kind === 'none') return Promise.resolve([]);
  return new Promise((resolve, reject) => {
    const worker = new Worker(__filename, {
      workerData: { file, partSize, size, kind },
    });
    worker.once('message', resolve);
    worker.once('error', reject);
  });
}

/** The worker of {@link partChecks}. */
function partsWorker({ file, partSize, size, kind }) {
  const fd = fs.openSync(file, 'r');
  const buf = Buffer.allocUnsafe(CHUNK);
  const out = [];
  for (let start = 0; start < size; start += partSize) {
    const check = partCheck(kind);
    const end = Math.min(size, start + partSize);
    for (let p = start; p < end; ) {
      const n = fs.readSync(fd, buf, 0, Math.min(buf.length, end - p), p);
      check.update(buf.subarray(0, n));
      p += n;
    }
    out.push(check.digest('hex'));
  }
  fs.closeSync(fd);
  return out;
}

/** Writes bytes start..end-1 of `file` to `req` through one reused buffer. */
async function sendRange(req, file, start, end) {
  const handle = await fs.promises.open(file, 'r');
  try {
    const buf = Buffer.allocUnsafe(CHUNK);
    for (let p = start; p < end; ) {
      const { bytesRead } = await handle.read(
        buf,
        0,
        Math.min(buf.length, end - p),
        p,
      );
      p += bytesRead;
      // The buffer is reused: wait until this write has been handed over.
      await new Promise((resolve, reject) =>
        req.write(buf.subarray(0, bytesRead), e => (e ? reject(e) : resolve())),
      );
    }
    req.end();
  } finally {
    await handle.close();
  }
}

/** Bare client: hashes, sends the parts, checks the server's digest. */
async function send(file, port, partSize, kind) {
  const { size } = fs.statSync(file);
  const parts = partChecks(file, partSize, size, kind);
  const whole = crypto.createHash('sha256');
  const fd = fs.openSync(file, 'r');
  const buf = Buffer.allocUnsafe(CHUNK);
  for (let p = 0; p < size; ) {
    const n = fs.readSync(fd, buf, 0, buf.length, p);
    whole.update(buf.subarray(0, n));
    p += n;
  }
  fs.closeSync(fd);
  const sha256 = whole.digest('hex');
  const sums = await parts;
  const agent = new http.Agent({ keepAlive: true });
  for (let i = 0; i * partSize < size; i++) {
    const start = i * partSize;
    const end = Math.min(size, start + partSize);
    await new Promise((resolve, reject) => {
      const req = http.request(
        {
          host: '127.0.0.1',
          port,
          agent,
          method: 'PUT',
          path: `/part?offset=${start}&check=${sums[i] ?? '-'}`,
          headers: { 'content-length': end - start },
        },
        res => {
          res.resume();
          res.on('end', () =>
            res.statusCode === 200
              ? resolve()
              : reject(new Error(`part ${i + 1}: ${res.statusCode}`)),
          );
        },
      );
      req.on('error', reject);
      sendRange(req, file, start, end).catch(reject);
    });
  }
  const digest = await new Promise((resolve, reject) => {
    http
      .get({ host: '127.0.0.1', port, agent, path: '/digest' }, res => {
        let text = '';
        res.on('data', d => (text += d));
        res.on('end', () => resolve(text));
      })
      .on('error', reject);
  });
  agent.destroy();
  if (digest !== sha256) throw new Error('bare publish: digests differ');
}

/** Runs a bare server and client; resolves once both have finished. */
async function run(file, out, partSize, kind) {
  const server = spawn(process.execPath, [__filename, 'serve', out, kind], {
    stdio: ['ignore', 'pipe', 'inherit'],
  });
  const exited = new Promise((resolve, reject) =>
    server.once('exit', code =>
      code === 0 ? resolve() : reject(new Error(`bare server: exit ${code}`)),
    ),
  );
  const port = await new Promise(resolve =>
    server.stdout.once('data', d => resolve(Number(String(d).trim()))),
  );
  try {
    await send(file, port, partSize, kind);
  } catch (error) {
    server.kill();
    throw error;
  }
  await exited;
}

/**
 * Times one bare publish of `file` (parts of `partSize` bytes, each checked
 * as `partCheck` says) in a child process, written to `out`: { ms, cpuMs }
 * with cpuMs the client's and the server's CPU time (from /usr/bin/time).
 */
function timeBarePublish(file, out, partSize, kind = 'sha256') {
  if (!PART_CHECKS.includes(kind))
    throw new Error(`unknown part check ${kind}`);
  const { runTimed } = require('./lib');
  return runTimed(process.execPath, [
    __filename,
    'run',
    file,
    out,
    String(partSize),
    kind,
  ]).then(res => {
    if (res.code !== 0) throw new Error(`bare publish failed: ${res.stderr}`);
    return res;
  });
}

if (!isMainThread) {
  parentPort.postMessage(partsWorker(workerData));
} else if (require.main === module) {
  const [mode, ...args] = process.argv.slice(2);
  const main =
    mode === 'serve'
      ? async () => serve(args[0], args[1])
      : mode === 'run'
      ? () => run(args[0], args[1], Number(args[2]), args[3])
      : async () => {
          throw new Error(
            'usage: barePublish.js run <file> <out> <partBytes> sha256|crc32|none',
          );
        };
  main().catch(error => {
    console.error(`barePublish: ${error.message}`);
    process.exit(1);
  });
}

module.exports = { timeBarePublish, PART_CHECKS };
