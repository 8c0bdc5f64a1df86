#!/usr/bin/env node
/*
 * Benchmark: `model-hub scan --json` (whole process) against
 * `openssl dgst -sha256` on a ~1 GiB benign PyTorch-style zip checkpoint.
 *
 *   npm run bench:scan            (BENCH_SIZE_MB=1024 BENCH_ROUNDS=5 by default)
 *   npm run bench:scan -- --strict   exit 1 when a goal is missed
 *   npm run bench:scan -- --pickle-only   only the pickle-heavy case
 *
 * Second case (pickleHeavy.js): a ~256 MiB protocol-4 pickle of millions of
 * small objects (BENCH_PICKLE_MB, BENCH_PICKLE_ROUNDS=3), scanned against
 * `python3` walking the same file with `pickletools.genops`, alternating.
 * Goals: median scan <= 0.5 x the Python walk; peak RSS <= 256 MB.
 *
 * The checkpoint is generated once into os.tmpdir() and reused while its size
 * matches. Runs alternate (scan, openssl, scan, openssl, ...) after one warm-up
 * of each, so page-cache state and CPU contention hit both alike. Peak RSS of
 * the scan process comes from /usr/bin/time (or /proc/PID/status VmHWM).
 * Goals: median scan wall time <= 1.3 x openssl; peak RSS <= 256 MB.
 */
'use strict';

const crypto = require('node:crypto');
const fs = require('node:fs');
const os = require('node:os');
const path = require('node:path');
const { runTimed, median } = require('./lib');
const { generatePickle, PYTHON_WALK } = require('./pickleHeavy');
const zlib = require('node:zlib');

const ROOT = path.resolve(__dirname, '../..');
const CLI = path.join(ROOT, 'packages/cli/bin/model-hub');
const SIZE_MB = Number(process.env.BENCH_SIZE_MB || 1024);
const ROUNDS = Number(process.env.BENCH_ROUNDS || 5);
const STRICT = process.argv.includes('--strict');
const PICKLE_ONLY = process.argv.includes('--pickle-only');
const PICKLE_MB = Number(process.env.BENCH_PICKLE_MB || 256);
const PICKLE_ROUNDS = Math.max(3, Number(process.env.BENCH_PICKLE_ROUNDS || 3));
const BLOB = 64 * 1024 * 1024;

// ------------------------------------------------------------ checkpoint
/** A protocol 2 pickle of an OrderedDict of tensors, laid out like torch.save. */
function dataPkl(tensors) {
  const parts = [];
  const op = (...bytes) => parts.push(Buffer.from(bytes));
  const str = s => {
    const b = Buffer.from(s, 'utf8');
    const len = Buffer.alloc(4);
    len.writeUInt32LE(b.length);
    parts.push(Buffer.from('X'), len, b);
  };
  const int = n => {
    const b = Buffer.alloc(5);
    b[0] = 0x4a; // BININT
    b.writeInt32LE(n, 1);
    parts.push(b);
  };
  const global = (m, n) => parts.push(Buffer.from(`c${m}\n${n}\n`));
  op(0x80, 2);
  global('collections', 'OrderedDict');
  op(0x29, 0x52); // EMPTY_TUPLE REDUCE
  op(0x28); // MARK
  tensors.forEach(({ key, numel }, i) => {
    str(key);
    global('torch._utils', '_rebuild_tensor_v2');
    op(0x28); // MARK (args)
    op(0x28);
    str('storage');
    global('torch', 'FloatStorage');
    str(String(i));
    str('cpu');
    int(numel);
    op(0x74, 0x51); // TUPLE BINPERSID
    op(0x4b, 0); // offset 0
    op(0x28);
    int(numel);
    op(0x74); // size
    op(0x28, 0x4b, 1, 0x74); // stride (1,)
    op(0x89); // requires_grad False
    global('collections', 'OrderedDict');
    op(0x29, 0x52);
    op(0x74, 0x52); // TUPLE REDUCE
  });
  op(0x75, 0x2e); // SETITEMS STOP
  return Buffer.concat(parts);
}

function localHeader(name, size, crc) {
  const n = Buffer.from(name);
  const h = Buffer.alloc(30);
  h.writeUInt32LE(0x04034b50, 0);
  h.writeUInt16LE(20, 4);
  h.writeUInt32LE(crc >>> 0, 14);
  h.writeUInt32LE(size, 18);
  h.writeUInt32LE(size, 22);
  h.writeUInt16LE(n.length, 26);
  return Buffer.concat([h, n]);
}

