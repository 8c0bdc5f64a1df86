/*
 * Starts the real Model Hub portal for end-to-end tests: the back end (which
 * also serves the built front end through the app backend plugin) on a free
 * port, with SQLite and artifacts in a fresh temporary data directory, the
 * example catalog plus the test-only examples. Stops everything it started.
 */
'use strict';

const { spawn, spawnSync } = require('node:child_process');
const fs = require('node:fs');
const net = require('node:net');
const os = require('node:os');
const path = require('node:path');

const ROOT = path.resolve(__dirname, '..');
const TOKEN = 'model-hub-e2e-token';

function freePort() {
  return new Promise((resolve, reject) => {
    const srv = net.createServer();
    srv.unref();
    srv.on('error', reject);
    srv.listen(0, '127.0.0.1', () => {
      const { port } = srv.address();
      srv.close(() => resolve(port));
    });
  });
}

/**
 * Throws unless `port` is free. A back end whose port is taken logs
 * EADDRINUSE and lingers, while the readiness check and every request of
 * the caller reach whatever holds the port: another helper's portal on a
 * shared machine, which then measures the wrong back end and loads it.
 */
function assertPortFree(port) {
  return new Promise((resolve, reject) => {
    const srv = net.createServer();
    srv.unref();
    srv.once('error', e =>
      reject(
        new Error(
          e.code === 'EADDRINUSE'
            ? `Port ${port} is in use (another portal or bench?); choose free ports (scaleAb.js --ports, pageTail.js --port)`
            : `Port ${port} cannot be used: ${e.message}`,
        ),
      ),
    );
    // No host: the back end listens on every address (::), as here.
    srv.listen(port, () => srv.close(() => resolve()));
  });
}

/** Builds packages/app into packages/app/dist unless a build is newer than its sources. */
function buildApp({ force = false } = {}) {
  const dist = path.join(ROOT, 'packages/app/dist/index.html');
  if (!force && fs.existsSync(dist) && !process.env.CI) {
    const built = fs.statSync(dist).mtimeMs;
    const newest = newestMtime([
      path.join(ROOT, 'packages/app/src'),
      path.join(ROOT, 'plugins/model-hub/src'),
      path.join(ROOT, 'plugins/model-hub-common/src'),
    ]);
    if (built > newest) return;
  }
  console.log('[e2e] building the front end (packages/app)…');
  const res = spawnSync('npx', ['backstage-cli', 'package', 'build'], {
    cwd: path.join(ROOT, 'packages/app'),
    stdio: 'inherit',
  });
  if (res.status !== 0) throw new Error('front-end build failed');
}

function newestMtime(dirs) {
  let newest = 0;
  const walk = d => {
    if (!fs.existsSync(d)) return;
    for (const e of fs.readdirSync(d, { withFileTypes: true })) {
      const p = path.join(d, e.name);
      if (e.isDirectory()) walk(p);
      else newest = Math.max(newest, fs.statSync(p).mtimeMs);
    }
  };
  dirs.forEach(walk);
  return newest;
}

async function waitFor(
  what,
  fn,
  { timeoutMs = 180000, intervalMs = 1000 } = {},
) {
  const deadline = Date.now() + timeoutMs;
  let lastError;
  while (Date.now() < deadline) {
    try {
      const v = await fn();
      if (v) return v;
    } catch (e) {
      // A check that knows waiting cannot help (e.g. the portal is gone).
      if (e?.fatal) throw e;
      lastError = e;
    }
    await new Promise(r => setTimeout(r, intervalMs));
  }
  throw new Error(
    `timed out waiting for ${what}${lastError ? `: ${lastError.message}` : ''}`,
  );
}

/**
 * How the back end runs: `development` (NODE_ENV=development, what `npm
 * start` does; the e2e default, and guest sign-in needs nothing more) or
 * `production` (NODE_ENV=production, as a deployment runs: compact JSON,
 * JSON logs, no stack traces in errors). Production refuses the guest
 * provider, the development token pepper and the demo advisory excerpt, so
 * this mode allows exactly those three, for benchmarks only (never in
 * app-config.production.yaml): `{ env, auth, modelHub }` to merge into the
 * portal's environment and config. Checkouts whose startPortal has no
 * `mode` take `env` and `modelHub` through their `env` and `modelHub`
 * options (scaleAb.js does so for the older checkout).
 */
