#!/usr/bin/env node
/*
 * `npm run bench:transfer`: how close `model-hub publish` and `model-hub pull`
 * come to the machine's floor on one large checkpoint, in one run.
 *
 * - Starts the portal (e2e/portal.js, upload limit raised to fit the file), or
 *   uses a running one: MODEL_HUB_URL + MODEL_HUB_TOKEN (a token that may
 *   publish to BENCH_MODEL, default model:default/vision-defect-detector).
 * - Generates a checkpoint of BENCH_SIZE (default 1G; K/M/G suffixes): a valid
 *   safetensors file of random bytes, or, past 2 GiB or with BENCH_SPARSE=1,
 *   a sparse one (random header, then a hole). Every publish gets fresh
 *   content (random bytes at the start of the tensor data), so the hub's
 *   dedupe never turns a timed upload into a no-op.
 * - Times, BENCH_RUNS times (default 3), `model-hub publish` against the floor
 *   `openssl dgst -sha256` + `cp` of the same file, and `model-hub pull`
 *   against `curl` of the same file route; records each CLI's peak RSS.
 * - Reference rows: a bare client and server doing only the hashing and
 *   copying any publish with the same checks must do (barePublish.js), timed
 *   in each run, so the publish's ratio can be read against what the machine
 *   allows as well as against the floor; and the same bare pipeline with a
 *   CRC32 per part instead of a SHA-256, and with no part check, to show
 *   what the checks themselves cost here.
 * - Resume: publishes through a byte-counting TCP proxy, kills the CLI
 *   (SIGKILL) once half the file has been sent, runs the same command again,
 *   and reports every byte the client sent over both runs against the size.
 * Before each timed step, a scratch file as large as the checkpoint (at
 * most 2 GiB) is written and deleted (primePages; BENCH_PRIME=0 skips it),
 * so every step writes into page-cache memory in the same state.
 * Prints medians and ratios in one table, and the goals each meets; then,
 * when it started the portal itself, the CPU seconds of each step (client
 * plus the portal's processes, from /proc), which a loaded machine disturbs
 * far less than wall time.
 */
'use strict';

const { spawn } = require('node:child_process');
const crypto = require('node:crypto');
const fs = require('node:fs');
const net = require('node:net');
const os = require('node:os');
const path = require('node:path');
const { runTimed, median, groupCpuMs } = require('./lib');
const { timeBarePublish } = require('./barePublish');

/** The bare pipelines timed in each run: row key, part check, label. */
const BARE = [
  ['bare', 'sha256', 'bare publish, #16 checks'],
  ['bareCrc32', 'crc32', 'bare, CRC32 part checks'],
  ['bareNone', 'none', 'bare, no part checks'],
];

require('@backstage/cli/config/nodeTransform.cjs');
// The CLI's own part size rule, so the bare pipeline sends the same parts.
const {
  choosePartSize,
} = require('../../plugins/model-hub-node/src/transfer/partSize.ts');
const { ROOT, startPortal, waitForEntity } = require('../../e2e/portal');

const CLI = path.join(ROOT, 'packages/cli/bin/model-hub');
const GiB = 1024 ** 3;
const GOALS = { publish: 2.0, pull: 1.5, rssMb: 256, resume: 1.1 };

function parseSize(text) {
  const m = /^(\d+(?:\.\d+)?)\s*([KMG]?)i?B?$/i.exec(text.trim());
  if (!m) throw new Error(`BENCH_SIZE: cannot read '${text}', e.g. 1G, 512M`);
  const unit = { '': 1, K: 1024, M: 1024 ** 2, G: GiB }[m[2].toUpperCase()];
  return Math.round(Number(m[1]) * unit);
}

/**
 * Writes a safetensors file of exactly `size` bytes: one U8 tensor filling
 * the rest. Returns the offset of the tensor data.
 */
