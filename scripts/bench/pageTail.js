#!/usr/bin/env node
/*
 * Where a model page load's (or the hub search's) tail comes from, at
 * bench:scale's 50 clients:
 *
 *   node scripts/bench/pageTail.js --prefix mhbench_<tag>_<time>_hub_
 *     --catalog /tmp/model-hub-bench-scale-…/all.yaml
 *     [--root <checkout>] [--port 7793] [--requests 300] [--clients 50]
 *     [--rows issue,overview,search,catalog] [--pool N] [--trace-gc]
 *     [--artifacts DIR]
 *     [--lookup-cache-seconds N]
 *
 * Starts one portal of --root (default this checkout) on the databases a
 * `bench:scale … --keep` run left, waits until it idles, then loads each
 * row's page (scaleLoad.js's loaders, unchanged) with every call timed. It
 * prints, per row: the page's p50/p95, each call's p50/p95 inside the
 * loads, and for the slowest 5 % of loads which call finished last (the one
 * the page waited for) and how long each of its stages took (entity, then
 * the rest). Rows `search` and `catalog` are bench:scale's search pair (hub
 * GET /v1/models?task=text-generation&limit=25&facets=false and the
 * catalog's by-query for the same filter), one call per load: for them it
 * prints when in the row the slowest 5 % started. --trace-gc runs the back
 * end with --trace-gc and sums the pauses its log shows during each row;
 * --pool N sets every plugin's knex pool to at most N connections
 * (backend.database.knexConfig.pool.max);
 * --lookup-cache-seconds sets the hub read routes' model lookup cache
 * (modelHub.catalogLookup.cacheSeconds, default 30; 5 until stop 32).
 */
'use strict';

const fs = require('node:fs');
const path = require('node:path');
const { median, parseArgs } = require('./lib');
const { keepAliveRequester } = require('./keepAliveClient');
const { load, percentile, searchPairPaths } = require('./scaleLoad');
const { publishedModelNames } = require('./scalePortal');

const sleep = ms => new Promise(r => setTimeout(r, ms));

/** A call's kind, from its path and method (the row's names for them). */
function kindOf(p, init) {
  if (p.includes('/entities/by-refs')) {
    const body = JSON.parse(init?.body ?? '{}');
    if (!body.fields) return 'graph (by-refs)';
    if (body.fields.includes('metadata.title')) return 'link titles (by-refs)';
    return body.fields.includes('relations') ? 'consumers' : 'relation check';
  }
  if (p.includes('/entities/by-query')) return 'catalog by-query';
  if (p.includes('/model-hub/v1/models?')) return 'hub search';
  if (p.endsWith('/ancestry')) return 'ancestry';
  if (p.includes('/entities/by-name/')) return 'entity';
  if (/\/files\/.*readme\.md$/i.test(p)) return 'README range GET';
  if (p.includes('/files/')) return 'README image GET';
  if (p.endsWith('/versions')) return 'versions';
  if (p.endsWith('/gauntlet')) return 'gauntlet';
  if (p.endsWith('/usage')) return 'usage';
  if (p.includes('/stewardship/tasks')) return 'stewardship tasks';
  if (p.endsWith('/overrides')) return 'stewardship overrides';
  return p;
}

/** CPU ms (user + system) of a process so far. */
function cpuMs(pid) {
  const stat = fs.readFileSync(`/proc/${pid}/stat`, 'utf8');
  const f = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
  return (Number(f[11]) + Number(f[12])) * 10;
}

/** Sum and max of the --trace-gc pauses in `text` (lines "… ms: Scavenge … MB, 3.3 / 0.0 ms"), by kind. */
function gcPauses(text) {
  const out = {};
  for (const m of text.matchAll(
    /ms: (Scavenge|Minor Mark-Sweep|Mark-Compact|Mark-sweep)[^\n]*?MB, ([\d.]+) \/ [\d.]+ ms/g,
  )) {
    const o = (out[m[1]] ??= { n: 0, sum: 0, max: 0 });
    o.n++;
    o.sum += Number(m[2]);
    o.max = Math.max(o.max, Number(m[2]));
  }
  return out;
}