function portalMode(mode = 'development') {
  if (mode === 'development') {
    return { env: { NODE_ENV: 'development' }, auth: {}, modelHub: {} };
  }
  if (mode !== 'production') {
    throw new Error(
      `Unknown portal mode '${mode}'; use 'production' or 'development'`,
    );
  }
  return {
    env: { NODE_ENV: 'production' },
    // The browser rows sign in as guest.
    auth: {
      providers: { guest: { dangerouslyAllowOutsideDevelopment: true } },
    },
    modelHub: {
      // A fixed, non-secret pepper: benchmark databases hold no real tokens.
      // (The development guest token is ignored in production anyway.)
      tokens: { pepper: 'model-hub-benchmark-pepper-not-secret' },
      // The example advisory excerpt, as in development.
      gauntlet: { security: { advisoriesRequired: false } },
    },
  };
}

/**
 * Starts the portal. Returns { baseUrl, token, dataDir, stop(), restart() }.
 * `dataDir` may be passed to reuse stored data (restart tests);
 * `maxUploadBytes` raises the 8 MiB upload limit (benchmarks);
 * `database` replaces SQLite with another `backend.database` (e.g. PostgreSQL
 * with a fresh `prefix`); `catalog` replaces catalog settings (locations,
 * processingInterval); `search` replaces the search settings; `env` adds
 * environment variables to the back end; `plain` runs the back end as one
 * node process instead of under `backstage-cli package start`; `mode`
 * (default `development`) is NODE_ENV and what it needs ({@link portalMode}).
 */
