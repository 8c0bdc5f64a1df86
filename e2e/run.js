#!/usr/bin/env node
/*
 * End-to-end test harness: builds the front end, starts the real portal on a
 * free port with a fresh data directory, waits until it is healthy and the
 * example catalog is loaded, runs every test in e2e/tests with Node's test
 * runner (each drives headless Chromium or the HTTP API against the running
 * portal), and stops everything it started, pass or fail.
 */
'use strict';

const { spawn } = require('node:child_process');
const fs = require('node:fs');
const path = require('node:path');
const { buildApp, startPortal, waitForEntity } = require('./portal');
const { startArtifactServer } = require('./artifactServer');
const { TIMINGS_FILE_ENV, timingSummary } = require('./timings');

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
  buildApp();
  console.log('[e2e] starting the portal…');
  const t0 = Date.now();
  const artifacts = await startArtifactServer();
  const portal = await startPortal({
    readingAllowHosts: [artifacts.host],
  }).catch(async e => {
    await artifacts.close();
    throw e;
  });
  let status = 1;
  try {
    console.log(
      `[e2e] portal ready at ${portal.baseUrl} in ${Math.round(
        (Date.now() - t0) / 1000,
      )} s; waiting for the example catalog…`,
    );
    await waitForEntity(portal, 'group:default/ml-platform');
    const testsDir = path.join(__dirname, 'tests');
    const files = fs
      .readdirSync(testsDir)
      .filter(f => f.endsWith('.test.js'))
      .filter(f => only.length === 0 || only.some(o => f.includes(o)))
      .sort()
      .map(f => path.join(testsDir, f));
    const timingsFile = path.join(portal.dataDir, 'timings.jsonl');
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
          MODEL_HUB_E2E_ARTIFACTS_URL: artifacts.url,
          [TIMINGS_FILE_ENV]: timingsFile,
        },
      },
    );
    status = await new Promise(resolve =>
      child.on('exit', code => resolve(code ?? 1)),
    );
    const timings = timingSummary(timingsFile);
    if (timings.length > 0) {
      console.log(
        `[e2e] timings (example data, this machine, this run):\n${timings.join(
          '\n',
        )}`,
      );
    }
  } finally {
    await portal.stop();
    await artifacts.close();
    if (status !== 0) {
      console.log(`[e2e] backend log: ${portal.logFile}`);
    } else if (!process.env.MODEL_HUB_E2E_KEEP) {
      fs.rmSync(portal.dataDir, { recursive: true, force: true });
    }
  }
  process.exit(status);
}

main().catch(e => {
  console.error(`[e2e] ${e.stack ?? e}`);
  process.exit(1);
});
