#!/usr/bin/env node
/*
 * Scale benchmark (issue #18), one command, one table from one run:
 *
 *   npm run bench:scale -- [--models 10000] [--services 30000] [--versions 5]
 *     [--publish-models 100] [--clients 50] [--requests 500]
 *     [--pg postgresql://postgres:postgres@127.0.0.1:5432]
 *     [--no-baseline] [--no-browser] [--keep] [--tag NAME]
 *     [--mode production|development]
 *
 * By default it generates the portfolio (scripts/gen/portfolio.js), then:
 *  1. Baseline: starts the portal on PostgreSQL (fresh databases, prefix
 *     mhbench_<time>_base_) WITHOUT catalog-backend-module-model-hub (a
 *     stand-in accepts kind Model and nothing more) and times how long the
 *     catalog takes, from its first refresh_state row (the configured
 *     location) until every generated entity is in refresh_state, processed (result_hash set) and stitched
 *     (final_entity set). Stops it.
 *  2. The same with the module, on fresh databases (prefix mhbench_<time>_hub_).
 *  3. Publishes --versions versions (small artifacts, each seal runs the
 *     gauntlet) for the first --publish-models models through the hub's
 *     routes, and waits until no gauntlet run is queued or running.
 *  4. HTTP rows at --clients concurrent clients: a floor (the hub's
 *     cheapest authenticated route, a constant), hub search vs the
 *     catalog's /entities/by-query for the same filter, the model page's
 *     load as the issue defines it (card + versions + gauntlet +
 *     consumers) and its whole overview tab (the calls the browser makes,
 *     in its order), versions and gauntlet GETs; each quoted as a ratio to
 *     the floor.
 *  5. Browser (Chromium): hub first results, facet click, model page first
 *     render (medians of 3).
 *  6. Stewardship: triggers the evaluation through the scheduler's route,
 *     reads its duration from model_hub_task_runs, and samples the back
 *     end's VmRSS/VmHWM (it runs inside the back end: the peak is the
 *     back end's, and the delta over its RSS before is printed too).
 *  7. Back-end RSS after the run, and what it is made of: the node
 *     inspector (heapProbe.js) reads process.memoryUsage() before and after
 *     a full garbage collection.
 *
 * The back end runs with NODE_ENV=production, as deployed (e2e/portal.js
 * portalMode: what production needs for a bench, guest sign-in included);
 * `--mode development` runs it as `npm start` does, as runs before
 * 2026-12-07 did (pretty-printed JSON, colour logs: more CPU per request).
 *
 * Against an already running portal (no processing, stewardship or browser):
 *   MODEL_HUB_TOKEN=… npm run bench:scale -- --portal http://localhost:7007
 *     [--backend-pid <pid>] [--names <file>]
 * where --names lists the models whose pages and versions the rows read
 * (one name per line, e.g. those gen:portfolio published versions of;
 * default: the first 100 by name). Replicas of one portal (back ends on
 * the same databases): `--portal URL1,URL2 --backend-pid PID1,PID2`; each
 * request goes to the next URL, as a round-robin load balancer sends them,
 * and the CPU per request is the replicas' sum.
 */
'use strict';

const fs = require('node:fs');
const { parseArgs: args } = require('./lib');
const os = require('node:os');
const path = require('node:path');
const { generate, writeCatalog, publish } = require('../gen/portfolio');
const { buildApp } = require('../../e2e/portal');
const { measureHttp } = require('./scaleLoad');
const { probeHeap } = require('./heapProbe');
const portals = require('./scalePortal');

const STEWARDSHIP_TASK = 'model-hub-stewardship';

const ms = v => (Number.isFinite(v) ? `${Math.round(v)} ms` : 'n/a');
const mb = v => (Number.isFinite(v) ? `${Math.round(v)} MB` : 'n/a');
const verdict = ok => (ok ? 'met' : '**missed**');

