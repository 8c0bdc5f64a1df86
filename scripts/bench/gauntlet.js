#!/usr/bin/env node
/*
 * Benchmark: `model-hub fairness --json` (the whole CLI process) against a
 * plain Python `csv` + numpy reference (scripts/bench/fairness_reference.py)
 * computing the same metrics on the same file.
 *
 *   npm run bench:gauntlet                 (BENCH_ROWS=1000000 BENCH_ROUNDS=3)
 *   npm run bench:gauntlet -- --strict     exit 1 when a goal is missed
 *
 * A CSV with five columns (label, prediction, sex, age_group, region) is
 * generated once into os.tmpdir() from a seeded PRNG (predictions biased by
 * sex and age so the metrics are not trivial) and reused while its row count
 * matches. After one warm-up of each, runs alternate (cli, python, cli, ...)
 * so page cache and CPU contention hit both alike. Both outputs are compared
 * (group keys, counts and every rate to 1e-12). Peak RSS of the CLI comes
 * from /usr/bin/time (or /proc/PID/status VmHWM); Python reports its own.
 * Goals: median CLI wall time < Python's; CLI peak RSS <= 256 MB.
 */
'use strict';

const fs = require('node:fs');
const os = require('node:os');
const path = require('node:path');
const { runTimed, median } = require('./lib');

const ROOT = path.resolve(__dirname, '../..');
const CLI = path.join(ROOT, 'packages/cli/bin/model-hub');
const REFERENCE = path.join(__dirname, 'fairness_reference.py');
const ROWS = Number(process.env.BENCH_ROWS || 1_000_000);
const ROUNDS = Number(process.env.BENCH_ROUNDS || 3);
const STRICT = process.argv.includes('--strict');
const PYTHON = process.env.PYTHON || 'python3';
const SENSITIVE = 'sex,age_group,region';
const RSS_GOAL_MB = 256;