async function startPortal(opts = {}) {
  const mode = portalMode(opts.mode);
  if (opts.port !== undefined) await assertPortFree(opts.port);
  const port = opts.port ?? (await freePort());
  const dataDir =
    opts.dataDir ?? fs.mkdtempSync(path.join(os.tmpdir(), 'model-hub-e2e-'));
  const baseUrl = `http://localhost:${port}`;
  const configFile = path.join(dataDir, 'app-config.e2e.yaml');
  fs.writeFileSync(
    configFile,
    JSON.stringify(
      {
        app: { baseUrl },
        backend: {
          baseUrl,
          listen: { port },
          cors: { origin: baseUrl },
          database: opts.database ?? {
            client: 'better-sqlite3',
            connection: { directory: path.join(dataDir, 'sqlite') },
          },
          auth: {
            externalAccess: [
              { type: 'static', options: { token: TOKEN, subject: 'e2e' } },
            ],
          },
          reading: {
            allow: [
              { host: `localhost:${port}` },
              ...(opts.readingAllowHosts ?? []).map(host => ({ host })),
            ],
          },
        },
        auth: mode.auth,
        catalog: {
          processingInterval: { seconds: 5 },
          locations: [
            {
              type: 'file',
              target: path.join(ROOT, 'examples-for-tests/catalog.yaml'),
            },
          ],
          ...(opts.catalog ?? {}),
        },
        // The first indexing runs before the examples are in the catalog;
        // index every minute (not every 10) so search specs find them.
        search: opts.search ?? {
          collators: {
            catalog: {
              schedule: {
                frequency: { minutes: 1 },
                timeout: { minutes: 5 },
                initialDelay: { seconds: 3 },
              },
            },
          },
        },
        modelHub: {
          // The static e2e token is a service principal, read-only in the hub
          // unless granted: the harness grants it every action on the example
          // teams' models so specs can set up state; 10-tokens.test.js
          // publishes as a person with a personal access token instead.
          // The guest's personal access token, in this run's data directory.
          tokens: {
            devGuestToken: { file: path.join(dataDir, 'model-hub-token') },
          },
          ...mode.modelHub,
          servicePrincipals: [
            {
              subject: 'e2e',
              teams: [
                'example-corp',
                'ml-platform',
                'customer-support',
                'marketing',
                'logistics',
                'quality',
                'ai-governance',
              ],
              actions: [
                'model-hub.version.create',
                'model-hub.alias.update',
                'model-hub.model.register',
                'model-hub.model.update',
                'model-hub.model.deprecate',
                'model-hub.promotion.request',
                'model-hub.promotion.approve',
                'model-hub.waiver.create',
                'model-hub.gauntlet.run',
              ],
            },
          ],
          // Models registered through the hub reach the catalog quickly.
          catalog: { registeredModelsRefreshSeconds: 2 },
          artifacts: {
            local: { directory: path.join(dataDir, 'artifacts') },
            // Small by default, so the oversized-upload test need not send
            // gigabytes; the transfer benchmark raises it.
            maxUploadBytes: opts.maxUploadBytes ?? 8 * 1024 * 1024,
          },
          ...(opts.modelHub ?? {}),
        },
      },
      null,
      2,
    ),
  );
  const logFile = path.join(dataDir, `backend-${Date.now()}.log`);
  const log = fs.openSync(logFile, 'a');
  const configArgs = [
    '--config',
    path.join(ROOT, 'app-config.yaml'),
    '--config',
    configFile,
  ];
  // `backstage-cli package start` (the default) watches the sources and runs
  // the back end with --enable-source-maps, which keeps every loaded source
  // map in memory. `plain: true` runs the same sources in one node process
  // without the watcher or source maps, as a deployment does: benchmarks
  // that report the back end's memory use it.
  const [command, args] = opts.plain
    ? [
        process.execPath,
        [
          '--require',
          require.resolve('@backstage/cli-node/config/nodeTransform.cjs', {
            paths: [path.join(ROOT, 'packages/backend')],
          }),
          'src/index.ts',
          ...configArgs,
        ],
      ]
    : ['npx', ['backstage-cli', 'package', 'start', ...configArgs]];
  const child = spawn(command, args, {
    cwd: path.join(ROOT, 'packages/backend'),
    env: {
      ...process.env,
      ...mode.env,
      LOG_LEVEL: 'info',
      ...(opts.env ?? {}),
    },
    stdio: ['ignore', log, log],
    detached: true,
  });
  let exited = false;
  child.on('exit', () => {
    exited = true;
  });
  // The spawned `npx` can exit before the back end it started (its
  // grandchild, which shuts down gracefully and keeps the port meanwhile):
  // the portal has stopped when no process of its group is left.
  const groupAlive = () => {
    try {
      process.kill(-child.pid, 0);
      return true;
    } catch {
      return false;
    }
  };
  const stop = async () => {
    if (exited && !groupAlive()) return;
    try {
      process.kill(-child.pid, 'SIGTERM');
    } catch {
      return;
    }
    await waitFor('the portal to stop', () => exited && !groupAlive(), {
      timeoutMs: 20000,
      intervalMs: 200,
    }).catch(async () => {
      try {
        process.kill(-child.pid, 'SIGKILL');
      } catch {
        return;
      }
      await waitFor('the killed portal to go', () => !groupAlive(), {
        timeoutMs: 10000,
        intervalMs: 100,
      }).catch(() => undefined);
    });
  };
  try {
    await waitFor(
      'the back end to become ready',
      async () => {
        if (exited) {
          throw new Error(`the back end exited; log:\n${tail(logFile)}`);
        }
        const res = await fetch(`${baseUrl}/.backstage/health/v1/readiness`);
        return res.ok;
      },
      { timeoutMs: 240000 },
    );
  } catch (e) {
    await stop();
    throw new Error(`${e.message}\n--- backend log tail ---\n${tail(logFile)}`);
  }
  const api = async (p, init = {}) => {
    try {
      return await fetch(`${baseUrl}${p}`, {
        ...init,
        headers: { authorization: `Bearer ${TOKEN}`, ...(init.headers ?? {}) },
      });
    } catch (e) {
      // A refused or reset connection: the back end's log says why.
      throw new Error(
        `${init.method ?? 'GET'} ${p}: ${e.message} (${
          e.cause?.code ?? 'no code'
        })\n--- backend log tail ---\n${tail(logFile)}`,
        { cause: e },
      );
    }
  };
  return {
    baseUrl,
    token: TOKEN,
    dataDir,
    logFile,
    port,
    api,
    stop,
    pid: child.pid,
    /** Throws (fatal to waitFor) when no process of the portal is left. */
    assertAlive() {
      if (!groupAlive()) {
        const error = new Error(`the portal stopped; log:\n${tail(logFile)}`);
        error.fatal = true;
        throw error;
      }
    },
  };
}

