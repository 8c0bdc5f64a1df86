#!/usr/bin/env node
/*
 * End-to-end test harness: builds the front end, starts the real portal on a
 * free port with a fresh data directory, waits until it is healthy and the
 * example catalog is loaded, runs every test in e2e/tests with Node's test
 * runner (each drives headless Chromium or the HTTP API against the running
 * portal), and stops everything it started, pass or fail.
 *
 * Then the scale phase (e2e/scale): a second portal whose catalog holds
 * MODEL_HUB_E2E_SCALE_MODELS (default 10,000) generated models next to the
 * examples, on PostgreSQL (BACKSTAGE_TEST_DATABASE_POSTGRES16_CONNECTION_STRING,
 * fresh databases dropped afterwards), for the page timings at that size.
 * Without PostgreSQL, or with MODEL_HUB_E2E_SCALE_MODELS=0, it is skipped
 * and says so. Arguments select specs of both phases by file-name substring.
 */
'use strict';

const { spawn } = require('node:child_process');
const fs = require('node:fs');
const os = require('node:os');
const path = require('node:path');
const { buildApp, startPortal, waitForEntity } = require('./portal');
const { startArtifactServer } = require('./artifactServer');
const { startPortfolioPortal } = require('./portfolio');
const { TIMINGS_FILE_ENV, recordTiming, timingSummary } = require('./timings');

const SCALE_MODELS_ENV = 'MODEL_HUB_E2E_SCALE_MODELS';

function specs(dir, only) {
  return fs
    .readdirSync(dir)
    .filter(f => f.endsWith('.test.js'))
    .filter(f => only.length === 0 || only.some(o => f.includes(o)))
    .sort()
    .map(f => path.join(dir, f));
}

/** Runs spec files with Node's test runner against `portal`; resolves to the exit code. */
function runSpecs(files, portal, env) {
  // Not spawnSync: the artifact server lives in this process and must keep
  // answering while the tests run.
  const child = spawn(
    process.execPath,
    ['--test', '--test-concurrency=1', ...files],
    {
      stdio: 'inherit',
      env: {
        ...process.env,
        MODEL_HUB_E2E_BASE_URL: portal.baseUrl,
        MODEL_HUB_E2E_TOKEN: portal.token,
        MODEL_HUB_E2E_DATA_DIR: portal.dataDir,
        MODEL_HUB_E2E_LOG_FILE: portal.logFile,
        ...env,
      },
    },
  );
  return new Promise(resolve => child.on('exit', code => resolve(code ?? 1)));
}

/** Stops the portal; keeps its data directory (and says where) when `status` failed. */
async function finish(portal, status) {
  await portal.stop();
  if (status !== 0) {
    console.log(`[e2e] backend log: ${portal.logFile}`);
  } else if (!process.env.MODEL_HUB_E2E_KEEP) {
    fs.rmSync(portal.dataDir, { recursive: true, force: true });
  }
}

async function examplePhase(files, artifacts, timingsFile) {
  console.log('[e2e] starting the portal…');
  const t0 = Date.now();
  const portal = await startPortal({ readingAllowHosts: [artifacts.host] });
  let status = 1;
  try {
    console.log(
      `[e2e] portal ready at ${portal.baseUrl} in ${Math.round(
        (Date.now() - t0) / 1000,
      )} s; waiting for the example catalog…`,
    );
    await waitForEntity(portal, 'group:default/ml-platform');
    status = await runSpecs(files, portal, {
      MODEL_HUB_E2E_ARTIFACTS_URL: artifacts.url,
      [TIMINGS_FILE_ENV]: timingsFile,
    });
  } finally {
    await finish(portal, status);
  }
  return status;
}