function centralHeader(name, size, crc, offset) {
  const n = Buffer.from(name);
  const h = Buffer.alloc(46);
  h.writeUInt32LE(0x02014b50, 0);
  h.writeUInt16LE(20, 4);
  h.writeUInt16LE(20, 6);
  h.writeUInt32LE(crc >>> 0, 16);
  h.writeUInt32LE(size, 20);
  h.writeUInt32LE(size, 24);
  h.writeUInt16LE(n.length, 28);
  h.writeUInt32LE(offset, 42);
  return Buffer.concat([h, n]);
}

function generate(file) {
  const blobs = Math.max(1, Math.round((SIZE_MB * 1024 * 1024) / BLOB));
  const tensors = Array.from({ length: blobs }, (_, i) => ({
    key: `layers.${i}.weight`,
    numel: BLOB / 4,
  }));
  const tmp = `${file}.tmp`;
  const fd = fs.openSync(tmp, 'w');
  let offset = 0;
  const central = [];
  const add = (name, chunks) => {
    const size = chunks.reduce((a, c) => a + c.length, 0);
    const crc = chunks.reduce((c, chunk) => zlib.crc32(chunk, c), 0);
    const header = localHeader(name, size, crc);
    central.push(centralHeader(name, size, crc, offset));
    fs.writeSync(fd, header);
    for (const c of chunks) fs.writeSync(fd, c);
    offset += header.length + size;
  };
  add('archive/data.pkl', [dataPkl(tensors)]);
  add('archive/byteorder', [Buffer.from('little')]);
  const seed = crypto.randomBytes(4 * 1024 * 1024);
  for (let i = 0; i < blobs; i++) {
    const chunks = [];
    for (let j = 0; j < BLOB / seed.length; j++) {
      const c = Buffer.from(seed);
      c.writeUInt32LE(i * 1000 + j, 0); // no two chunks alike
      chunks.push(c);
    }
    add(`archive/data/${i}`, chunks);
  }
  add('archive/version', [Buffer.from('3\n')]);
  const cd = Buffer.concat(central);
  const eocd = Buffer.alloc(22);
  eocd.writeUInt32LE(0x06054b50, 0);
  eocd.writeUInt16LE(central.length, 8);
  eocd.writeUInt16LE(central.length, 10);
  eocd.writeUInt32LE(cd.length, 12);
  eocd.writeUInt32LE(offset, 16);
  fs.writeSync(fd, cd);
  fs.writeSync(fd, eocd);
  fs.closeSync(fd);
  fs.renameSync(tmp, file);
}

function expectedSize() {
  const blobs = Math.max(1, Math.round((SIZE_MB * 1024 * 1024) / BLOB));
  return blobs * BLOB;
}

// ---------------------------------------------------------------- timing

async function main() {
  const file = path.join(os.tmpdir(), `model-hub-bench-${SIZE_MB}mb.pt`);
  const want = expectedSize();
  const have = fs.existsSync(file) ? fs.statSync(file).size : -1;
  if (have < want || have > want + 1024 * 1024) {
    process.stdout.write(`generating ${file} (${SIZE_MB} MiB)... `);
    const t = Date.now();
    generate(file);
    console.log(`${((Date.now() - t) / 1000).toFixed(1)} s`);
  } else {
    console.log(`reusing ${file}`);
  }
  const size = fs.statSync(file).size;
  console.log(
    `checkpoint: ${(size / 2 ** 20).toFixed(0)} MiB, ${
      os.cpus().length
    } CPUs, node ${process.version}`,
  );

  const scan = () => runTimed(process.execPath, [CLI, 'scan', '--json', file]);
  const openssl = () => runTimed('openssl', ['dgst', '-sha256', file]);

  // Warm-up (page cache, transpile cache) and correctness check.
  const first = await scan();
  const ref = await openssl();
  if (first.code !== 0) {
    throw new Error(
      `scan exited ${first.code}: ${
        first.stderr || first.stdout.slice(0, 2000)
      }`,
    );
  }
  const doc = JSON.parse(first.stdout);
  const digest = /([0-9a-f]{64})\s*$/.exec(ref.stdout.trim())[1];
  if (doc.files[0].sha256 !== digest)
    throw new Error('scan and openssl disagree on the SHA-256');
  console.log(
    `verdict ${doc.files[0].verdict} (${doc.files[0].format}), sha256 ${digest} matches openssl`,
  );

  const scanTimes = [];
  const sslTimes = [];
  let peakRss = first.rssMb;
  for (let i = 0; i < ROUNDS; i++) {
    const s = await scan();
    const o = await openssl();
    if (s.code !== 0 || o.code !== 0) throw new Error(`round ${i + 1} failed`);
    scanTimes.push(s.ms);
    sslTimes.push(o.ms);
    peakRss = Math.max(peakRss, s.rssMb);
    console.log(
      `round ${i + 1}: scan ${s.ms.toFixed(0)} ms (rss ${s.rssMb.toFixed(
        0,
      )} MB)   openssl ${o.ms.toFixed(0)} ms`,
    );
  }
  const ms = median(scanTimes);
  const mo = median(sslTimes);
  const ratio = ms / mo;
  const okTime = ratio <= 1.3;
  const okRss = peakRss <= 256;
  console.log('');
  console.log(
    `median model-hub scan : ${ms.toFixed(0)} ms (${(
      size /
      2 ** 20 /
      (ms / 1000)
    ).toFixed(0)} MiB/s)`,
  );
  console.log(`median openssl sha256 : ${mo.toFixed(0)} ms`);
  console.log(
    `ratio scan / openssl  : ${ratio.toFixed(2)}  (goal <= 1.30) ${
      okTime ? 'PASS' : 'MISS'
    }`,
  );
  console.log(
    `peak RSS of the scan  : ${peakRss.toFixed(0)} MB  (goal <= 256 MB) ${
      okRss ? 'PASS' : 'MISS'
    }`,
  );
  if (STRICT && !(okTime && okRss)) process.exitCode = 1;
}