function writeCheckpoint(file, size, sparse) {
  let header;
  for (let n = size; ; ) {
    const json = JSON.stringify({
      __metadata__: { format: 'pt' },
      weights: { dtype: 'U8', shape: [n], data_offsets: [0, n] },
    });
    const padded = json.padEnd(Math.ceil(json.length / 8) * 8, ' ');
    const next = size - 8 - padded.length;
    if (next === n) {
      header = padded;
      break;
    }
    n = next;
  }
  const fd = fs.openSync(file, 'w');
  try {
    const len = Buffer.alloc(8);
    len.writeBigUInt64LE(BigInt(header.length));
    fs.writeSync(fd, len, 0, 8, 0);
    fs.writeSync(fd, Buffer.from(header), 0, header.length, 8);
    const dataStart = 8 + header.length;
    const chunk = Buffer.allocUnsafe(8 * 1024 * 1024);
    const randomEnd = sparse ? Math.min(size, dataStart + chunk.length) : size;
    for (let pos = dataStart; pos < randomEnd; pos += chunk.length) {
      const n = Math.min(chunk.length, randomEnd - pos);
      crypto.randomFillSync(chunk, 0, n);
      fs.writeSync(fd, chunk, 0, n, pos);
    }
    fs.ftruncateSync(fd, size);
    return dataStart;
  } finally {
    fs.closeSync(fd);
  }
}

/**
 * Writes `bytes` of zeros to a scratch file in `dir` and deletes it, so the
 * next step writes into page-cache memory just freed. On this VM kind a
 * page the guest has not touched lately costs a fault on the host: `dd` of
 * 1 GiB took 0.19 s into freed pages and 0.85-1.55 s into fresh ones, and
 * `cp` of the checkpoint 0.27 s or 2.6 s. Which step got freed pages then
 * depended on the order of the steps (a deleted copy served the next
 * writer), so every timed step is primed alike.
 */
function primePages(dir, bytes) {
  const scratch = path.join(dir, 'prime');
  const zeros = Buffer.alloc(8 * 1024 * 1024);
  const fd = fs.openSync(scratch, 'w');
  try {
    for (let done = 0; done < bytes; done += zeros.length) {
      fs.writeSync(fd, zeros, 0, Math.min(zeros.length, bytes - done));
    }
  } finally {
    fs.closeSync(fd);
    fs.rmSync(scratch);
  }
}

/** Gives the file new content (and so a new SHA-256) at no cost. */
function freshContent(file, dataStart) {
  const fd = fs.openSync(file, 'r+');
  fs.writeSync(fd, crypto.randomBytes(32), 0, 32, dataStart);
  fs.closeSync(fd);
}

/** A TCP proxy to the portal that counts the bytes clients send through it. */
function countingProxy(target, onSent) {
  let sent = 0;
  const sockets = new Set();
  const server = net.createServer(client => {
    const upstream = net.connect(Number(target.port), target.hostname);
    for (const s of [client, upstream]) {
      sockets.add(s);
      s.on('error', () => {});
      s.on('close', () => {
        sockets.delete(s);
        client.destroy();
        upstream.destroy();
      });
    }
    client.on('data', d => {
      sent += d.length;
      onSent(sent);
    });
    client.pipe(upstream);
    upstream.pipe(client);
  });
  return new Promise(resolve =>
    server.listen(0, '127.0.0.1', () =>
      resolve({
        url: `http://127.0.0.1:${server.address().port}`,
        sent: () => sent,
        close: () =>
          new Promise(r => {
            sockets.forEach(s => s.destroy());
            server.close(r);
          }),
      }),
    ),
  );
}

function must(res, what) {
  if (res.code !== 0) {
    throw new Error(`${what} failed (exit ${res.code}):\n${res.stderr}`);
  }
  return res;
}

const sec = ms => (ms / 1000).toFixed(2);