async function scalePhase(files, timingsFile) {
  const models = Number(process.env[SCALE_MODELS_ENV] ?? 10000);
  const pg = process.env.BACKSTAGE_TEST_DATABASE_POSTGRES16_CONNECTION_STRING;
  if (!(models > 0)) {
    console.log(`[e2e] scale phase skipped (${SCALE_MODELS_ENV}=0)`);
    return 0;
  }
  if (!pg) {
    console.log(
      '[e2e] scale phase skipped: it needs PostgreSQL ' +
        '(set BACKSTAGE_TEST_DATABASE_POSTGRES16_CONNECTION_STRING, as .ci/run does); ' +
        `the catalog takes about an hour to load ${models} models into SQLite on 2 cores`,
    );
    return 0;
  }
  const prefix = `mhe2e_${Date.now()}_`;
  console.log(
    `[e2e] scale phase: a portal with ${models} generated models on PostgreSQL (databases ${prefix}*)…`,
  );
  let portal;
  let status = 1;
  try {
    portal = await startPortfolioPortal({
      models,
      database: { client: 'pg', connection: pg, prefix },
    });
    console.log(
      `[e2e] scale: the catalog listed all ${models} generated models ${Math.round(
        portal.loadMs / 1000,
      )} s after the back end was ready`,
    );
    process.env[TIMINGS_FILE_ENV] = timingsFile;
    recordTiming(
      `catalog load of ${models.toLocaleString('en-US')} generated models`,
      portal.loadMs,
      'PostgreSQL, from back end ready to all listed',
    );
    recordTiming(
      'portal idle after the last model was listed',
      portal.quiet.ms,
      `${portal.quiet.settled ? 'settled' : 'still busy, timed anyway'}: ${(
        portal.quiet.share * 100
      ).toFixed(1)} % of a core over the last 5 s`,
    );
    status = await runSpecs(files, portal, {
      [SCALE_MODELS_ENV]: String(models),
      MODEL_HUB_E2E_SCALE_MODEL: portal.modelNames[0],
      MODEL_HUB_E2E_SCALE_LISTED: String(portal.listedModels),
      [TIMINGS_FILE_ENV]: timingsFile,
    });
  } finally {
    if (portal) await finish(portal, status);
    // Required late: `pg` is only needed when PostgreSQL is configured.
    await require('../scripts/bench/scalePortal').dropDatabases(pg, prefix);
  }
  return status;
}

async function main() {
  const only = process.argv.slice(2);
  const chromium = process.env.CHROMIUM_PATH ?? '/usr/bin/chromium';
  if (!fs.existsSync(chromium)) {
    throw new Error(
      `Chromium is needed for the end-to-end tests and was not found at ${chromium}. ` +
        'On Debian/Ubuntu: apt-get update && apt-get install -y chromium ' +
        '(or set CHROMIUM_PATH).',
    );
  }
  const exampleSpecs = specs(path.join(__dirname, 'tests'), only);
  const scaleSpecs = specs(path.join(__dirname, 'scale'), only);
  buildApp();
  const timingsDir = fs.mkdtempSync(path.join(os.tmpdir(), 'model-hub-e2e-t-'));
  const timings = {
    example: path.join(timingsDir, 'example.jsonl'),
    scale: path.join(timingsDir, 'scale.jsonl'),
  };
  let status = 0;
  if (exampleSpecs.length > 0) {
    const artifacts = await startArtifactServer();
    try {
      status = await examplePhase(exampleSpecs, artifacts, timings.example);
    } finally {
      await artifacts.close();
    }
  }
  if (scaleSpecs.length > 0) {
    status = (await scalePhase(scaleSpecs, timings.scale)) || status;
  }
  for (const [phase, file] of Object.entries(timings)) {
    const lines = timingSummary(file);
    if (lines.length > 0) {
      console.log(
        `[e2e] timings (${
          phase === 'example' ? 'example data' : 'generated portfolio'
        }, this machine, this run):\n${lines.join('\n')}`,
      );
    }
  }
  fs.rmSync(timingsDir, { recursive: true, force: true });
  process.exit(status);
}

main().catch(e => {
  console.error(`[e2e] ${e.stack ?? e}`);
  process.exit(1);
});