async function pickleCase() {
  const file = path.join(os.tmpdir(), `model-hub-bench-${PICKLE_MB}mb.pkl`);
  if (
    !fs.existsSync(file) ||
    Math.abs(fs.statSync(file).size - PICKLE_MB * 2 ** 20) > 2 ** 20
  ) {
    process.stdout.write(`generating ${file} (${PICKLE_MB} MiB)... `);
    const t = Date.now();
    const items = generatePickle(file, PICKLE_MB);
    console.log(`${items} objects, ${((Date.now() - t) / 1000).toFixed(1)} s`);
  } else {
    console.log(`reusing ${file}`);
  }
  const size = fs.statSync(file).size;
  const scan = () => runTimed(process.execPath, [CLI, 'scan', '--json', file]);
  const walk = () => runTimed('python3', ['-c', PYTHON_WALK, file]);

  const first = await scan();
  if (first.code !== 0)
    throw new Error(`scan exited ${first.code}: ${first.stderr}`);
  const doc = JSON.parse(first.stdout);
  const ref = await walk();
  if (ref.code !== 0)
    throw new Error(`python3 exited ${ref.code}: ${ref.stderr}`);
  console.log(
    `pickle: ${(size / 2 ** 20).toFixed(
      0,
    )} MiB, ${ref.stdout.trim()} opcodes, verdict ${doc.files[0].verdict} (${
      doc.files[0].format
    })`,
  );
  if (doc.files[0].verdict !== 'safe')
    throw new Error(`the benign pickle scanned ${doc.files[0].verdict}`);
  const scanTimes = [];
  const pyTimes = [];
  let peakRss = first.rssMb;
  for (let i = 0; i < PICKLE_ROUNDS; i++) {
    const s = await scan();
    const p = await walk();
    if (s.code !== 0 || p.code !== 0) throw new Error(`round ${i + 1} failed`);
    scanTimes.push(s.ms);
    pyTimes.push(p.ms);
    peakRss = Math.max(peakRss, s.rssMb);
    console.log(
      `round ${i + 1}: scan ${s.ms.toFixed(0)} ms (rss ${s.rssMb.toFixed(
        0,
      )} MB)   python genops ${p.ms.toFixed(0)} ms`,
    );
  }
  const ms = median(scanTimes);
  const mp = median(pyTimes);
  const ratio = ms / mp;
  const okTime = ratio <= 0.5;
  const okRss = peakRss <= 256;
  console.log('');
  console.log(`median model-hub scan        : ${ms.toFixed(0)} ms`);
  console.log(`median python pickletools walk: ${mp.toFixed(0)} ms`);
  console.log(
    `ratio scan / python walk     : ${ratio.toFixed(2)}  (goal <= 0.50) ${
      okTime ? 'PASS' : 'MISS'
    }`,
  );
  console.log(
    `peak RSS of the scan         : ${peakRss.toFixed(
      0,
    )} MB  (goal <= 256 MB) ${okRss ? 'PASS' : 'MISS'}`,
  );
  if (STRICT && !(okTime && okRss)) process.exitCode = 1;
}

async function all() {
  if (!PICKLE_ONLY) {
    await main();
    console.log('');
  }
  await pickleCase();
}

all().catch(e => {
  console.error(e);
  process.exitCode = 2;
});