async function main() {
  const a = parseArgs(process.argv.slice(2));
  for (const k of ['prefix', 'catalog'])
    if (!a[k])
      throw new Error(`--${k} is required; see the header of this file`);
  const root = path.resolve(a.root ?? path.join(__dirname, '../..'));
  const pg = a.pg ?? 'postgresql://postgres:postgres@127.0.0.1:5432';
  const clients = Number(a.clients ?? 50);
  const requests = Number(a.requests ?? 300);
  const rowNames = (a.rows ?? 'issue,overview').split(',');
  const { startPortal } = require(`${root}/e2e/portal`);
  const loaders = require('./modelPage');
  const graph = loaders.overviewHasGraph(root);
  const { backendPid } = require(`${root}/scripts/bench/scalePortal`);
  const names = await publishedModelNames(pg, a.prefix);

  const portal = await startPortal({
    port: Number(a.port ?? 7793),
    ...(a['trace-gc'] === 'true'
      ? {
          env: {
            NODE_OPTIONS: `--require ${path.join(__dirname, 'gcTraceHook.js')}`,
          },
        }
      : {}),
    database: {
      client: 'pg',
      connection: pg,
      prefix: a.prefix,
      ...(a.pool ? { knexConfig: { pool: { max: Number(a.pool) } } } : {}),
    },
    catalog: {
      processingInterval: { hours: 6 },
      locations: [{ type: 'file', target: a.catalog }],
    },
    modelHub: {
      // The publishing portal's artifacts (bench:scale --keep prints them).
      ...(a.artifacts
        ? { artifacts: { local: { directory: path.resolve(a.artifacts) } } }
        : {}),
      stewardship: {
        schedule: { frequency: { hours: 24 }, timeout: { minutes: 30 } },
      },
      ...(a['lookup-cache-seconds'] === undefined
        ? {}
        : {
            catalogLookup: {
              cacheSeconds: Number(a['lookup-cache-seconds']),
            },
          }),
    },
  });
  for (const signal of ['SIGINT', 'SIGTERM'])
    process.once(signal, async () => {
      await portal.stop();
      process.exit(130);
    });
  try {
    const pid = backendPid(portal.pid);
    // Until the back end idles (its catalog pass after start), 2 minutes at most.
    for (let i = 0; i < 24; i++) {
      const c0 = cpuMs(pid);
      await sleep(5000);
      if (cpuMs(pid) - c0 < 250) break;
    }
    const base = keepAliveRequester(portal.baseUrl, portal.token);
    /** A requester that times each call into `calls`. */
    const timed = calls => (p, init) => {
      const call = { kind: kindOf(p, init), start: performance.now() };
      calls.push(call);
      return base(p, init).finally(() => {
        call.end = performance.now();
      });
    };
    // bench:scale's search pair: the hub's page (total, tiers) and the
    // catalog's own query for the same filter, one call per load.
    const pair = searchPairPaths('text-generation');
    const rows = {
      issue: loaders.modelPageIssueLoader,
      overview: request => loaders.modelPageLoader(request, { graph }),
      search: request => () => request(pair.hub),
      catalog: request => () => request(pair.catalog),
    };
    for (const row of rowNames) {
      // One loader per load (a closure over the requester), so each load's
      // calls are its own.
      const loadOnce = async (name, calls) => rows[row](timed(calls))(name);
      await load(i => loadOnce(names[i % names.length], []), {
        clients,
        requests: 50,
      });
      const loads = [];
      const logBefore = fs.statSync(portal.logFile).size;
      const cpu0 = cpuMs(pid);
      const t0 = Date.now();
      await load(
        async i => {
          const calls = [];
          const start = performance.now();
          await loadOnce(names[i % names.length], calls);
          loads.push({ start, end: performance.now(), calls });
        },
        { clients, requests },
      );
      const wall = Date.now() - t0;
      const cpu = cpuMs(pid) - cpu0;
      const log = fs
        .readFileSync(portal.logFile)
        .subarray(logBefore)
        .toString();
      report(row, loads, { cpu, wall, requests, gc: gcPauses(log) });
    }
  } finally {
    await portal.stop();
  }
}