function printTable(title, rows) {
  console.log(`\n${title}\n`);
  console.log('| what | measured | goal | |');
  console.log('| --- | ---: | --- | --- |');
  for (const r of rows)
    console.log(`| ${r[0]} | ${r[1]} | ${r[2] ?? ''} | ${r[3] ?? ''} |`);
}

/** The back end's CPU per request, and its ratio to the floor's, when measured. */
const cpuPart = r =>
  Number.isFinite(r.backendCpuMs)
    ? `; back end ${r.backendCpuMs.toFixed(2)} ms CPU/request${
        Number.isFinite(r.ratioCpu) && r.ratioCpu !== 1
          ? ` (${r.ratioCpu.toFixed(1)}×)`
          : ''
      }`
    : '';

/** "p50 / p95 (×a / ×b the floor); CPU per request" of one HTTP row. */
const latency = r =>
  `${ms(r.p50)} / ${ms(r.p95)} (${r.ratioP50.toFixed(
    1,
  )}× / ${r.ratioP95.toFixed(1)}× floor)${cpuPart(r)}`;

function httpRows(http) {
  const [
    floor,
    search,
    catalog,
    page,
    pageCatalog,
    overview,
    versions,
    gauntlet,
    facets,
  ] = http.rows;
  const out = [
    [
      `${floor.name}, p50 / p95`,
      `${ms(floor.p50)} / ${ms(floor.p95)}${cpuPart(floor)}`,
      'floor: no hub route can be faster',
    ],
    [
      `${search.name}, p50 / p95`,
      latency(search),
      `p95 ≤ 1.0× catalog p95`,
      `${(search.p95 / catalog.p95).toFixed(2)}× ${verdict(
        search.p95 <= catalog.p95,
      )}`,
    ],
    [`${catalog.name}, p50 / p95`, latency(catalog), 'reference'],
    [
      `${page.name}, p50 / p95`,
      latency(page),
      'p95 ≤ 300 ms',
      verdict(page.p95 <= 300),
    ],
    [
      `${pageCatalog.name}, p50 / p95`,
      latency(pageCatalog),
      "reference: Backstage's own calls of the page, in blocks alternating with the page's",
      `${(pageCatalog.p95 / page.p95).toFixed(2)}× the page's p95`,
    ],
    [
      `${overview.name}, p50 / p95`,
      latency(overview),
      "the whole tab the portal opens on; not the issue's definition",
    ],
  ];
  for (const r of [versions, gauntlet])
    out.push([
      `${r.name}, p50 / p95`,
      latency(r),
      'p50 ≤ 50 ms, p95 ≤ 200 ms',
      verdict(r.p50 <= 50 && r.p95 <= 200),
    ]);
  out.push([
    `${facets.name}, p50 / p95`,
    latency(facets),
    'asked next to the search; the table does not wait for it',
  ]);
  const errors = http.rows.reduce((n, r) => n + r.errors, 0);
  if (errors) out.push(['HTTP errors in the rows above', String(errors)]);
  return out;
}

/** The old mode: HTTP rows against a portal someone else started. */
async function againstRunningPortal(a) {
  const portal = a.portal.replace(/\/$/, '');
  const token = a.token ?? process.env.MODEL_HUB_TOKEN;
  if (!token)
    throw new Error(
      'Set MODEL_HUB_TOKEN (or --token): a token that may read the catalog and the hub',
    );
  const clients = Number(a.clients ?? 50);
  const http = await measureHttp({
    portal,
    token,
    clients,
    requests: Number(a.requests ?? 500),
    // Replicas: a comma-separated list each (the CPU rows sum them).
    backendPid: a['backend-pid']
      ? String(a['backend-pid']).split(',').map(Number)
      : undefined,
    names: a.names
      ? fs.readFileSync(a.names, 'utf8').split('\n').filter(Boolean)
      : undefined,
  });
  const rows = httpRows(http);
  for (const pid of a['backend-pid']
    ? String(a['backend-pid']).split(',').map(Number)
    : []) {
    const m = portals.memory(pid);
    rows.push([
      `back-end RSS after the run (peak), pid ${pid}`,
      `${mb(m.rss)} (${mb(m.hwm)})`,
      '≤ 1 GB',
      verdict(m.rss <= 1024),
    ]);
  }
  printTable(
    `Scale benchmark: ${portal}, ${
      http.sample.totalItems
    } visible models, ${clients} clients; load average ${os
      .loadavg()
      .map(l => l.toFixed(1))
      .join(' ')} on ${os.cpus().length} cores`,
    rows,
  );
}

