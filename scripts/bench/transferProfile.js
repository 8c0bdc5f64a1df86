#!/usr/bin/env node
/*
 * `node scripts/bench/transferProfile.js`: where the seconds of one
 * `model-hub publish` and one `model-hub pull` go, on the client and on the
 * hub. Starts a portal whose Node processes record a CPU profile
 * (cpuProfileHook.js), publishes
 * and pulls one checkpoint of BENCH_SIZE (default 1G) with the CLI under
 * `--cpu-prof`, stops the portal (profiles are written on exit), and prints
 * each process's self time by function, largest first.
 *
 * Profiles stay in PROFILE_DIR (default a temp directory) for DevTools.
 * PROFILE_TOP (default 15) rows are printed per process.
 */
'use strict';

const fs = require('node:fs');
const os = require('node:os');
const path = require('node:path');
const { runTimed } = require('./lib');
const { writeCheckpoint, freshContent, parseSize } = require('./transfer');
const { ROOT, startPortal, waitForEntity } = require('../../e2e/portal');

const CLI = path.join(ROOT, 'packages/cli/bin/model-hub');

/** Self time (ms) per function of one `.cpuprofile`, largest first. */
function selfTimes(file) {
  const profile = JSON.parse(fs.readFileSync(file, 'utf8'));
  const byId = new Map(profile.nodes.map(n => [n.id, n]));
  const totals = new Map();
  let all = 0;
  profile.samples.forEach((id, i) => {
    const { functionName, url, lineNumber } = byId.get(id).callFrame;
    const where = url ? ` ${path.basename(url)}:${lineNumber + 1}` : '';
    const key = `${functionName || '(anonymous)'}${where}`;
    const ms = (profile.timeDeltas[i] ?? 0) / 1000;
    totals.set(key, (totals.get(key) ?? 0) + ms);
    all += ms;
  });
  return { all, rows: [...totals].sort((a, b) => b[1] - a[1]) };
}

function report(title, file, top) {
  const { all, rows } = selfTimes(file);
  console.log(`\n${title}: ${(all / 1000).toFixed(2)} s sampled (${file})`);
  for (const [key, ms] of rows.slice(0, top)) {
    console.log(
      `  ${(ms / 1000).toFixed(3).padStart(7)} s  ${((100 * ms) / all)
        .toFixed(1)
        .padStart(5)} %  ${key}`,
    );
  }
}

/** The `.cpuprofile` files in `dir`, the busiest (least idle) first. */
function profilesIn(dir) {
  const busy = file =>
    selfTimes(file).rows.reduce(
      (sum, [key, ms]) => (key.startsWith('(idle)') ? sum : sum + ms),
      0,
    );
  return fs
    .readdirSync(dir)
    .filter(f => f.endsWith('.cpuprofile'))
    .map(f => ({ file: path.join(dir, f), busy: busy(path.join(dir, f)) }))
    .sort((a, b) => b.busy - a.busy)
    .map(p => p.file);
}

async function main() {
  const size = parseSize(process.env.BENCH_SIZE ?? '1G');
  const top = Number(process.env.PROFILE_TOP ?? 15);
  const model = 'model:default/vision-defect-detector';
  const out =
    process.env.PROFILE_DIR ??
    fs.mkdtempSync(path.join(os.tmpdir(), 'model-hub-profile-'));
  const dirs = Object.fromEntries(
    ['hub', 'publish', 'pull'].map(k => [k, path.join(out, k)]),
  );
  Object.values(dirs).forEach(d => fs.mkdirSync(d, { recursive: true }));
  console.log(`[profile] starting the portal with --cpu-prof…`);
  const portal = await startPortal({
    maxUploadBytes: size + 1024 ** 3,
    // Node refuses --cpu-prof in NODE_OPTIONS; this hook does the same.
    env: {
      NODE_OPTIONS: `--require ${path.join(__dirname, 'cpuProfileHook.js')}`,
      CPU_PROFILE_DIR: dirs.hub,
    },
  });
  const work = fs.mkdtempSync(path.join(os.tmpdir(), 'model-hub-profile-'));
  try {
    await waitForEntity(portal, model);
    const src = path.join(work, 'checkpoint');
    fs.mkdirSync(src);
    const file = path.join(src, 'model.safetensors');
    freshContent(file, writeCheckpoint(file, size, false));
    await runTimed(process.execPath, [CLI, '--help']);
    const version = `${Math.floor(Date.now() / 1000) % 1000000}.0.0`;
    const cli = (dir, args) =>
      runTimed(
        process.execPath,
        [`--cpu-prof`, `--cpu-prof-dir=${dir}`, CLI, ...args],
        { env: { MODEL_HUB_TOKEN: portal.token } },
      ).then(r => {
        if (r.code !== 0) throw new Error(`model-hub ${args[0]}: ${r.stderr}`);
        console.log(`[profile] ${args[0]}: ${(r.ms / 1000).toFixed(2)} s`);
        return r;
      });
    const common = ['--portal', portal.baseUrl, '--json'];
    await cli(dirs.publish, [
      'publish',
      src,
      '--model',
      model,
      '--version',
      version,
      ...common,
    ]);
    await cli(dirs.pull, [
      'pull',
      `${model}@${version}`,
      '-o',
      path.join(work, 'pulled'),
      ...common,
    ]);
  } finally {
    await portal.stop();
    fs.rmSync(work, { recursive: true, force: true });
    fs.rmSync(portal.dataDir, { recursive: true, force: true });
  }
  report('CLI publish', profilesIn(dirs.publish)[0], top);
  report('CLI pull', profilesIn(dirs.pull)[0], top);
  const hub = profilesIn(dirs.hub)[0];
  if (hub) report('hub (publish + pull + start-up)', hub, top);
  else console.log('\nhub: no profile written (killed before it could)');
}

main().catch(e => {
  console.error(`profile: ${e.message}`);
  process.exitCode = 1;
});