async function main() {
  const size = parseSize(process.env.BENCH_SIZE ?? '1G');
  const runs = Number(process.env.BENCH_RUNS ?? 3);
  const sparse = process.env.BENCH_SPARSE === '1' || size > 2 * GiB;
  const model =
    process.env.BENCH_MODEL ?? 'model:default/vision-defect-detector';
  const [, namespace, name] = /^model:([^/]+)\/(.+)$/.exec(model) ?? [];
  if (!name) throw new Error(`BENCH_MODEL must look like model:default/name`);

  let portal;
  let baseUrl = process.env.MODEL_HUB_URL;
  let token = process.env.MODEL_HUB_TOKEN;
  if (baseUrl) {
    if (!token) throw new Error('MODEL_HUB_URL needs MODEL_HUB_TOKEN too');
  } else {
    console.log('[bench] starting the portal…');
    portal = await startPortal({ maxUploadBytes: size + GiB });
    ({ baseUrl, token } = portal);
    await waitForEntity(portal, model);
  }
  const work = fs.mkdtempSync(
    path.join(process.env.BENCH_DIR ?? os.tmpdir(), 'model-hub-bench-'),
  );
  const stamp = Math.floor(Date.now() / 1000) % 1000000;
  const cliEnv = { MODEL_HUB_TOKEN: token };
  const cli = (args, portalUrl = baseUrl) =>
    runTimed(
      process.execPath,
      [CLI, ...args, '--portal', portalUrl, '--json'],
      { env: cliEnv },
    );
  const fileRoute = version =>
    `${baseUrl}/api/model-hub/v1/models/${namespace}/${name}/versions/${version}/files/model.safetensors`;

  try {
    const src = path.join(work, 'checkpoint');
    fs.mkdirSync(src);
    const file = path.join(src, 'model.safetensors');
    console.log(
      `[bench] writing a ${(size / GiB).toFixed(2)} GiB ${
        sparse ? 'sparse ' : ''
      }checkpoint in ${work}…`,
    );
    const dataStart = writeCheckpoint(file, size, sparse);
    const partSize = choosePartSize(size, 4); // the CLI's default --parallel
    await runTimed(process.execPath, [CLI, '--help']); // warm the CLI's transpile cache

    const rows = { floor: [], publish: [], curl: [], pull: [] };
    for (const [key] of BARE) rows[key] = [];
    const rss = { publish: [], pull: [] };
    // CPU ms of each step: the client's, and the portal's meanwhile.
    const cpu = Object.fromEntries(Object.keys(rows).map(k => [k, []]));
    const hubCpu = Object.fromEntries(Object.keys(rows).map(k => [k, []]));
    const hubNow = () => (portal ? groupCpuMs(portal.pid) : NaN);
    // BENCH_PRIME=0 leaves the page cache as the previous step left it.
    const prime = process.env.BENCH_PRIME !== '0';
    const step = async (key, run) => {
      if (prime) primePages(work, Math.min(size, 2 * GiB));
      const before = hubNow();
      const res = await run();
      hubCpu[key].push(hubNow() - before);
      cpu[key].push(res.cpuMs);
      return res;
    };
    for (let i = 0; i < runs; i++) {
      const version = `${stamp}.${i}.0`;
      freshContent(file, dataStart);
      const floor = await step('floor', async () => {
        const hash = must(
          await runTimed('openssl', ['dgst', '-sha256', file]),
          'openssl',
        );
        const copy = must(
          await runTimed('cp', [file, path.join(work, 'copy')]),
          'cp',
        );
        return { ms: hash.ms + copy.ms, cpuMs: hash.cpuMs + copy.cpuMs };
      });
      fs.rmSync(path.join(work, 'copy'));
      rows.floor.push(floor.ms);
      // The least a publish with the same checks costs here (barePublish.js).
      for (const [key, check] of BARE) {
        const bare = await step(key, () =>
          timeBarePublish(file, path.join(work, 'bare'), partSize, check),
        );
        fs.rmSync(path.join(work, 'bare'));
        rows[key].push(bare.ms);
      }
      const pub = must(
        await step('publish', () =>
          cli(['publish', src, '--model', model, '--version', version]),
        ),
        'model-hub publish',
      );
      rows.publish.push(pub.ms);
      rss.publish.push(pub.rssMb);

      const curled = path.join(work, 'curl.bin');
      const curl = must(
        await step('curl', () =>
          runTimed('curl', [
            '-sSf',
            '-o',
            curled,
            '-H',
            `authorization: Bearer ${token}`,
            fileRoute(version),
          ]),
        ),
        'curl',
      );
      if (fs.statSync(curled).size !== size) throw new Error('curl: short');
      fs.rmSync(curled);
      rows.curl.push(curl.ms);
      const out = path.join(work, 'pulled');
      const pulled = must(
        await step('pull', () =>
          cli(['pull', `${model}@${version}`, '-o', out]),
        ),
        'model-hub pull',
      );
      fs.rmSync(out, { recursive: true });
      rows.pull.push(pulled.ms);
      rss.pull.push(pulled.rssMb);
      console.log(
        `[bench] run ${i + 1}/${runs}: floor ${sec(
          rows.floor[i],
        )} s, bare ${sec(rows.bare[i])} s, publish ${sec(
          pub.ms,
        )} s (${pub.rssMb.toFixed(0)} MB), curl ${sec(curl.ms)} s, pull ${sec(
          pulled.ms,
        )} s (${pulled.rssMb.toFixed(0)} MB)`,
      );
    }

    // Resume: kill the publishing client once half the file is on the wire.
    freshContent(file, dataStart);
    const resumeVersion = `${stamp}.${runs}.0`;
    let child;
    let killedAt = 0;
    const proxy = await countingProxy(new URL(baseUrl), sent => {
      if (!killedAt && child && sent >= size / 2) {
        killedAt = sent;
        child.kill('SIGKILL');
      }
    });
    const args = [
      CLI,
      'publish',
      src,
      '--model',
      model,
      '--version',
      resumeVersion,
      '--portal',
      proxy.url,
      '--json',
    ];
    child = spawn(process.execPath, args, {
      stdio: 'ignore',
      env: { ...process.env, ...cliEnv },
    });
    const signal = await new Promise(r => child.on('exit', (_c, s) => r(s)));
    if (signal !== 'SIGKILL') {
      throw new Error('the publish to interrupt ended before half was sent');
    }
    const firstRun = proxy.sent();
    const again = must(
      await runTimed(process.execPath, args, { env: cliEnv }),
      'the resumed publish',
    );
    const total = proxy.sent();
    await proxy.close();
    const sealed = JSON.parse(again.stdout.trim().split('\n').pop());
    if (sealed.state !== 'sealed') throw new Error('resume: not sealed');

    const m = Object.fromEntries(
      Object.entries(rows).map(([k, v]) => [k, median(v)]),
    );
    const peak = {
      publish: Math.max(...rss.publish, again.rssMb),
      pull: Math.max(...rss.pull),
    };
    const ratio = {
      publish: m.publish / m.floor,
      pull: m.pull / m.curl,
      resume: total / size,
    };
    const ok = (v, goal) => (v <= goal ? 'met' : 'MISSED');
    const line = cols =>
      cols.map((c, j) => String(c).padEnd([28, 10, 24, 8, 16, 13][j])).join('');
    console.log(
      `\ntransfer benchmark: ${(size / GiB).toFixed(2)} GiB${
        sparse ? ' sparse' : ''
      } checkpoint, ${runs} runs, medians; load ${os
        .loadavg()
        .map(x => x.toFixed(2))
        .join(' ')}; ${os.cpus().length} CPUs`,
    );
    console.log(
      line([
        'step',
        'median s',
        'floor (median s)',
        'ratio',
        'goal',
        'peak RSS MB',
      ]),
    );
    for (const [key, , label] of BARE) {
      console.log(
        line([
          label,
          sec(m[key]),
          `sha256+cp ${sec(m.floor)}`,
          (m[key] / m.floor).toFixed(2),
          'reference',
          '',
        ]),
      );
    }
    console.log(
      line([
        'model-hub publish',
        sec(m.publish),
        `sha256+cp ${sec(m.floor)}`,
        ratio.publish.toFixed(2),
        `≤ ${GOALS.publish} ${ok(ratio.publish, GOALS.publish)}`,
        `${peak.publish.toFixed(0)} ${ok(peak.publish, GOALS.rssMb)}`,
      ]),
    );
    console.log(
      `  (model-hub publish took ${(m.publish / m.bare).toFixed(
        2,
      )}x the bare publish: the hub adds auth, the database, staging and the scan to the same checks)`,
    );
    console.log(
      line([
        'model-hub pull',
        sec(m.pull),
        `curl ${sec(m.curl)}`,
        ratio.pull.toFixed(2),
        `≤ ${GOALS.pull} ${ok(ratio.pull, GOALS.pull)}`,
        `${peak.pull.toFixed(0)} ${ok(peak.pull, GOALS.rssMb)}`,
      ]),
    );
    console.log(
      line([
        'resume after kill at 50 %',
        sec(again.ms),
        `bytes sent ${(total / GiB).toFixed(3)} GiB`,
        ratio.resume.toFixed(3),
        `≤ ${GOALS.resume} ${ok(ratio.resume, GOALS.resume)}`,
        `${again.rssMb.toFixed(0)}`,
      ]),
    );
    console.log(
      `  (killed after ${(firstRun / GiB).toFixed(
        3,
      )} GiB on the wire; the rerun sent ${((total - firstRun) / GiB).toFixed(
        3,
      )} GiB)`,
    );
    if (portal && Number.isFinite(median(cpu.publish))) {
      // Medians of client + portal CPU per step; the portal's includes its
      // background work (catalog processing), shown by the floor row, which
      // transfers nothing.
      const c = Object.fromEntries(
        Object.keys(cpu).map(k => [
          k,
          {
            client: median(cpu[k]),
            hub: median(hubCpu[k]),
            total: median(cpu[k].map((v, j) => v + hubCpu[k][j])),
          },
        ]),
      );
      const cpuLine = cols =>
        cols.map((x, j) => String(x).padEnd([28, 12, 12, 12, 10][j])).join('');
      console.log(
        '\nCPU seconds per step (medians; client, portal meanwhile, sum)',
      );
      console.log(cpuLine(['step', 'client', 'portal', 'sum', 'vs floor']));
      for (const [k, label] of [
        ['floor', 'sha256+cp (floor)'],
        ['bare', BARE[0][2]],
        ['publish', 'model-hub publish'],
        ['curl', 'curl (floor of pull)'],
        ['pull', 'model-hub pull'],
      ]) {
        const against = k === 'pull' ? c.curl.total : c.floor.total;
        console.log(
          cpuLine([
            label,
            sec(c[k].client),
            sec(c[k].hub),
            sec(c[k].total),
            k === 'publish' || k === 'pull' || k === 'bare'
              ? (c[k].total / against).toFixed(2)
              : '',
          ]),
        );
      }
    }
    const missed =
      ratio.publish > GOALS.publish ||
      ratio.pull > GOALS.pull ||
      ratio.resume > GOALS.resume ||
      Math.max(peak.publish, peak.pull) > GOALS.rssMb;
    return missed ? 1 : 0;
  } finally {
    fs.rmSync(work, { recursive: true, force: true });
    if (portal) {
      await portal.stop();
      fs.rmSync(portal.dataDir, { recursive: true, force: true });
    }
  }
}

module.exports = { writeCheckpoint, freshContent, parseSize };

if (require.main === module) {
  main().then(
    code => {
      process.exitCode = code;
    },
    e => {
      console.error(`bench:transfer: ${e.message}`);
      process.exitCode = 1;
    },
  );
}