/** Portals this run started, stopped on Ctrl-C or SIGTERM too. */
const running = new Set();
/** Cleanups (databases, generated files) to run on a signal as well. */
const cleanup = [];
for (const signal of ['SIGINT', 'SIGTERM'])
  process.once(signal, async () => {
    await Promise.all([...running].map(p => p.stop()));
    await Promise.all(cleanup.map(fn => fn()));
    process.exit(130);
  });

async function stopPortal(portal, keep) {
  await portal.stop();
  running.delete(portal);
  if (!keep) fs.rmSync(portal.dataDir, { recursive: true, force: true });
  // What scaleAb.js / pageTail.js need to run on what this run left.
  else
    console.log(
      `[bench] kept ${portal.dataDir} (artifacts: --artifacts ${path.join(
        portal.dataDir,
        'artifacts',
      )})`,
    );
}

/** Runs one phase; a failure names the phase and keeps the back-end log. */
async function phase(name, portal, fn) {
  console.log(`[bench] ${name}…`);
  try {
    return await fn();
  } catch (e) {
    throw new Error(
      `${name}: ${e.message ?? e}${
        e.cause ? ` (${e.cause.message ?? e.cause})` : ''
      }; back-end log: ${portal.logFile}`,
    );
  }
}

/** Starts a portal on fresh databases and times the catalog's first full pass. */
async function timedPortal(options, expected, label) {
  const processed = portals.waitForCatalog(
    options.pg,
    options.prefix,
    expected,
    label,
  );
  const portal = await portals.startBenchPortal(options);
  running.add(portal);
  const done = await processed;
  console.log(
    `[bench] ${label}: catalog processed and stitched ${
      done.stitched
    } entities in ${(done.ms / 1000).toFixed(1)} s (back end ready after ${(
      portal.startedMs / 1000
    ).toFixed(1)} s; ${done.errors} with errors)`,
  );
  return { portal, done };
}

async function stewardship(portal, pg, prefix, pid) {
  // Seals trigger evaluations too: wait until none is running.
  const deadline = Date.now() + 10 * 60_000;
  for (;;) {
    const res = await portal.api(
      '/api/model-hub/.backstage/scheduler/v1/tasks',
    );
    const task = (await res.json()).tasks.find(
      t => t.taskId === STEWARDSHIP_TASK,
    );
    if (!task) throw new Error(`no scheduled task ${STEWARDSHIP_TASK}`);
    if (task.taskState?.status !== 'running') break;
    if (Date.now() > deadline)
      throw new Error('stewardship evaluation never became idle');
    await new Promise(r => setTimeout(r, 1000));
  }
  const before = portals.memory(pid);
  const peakReset = portals.resetPeak(pid);
  let sampledPeak = before.rss;
  const sampler = setInterval(() => {
    try {
      sampledPeak = Math.max(sampledPeak, portals.memory(pid).rss);
    } catch {
      /* exited */
    }
  }, 100);
  const since = new Date();
  try {
    const res = await portal.api(
      `/api/model-hub/.backstage/scheduler/v1/tasks/${STEWARDSHIP_TASK}/trigger`,
      { method: 'POST' },
    );
    if (!res.ok)
      throw new Error(`trigger ${STEWARDSHIP_TASK}: HTTP ${res.status}`);
    let run;
    while (
      !(run = await portals.finishedTaskRun(
        pg,
        prefix,
        STEWARDSHIP_TASK,
        since,
      ))
    ) {
      if (Date.now() - since.getTime() > 30 * 60_000)
        throw new Error('stewardship evaluation did not finish in 30 min');
      await new Promise(r => setTimeout(r, 500));
    }
    const after = portals.memory(pid);
    const peak = peakReset ? Math.max(after.hwm, sampledPeak) : sampledPeak;
    return {
      seconds:
        (new Date(run.finished_at).getTime() -
          new Date(run.started_at).getTime()) /
        1000,
      outcome: run.outcome,
      before: before.rss,
      peak,
      peakFrom: peakReset
        ? 'VmHWM reset before the run'
        : 'VmRSS sampled every 100 ms',
    };
  } finally {
    clearInterval(sampler);
  }
}