/** Prints one row's breakdown. */
function report(row, loads, { cpu, wall, requests, gc }) {
  const total = loads.map(l => l.end - l.start).sort((x, y) => x - y);
  console.log(
    `\n## ${row}: ${loads.length} loads, p50 ${Math.round(
      percentile(total, 50),
    )} / p95 ${Math.round(percentile(total, 95))} ms, back end ${(
      cpu / requests
    ).toFixed(1)} ms CPU per load, ${(cpu / wall).toFixed(2)} cores`,
  );
  const byKind = new Map();
  for (const l of loads)
    for (const c of l.calls) {
      if (c.end === undefined) continue;
      const list = byKind.get(c.kind) ?? [];
      list.push(c.end - c.start);
      byKind.set(c.kind, list);
    }
  console.log('| call | n | p50 ms | p95 ms | max ms |');
  console.log('| --- | ---: | ---: | ---: | ---: |');
  for (const [kind, list] of byKind) {
    list.sort((x, y) => x - y);
    console.log(
      `| ${kind} | ${list.length} | ${Math.round(
        percentile(list, 50),
      )} | ${Math.round(percentile(list, 95))} | ${Math.round(
        list[list.length - 1],
      )} |`,
    );
  }
  // The slowest 5 %: which call ended last, and how the load's time splits
  // into the entity's wait and the rest's.
  const cut = percentile(total, 95);
  const slow = loads.filter(l => l.end - l.start >= cut);
  const last = new Map();
  const entityMs = [];
  const restMs = [];
  for (const l of slow) {
    const ended = l.calls.reduce((x, y) => (y.end > x.end ? y : x));
    last.set(ended.kind, (last.get(ended.kind) ?? 0) + 1);
    const entity = l.calls.find(c => c.kind === 'entity');
    if (!entity) continue;
    entityMs.push(entity.end - entity.start);
    restMs.push(l.end - entity.end);
  }
  // When the slow loads started, by tenth of the row: bunched, they share
  // one event (a collection, a background query); spread, they are queueing.
  const t0 = Math.min(...loads.map(l => l.start));
  const span = Math.max(...loads.map(l => l.end)) - t0;
  const tenths = new Array(10).fill(0);
  for (const l of slow)
    tenths[Math.min(9, Math.floor(((l.start - t0) / span) * 10))]++;
  console.log(
    `slowest ${slow.length} loads (≥ ${Math.round(
      cut,
    )} ms) started in tenths of the row: ${tenths.join(' ')}`,
  );
  if (entityMs.length)
    console.log(
      `slowest ${slow.length} loads (≥ ${Math.round(
        cut,
      )} ms): entity ${Math.round(
        median(entityMs),
      )} ms, then the rest ${Math.round(
        median(restMs),
      )} ms (medians); last to finish: ${[...last]
        .sort((x, y) => y[1] - x[1])
        .map(([k, n]) => `${k} ${n}`)
        .join(', ')}`,
    );
  const all = loads.flatMap(l => {
    const entity = l.calls.find(c => c.kind === 'entity');
    return entity ? [[entity.end - entity.start, l.end - entity.end]] : [];
  });
  if (all.length)
    console.log(
      `all loads: entity ${Math.round(
        median(all.map(x => x[0])),
      )} ms, then the rest ${Math.round(
        median(all.map(x => x[1])),
      )} ms (medians)`,
    );
  const g = Object.entries(gc);
  if (g.length)
    console.log(
      `GC during the row: ${g
        .map(
          ([k, o]) =>
            `${k} ${o.n}× ${Math.round(o.sum)} ms (max ${Math.round(
              o.max,
            )} ms)`,
        )
        .join(', ')}; ${(
        g.reduce((s, [, o]) => s + o.sum, 0) / loads.length
      ).toFixed(1)} ms per load`,
    );
}

main().catch(e => {
  console.error(e);
  process.exit(1);
});