// ------------------------------------------------------------ data
/** mulberry32: small seeded PRNG so every run benchmarks the same file. */
function prng(seed) {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

async function generate(file) {
  const rand = prng(20261127);
  const sexes = ['F', 'M'];
  const ages = ['young', 'middle', 'old'];
  const regions = ['north', 'south', 'east', 'west'];
  const out = fs.createWriteStream(file);
  const write = s =>
    out.write(s) ? undefined : new Promise(r => out.once('drain', r));
  await write('label,prediction,sex,age_group,region\n');
  let chunk = '';
  for (let i = 0; i < ROWS; i++) {
    const sex = sexes[rand() < 0.48 ? 0 : 1];
    const age = ages[Math.floor(rand() * 3)];
    const region = regions[Math.floor(rand() * 4)];
    const label = rand() < 0.4 ? 1 : 0;
    // A decent classifier whose positive rate leans on sex and age.
    const bias = (sex === 'M' ? 0.05 : 0) + (age === 'old' ? -0.04 : 0);
    const prediction = rand() < (label ? 0.8 + bias : 0.12 + bias) ? 1 : 0;
    chunk += `${label},${prediction},${sex},${age},${region}\n`;
    if (chunk.length > 1 << 20) {
      await write(chunk);
      chunk = '';
    }
  }
  await write(chunk);
  await new Promise((res, rej) => out.end(err => (err ? rej(err) : res())));
}

async function dataFile() {
  const file = path.join(os.tmpdir(), `model-hub-bench-fairness-${ROWS}.csv`);
  const marker = `${file}.ok`;
  if (!fs.existsSync(marker)) {
    const t = Date.now();
    await generate(file);
    fs.writeFileSync(marker, '');
    console.log(`generated ${file} in ${Date.now() - t} ms`);
  }
  return file;
}

// ------------------------------------------------------------ runs

function checkRun(name, r) {
  if (r.code !== 0) {
    throw new Error(`${name} exited with ${r.code}: ${r.stderr}`);
  }
  return JSON.parse(r.stdout);
}

/** Differences between the CLI's and the reference's documents (empty when equal). */
function compare(cli, ref) {
  const diffs = [];
  const close = (a, b) =>
    (a === null && b === null) ||
    (typeof a === 'number' &&
      typeof b === 'number' &&
      Math.abs(a - b) <= 1e-12);
  for (const k of [
    'demographic_parity_difference',
    'demographic_parity_ratio',
    'equalized_odds_difference',
    'disparate_impact_ratio',
  ]) {
    if (!close(cli[k], ref[k])) diffs.push(`${k}: ${cli[k]} vs ${ref[k]}`);
  }
  const keys = Object.keys(cli.groups).sort();
  const refKeys = Object.keys(ref.groups).sort();
  if (keys.join('|') !== refKeys.join('|')) {
    diffs.push(`group keys differ: ${keys.join(',')} vs ${refKeys.join(',')}`);
    return diffs;
  }
  for (const key of keys) {
    for (const f of ['count', 'selection_rate', 'tpr', 'fpr', 'accuracy']) {
      if (!close(cli.groups[key][f], ref.groups[key][f])) {
        diffs.push(
          `${key}.${f}: ${cli.groups[key][f]} vs ${ref.groups[key][f]}`,
        );
      }
    }
  }
  return diffs;
}

async function main() {
  const file = await dataFile();
  const common = [
    '--label',
    'label',
    '--prediction',
    'prediction',
    '--sensitive',
    SENSITIVE,
    '--positive',
    '1',
  ];
  const cliArgs = [CLI, 'fairness', '--eval', file, ...common, '--json'];
  const pyArgs = [REFERENCE, '--eval', file, ...common];

  // Warm-up (page cache, the CLI's transpile cache, Python's bytecode).
  const cliDoc = checkRun(
    'model-hub fairness',
    await runTimed(process.execPath, cliArgs),
  );
  const pyWarm = await runTimed(PYTHON, pyArgs);
  const pyDoc = checkRun('fairness_reference.py', pyWarm);
  const diffs = compare(cliDoc, pyDoc);

  const cliRuns = [];
  const pyRuns = [];
  for (let i = 0; i < ROUNDS; i++) {
    const c = await runTimed(process.execPath, cliArgs);
    checkRun('model-hub fairness', c);
    cliRuns.push(c);
    const p = await runTimed(PYTHON, pyArgs);
    checkRun('fairness_reference.py', p);
    pyRuns.push(p);
  }
  const pyRss = r => {
    try {
      return JSON.parse(r.stderr.trim().split('\n').pop()).max_rss_kb / 1024;
    } catch {
      return r.rssMb;
    }
  };

  const mc = median(cliRuns.map(r => r.ms));
  const mp = median(pyRuns.map(r => r.ms));
  const rss = Math.max(...cliRuns.map(r => r.rssMb));
  const size = fs.statSync(file).size;
  console.log(
    `file                     : ${file} (${ROWS} rows, ${(
      size /
      2 ** 20
    ).toFixed(1)} MiB)`,
  );
  console.log(
    `sensitive attributes     : ${SENSITIVE} (${
      Object.keys(cliDoc.groups).length
    } groups)`,
  );
  console.log(
    `model-hub fairness runs  : ${cliRuns
      .map(r => r.ms.toFixed(0))
      .join(', ')} ms`,
  );
  console.log(
    `python reference runs    : ${pyRuns
      .map(r => r.ms.toFixed(0))
      .join(', ')} ms`,
  );
  console.log(
    `median model-hub fairness: ${mc.toFixed(0)} ms (${Math.round(
      ROWS / (mc / 1000),
    ).toLocaleString('en-US')} rows/s), peak RSS ${rss.toFixed(0)} MB`,
  );
  console.log(
    `median python reference  : ${mp.toFixed(0)} ms (${Math.round(
      ROWS / (mp / 1000),
    ).toLocaleString('en-US')} rows/s), peak RSS ${Math.max(
      ...pyRuns.map(pyRss),
    ).toFixed(0)} MB`,
  );
  console.log(`speed-up                 : ${(mp / mc).toFixed(2)}x`);
  console.log(
    `same numbers             : ${
      diffs.length === 0 ? 'yes' : `NO\n  ${diffs.slice(0, 20).join('\n  ')}`
    }`,
  );
  const goals = [
    [`CLI faster than Python`, mc < mp],
    [`CLI peak RSS <= ${RSS_GOAL_MB} MB`, rss <= RSS_GOAL_MB],
    ['identical results', diffs.length === 0],
  ];
  for (const [name, ok] of goals)
    console.log(`goal ${ok ? 'met   ' : 'MISSED'} : ${name}`);
  if (STRICT && goals.some(([, ok]) => !ok)) process.exitCode = 1;
}

main().catch(e => {
  console.error(e);
  process.exitCode = 1;
});