async function ownPortal(a) {
  const pg = a.pg ?? 'postgresql://postgres:postgres@127.0.0.1:5432';
  const models = Number(a.models ?? 10000);
  const services = Number(a.services ?? models * 3);
  const versions = Number(a.versions ?? 5);
  const publishModels = Math.min(models, Number(a['publish-models'] ?? 100));
  const clients = Number(a.clients ?? 50);
  const requests = Number(a.requests ?? 500);
  const browser = a['no-browser'] !== 'true';
  const mode = a.mode ?? 'production';
  // --tag names whose databases these are on a shared server (mhbench_<tag>_<time>_…).
  const stamp = `${a.tag ? `${a.tag}_` : ''}${new Date()
    .toISOString()
    .replace(/\D/g, '')
    .slice(0, 14)}`;
  const out = fs.mkdtempSync(path.join(os.tmpdir(), 'model-hub-bench-scale-'));
  const { entities, modelNames } = generate({ models, services, seed: 1 });
  writeCatalog(out, entities);
  const teams = [...new Set(modelNames.map(m => m.team))];
  const catalogFile = path.join(out, 'all.yaml');
  console.log(
    `[bench] generated ${entities.length} entities (${models} models, ${services} services, ${teams.length} teams) in ${out}; back end in ${mode} mode`,
  );
  if (browser) buildApp();
  const table = [];
  const prefixes = [];
  const removeAll = async () => {
    if (a.keep === 'true') return;
    for (const p of prefixes) await portals.dropDatabases(pg, p);
    fs.rmSync(out, { recursive: true, force: true });
  };
  cleanup.push(removeAll);
  let withoutModule;
  try {
    if (a['no-baseline'] !== 'true') {
      const prefix = `mhbench_${stamp}_base_`;
      prefixes.push(prefix);
      const base = await timedPortal(
        { pg, prefix, catalogFile, teams, mode, withoutCatalogModule: true },
        entities.length,
        'without the module',
      );
      withoutModule = base.done.ms;
      await stopPortal(base.portal, a.keep === 'true');
    }
    const prefix = `mhbench_${stamp}_hub_`;
    prefixes.push(prefix);
    let failed = false;
    const { portal, done } = await timedPortal(
      { pg, prefix, catalogFile, teams, mode },
      entities.length,
      'with the module',
    );
    try {
      table.push([
        'catalog first full processing pass, with the module',
        `${(done.ms / 1000).toFixed(1)} s`,
        withoutModule ? '≤ 1.2× without' : '',
        withoutModule
          ? `${(done.ms / withoutModule).toFixed(2)}× ${verdict(
              done.ms <= 1.2 * withoutModule,
            )}`
          : '',
      ]);
      if (withoutModule)
        table.push([
          'catalog first full processing pass, without the module',
          `${(withoutModule / 1000).toFixed(1)} s`,
          'reference',
        ]);

      const published = modelNames.slice(0, publishModels);
      const t0 = Date.now();
      const pub = await phase('publishing', portal, () =>
        publish({
          portal: portal.baseUrl,
          token: portal.token,
          modelNames: published,
          versions,
        }),
      );
      await portals.waitForGauntletIdle(pg, prefix);
      console.log(
        `[bench] published ${pub.done} versions (${
          pub.failed
        } failed) of ${publishModels} models; gauntlet idle after ${Math.round(
          (Date.now() - t0) / 1000,
        )} s`,
      );
      table.push([
        `versions published (small artifacts; gauntlet ran on each)`,
        `${pub.done} of ${publishModels * versions} (${pub.failed} failed)`,
        `${models} models × ${versions} wanted`,
        publishModels < models ? 'subset' : '',
      ]);

      const pid = portals.backendPid(portal.pid);
      const http = await phase('HTTP rows', portal, () =>
        measureHttp({
          portal: portal.baseUrl,
          token: portal.token,
          clients,
          requests,
          backendPid: pid,
          names: published.map(m => m.name),
        }),
      );
      table.push(...httpRows(http));

      if (browser) {
        const { measureBrowser } = require('./scaleBrowser');
        const b = await phase('browser', portal, () =>
          measureBrowser({
            baseUrl: portal.baseUrl,
            modelNames: published.map(m => m.name),
          }),
        );
        table.push(
          [
            `browser: hub page first results (median of ${b.runs})`,
            ms(b.hubFirstResults),
            '≤ 1 s',
            verdict(b.hubFirstResults <= 1000),
          ],
          [
            `browser: facet click to new results (median of ${b.runs})`,
            ms(b.facetClick),
            '≤ 300 ms',
            verdict(b.facetClick <= 300),
          ],
          [
            `browser: model page first render, tier badge (median of ${b.runs})`,
            ms(b.modelFirstRender),
            '≤ 1.5 s',
            verdict(b.modelFirstRender <= 1500),
          ],
        );
      }

      const s = await phase('stewardship', portal, () =>
        stewardship(portal, pg, prefix, pid),
      );
      table.push(
        [
          `stewardship evaluation of the portfolio (${s.outcome})`,
          `${s.seconds.toFixed(1)} s`,
          '≤ 60 s',
          verdict(s.seconds <= 60),
        ],
        [
          `back-end peak RSS during it (${s.peakFrom}); RSS before`,
          `${mb(s.peak)}; ${mb(s.before)} (+${mb(s.peak - s.before)})`,
          '≤ 512 MB',
          `${verdict(s.peak <= 512)} (runs in the back end)`,
        ],
      );
      const m = portals.memory(pid);
      table.push([
        'back-end RSS after the run (lifetime peak)',
        `${mb(m.rss)} (${mb(m.hwm)})`,
        '≤ 1 GB',
        verdict(m.rss <= 1024),
      ]);
      // What that RSS is made of (after the row above: the probe's full
      // collection changes it).
      table.push(await heapRow(pid));
      printTable(
        `Scale benchmark (PostgreSQL, back end in ${mode} mode, ${
          http.sample.totalItems
        } visible models, ${
          entities.length
        } catalog entities, ${clients} clients × ${requests} requests per HTTP row; load average ${os
          .loadavg()
          .map(l => l.toFixed(1))
          .join(' ')} on ${os.cpus().length} cores)`,
        table,
      );
    } catch (e) {
      failed = true;
      throw e;
    } finally {
      await stopPortal(portal, a.keep === 'true' || failed);
    }
  } finally {
    await removeAll();
  }
}

/** The table row splitting the back end's RSS: live heap, garbage, the rest. */
async function heapRow(pid) {
  const what =
    'back-end memory after the run: JS heap used / total, outside the heap; after a full GC: RSS, heap used';
  try {
    const { before: b, after: g } = await probeHeap(pid);
    const m = n => `${Math.round(n / 1024 / 1024)} MB`;
    return [
      what,
      `${m(b.heapUsed)} / ${m(b.heapTotal)}, ${m(b.external)}; ${m(g.rss)}, ${m(
        g.heapUsed,
      )}`,
      'explains the RSS rows',
      '',
    ];
  } catch (e) {
    return [what, `not measured: ${e.message}`, '', ''];
  }
}

async function main() {
  const a = args(process.argv.slice(2));
  if (a.portal) await againstRunningPortal(a);
  else await ownPortal(a);
}

main().catch(e => {
  console.error(`bench:scale failed: ${e.message ?? e}`);
  process.exit(1);
});