function tail(file, lines = 60) {
  try {
    return fs.readFileSync(file, 'utf8').split('\n').slice(-lines).join('\n');
  } catch {
    return '(no log)';
  }
}

/** Waits until the catalog lists an entity with the given ref. */
async function waitForEntity(portal, ref, timeoutMs = 180000) {
  const [kind, rest] = ref.split(':');
  const [namespace, name] = rest.split('/');
  return waitFor(
    `catalog entity ${ref}`,
    async () => {
      const res = await portal.api(
        `/api/catalog/entities/by-name/${kind}/${namespace}/${name}`,
      );
      return res.ok ? res.json() : undefined;
    },
    { timeoutMs, intervalMs: 2000 },
  );
}

const CHROMIUM_ARGS = [
  '--headless',
  '--no-sandbox',
  '--disable-gpu',
  '--disable-quic',
  '--disable-background-networking',
  '--disable-component-update',
  '--disable-sync',
  '--no-first-run',
];

/** Launches Debian's Chromium through playwright-core. */
async function launchBrowser() {
  const { chromium } = require('playwright-core');
  return chromium.launch({
    executablePath: process.env.CHROMIUM_PATH ?? '/usr/bin/chromium',
    args: CHROMIUM_ARGS,
    headless: true,
  });
}

const SCREENSHOTS = path.join(__dirname, 'screenshots');

/**
 * Saves a screenshot of the page (or of one element, given a locator) under
 * e2e/screenshots (git-ignored).
 */
async function screenshot(pageOrLocator, name) {
  fs.mkdirSync(SCREENSHOTS, { recursive: true });
  const file = path.join(SCREENSHOTS, `${name}.png`);
  if (typeof pageOrLocator.goto === 'function') {
    await pageOrLocator.screenshot({ path: file, fullPage: true });
  } else {
    await pageOrLocator.screenshot({ path: file });
  }
}

/** Runs `fn`; if it throws, saves `<name>-failure.png` of `page` and rethrows. */
async function screenshotOnFailure(page, name, fn) {
  try {
    await fn();
  } catch (e) {
    await screenshot(page, `${name}-failure`);
    throw e;
  }
}

/**
 * Runs one step of a browser test: saves `<name>.png` of `page` when it
 * passes and `<name>-failure.png` when it throws (then rethrows).
 */
async function screenshotStep(page, name, fn) {
  await screenshotOnFailure(page, name, fn);
  await screenshot(page, name);
}

/** Opens a new page signed in as the guest user. */
async function newSignedInPage(browser, baseUrl) {
  // An explicit context (not browser.newPage): axe-core's AxeBuilder opens a
  // helper page in the same context to assemble its results.
  const context = await browser.newContext({
    viewport: { width: 1400, height: 1000 },
  });
  const page = await context.newPage();
  const errors = [];
  page.on('pageerror', e => errors.push(e.message));
  page.on('console', m => {
    if (m.type() === 'error') errors.push(m.text());
  });
  page.consoleErrors = errors;
  await page.goto(baseUrl);
  await page.getByRole('button', { name: 'Enter' }).click({ timeout: 60000 });
  await page.getByText('Example Corp Home').waitFor({ timeout: 60000 });
  return page;
}

module.exports = {
  newSignedInPage,
  ROOT,
  buildApp,
  startPortal,
  portalMode,
  assertPortFree,
  waitFor,
  waitForEntity,
  launchBrowser,
  screenshot,
  screenshotOnFailure,
  screenshotStep,
  freePort,
};
