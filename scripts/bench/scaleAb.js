#!/usr/bin/env node
/*
 * Before/after of bench:scale's floor, versions and gauntlet rows (and the
 * model page's loads: the issue's definition, card + versions + gauntlet +
 * consumers, and the whole overview tab) on a shared, loaded machine:
 *
 *   node scripts/bench/scaleAb.js --prefix mhbench_<time>_hub_
 *     --catalog /tmp/model-hub-bench-scale-…/all.yaml
 *     --a /path/to/checkout-before --b /path/to/checkout-after [--c …]
 *     [--mode production|development] [--a-mode …] [--b-mode …] [--c-mode …]
 *     [--ports 7791,7792] [--rounds 8] [--requests 300] [--no-page]
 *     [--lookup-cache-seconds N] [--a-lookup-cache-seconds N] (b, c alike)
 *     [--pg postgresql://…] [--profile DIR]
 *     [--settle-seconds 300] [--page-calls] [--only search,catalog]
 *     [--artifacts DIR]
 *
 * The back ends run as bench:scale's do: one node process each (no
 * watcher), in production mode (NODE_ENV=production; this checkout's
 * e2e/portal.js portalMode, passed to each checkout's startPortal as its
 * environment and hub config). --X-mode development runs portal X as the
 * runs before 2026-12-07 did; with a third checkout (--c, often the same
 * as --a in the other mode) one run tells what the mode changes and what
 * the code does, on the same load. The columns are a, b (and c).
 *
 * Uses the databases and catalog a `bench:scale … --keep` run left. Starts
 * both checkouts' portals at once on those databases (two replicas), waits
 * until both back ends idle, warms each row up, then runs every row on
 * both portals in alternating order (a, b, then b, a) for --rounds rounds,
 * so both see the same machine load. Per block it reads each back end's CPU
 * from /proc, and subtracts the back end's idle rate (scheduled tasks,
 * pollers) over the block's wall time; it prints the medians. The model
 * page rows run last (their downloads and catalog calls leave work behind).
 *
 * Two things move these rows more than most changes do: a JIT-cold back end
 * (the first pass after start costs about twice a warm one), and the read
 * routes' model lookup cache (`modelHub.catalogLookup.cacheSeconds`, 30 s by default):
 * a block that starts with expired entries pays a catalog call per model.
 * `--lookup-cache-seconds 3600` takes the second out, to compare the
 * routes' own work.
 *
 * --profile DIR runs both back ends with cpuProfileHook.js (profiles in
 * DIR/a and DIR/b, written when they stop) and prints, per row and
 * portal, where the sampled CPU of its blocks went (profileWindows.js).
 * The profiler costs CPU itself: take the figures of a run without it.
 *
 * --page-calls adds a row per call of the model page's load (the calls of
 * scaleLoad.js's modelPageLoader, each alone at 50 clients), to see which
 * of them the page's CPU goes to.
 *
 * The hub search row (GET /v1/models?task=…&facets=false: page, total,
 * tiers) is paired with the catalog's own /entities/by-query for the same
 * filter, as bench:scale measures them: the hub's goal is a p95 no higher
 * than the catalog's. --only keeps the rows whose names hold one of the
 * given words (the floor always runs).
 *
 * --artifacts DIR is the artifact directory of the bench:scale portal that
 * published the versions (bench:scale --keep prints it): the portals here
 * start with fresh data directories, so without it every file read (the
 * README card's) answers 404 and measures an error path.
 *
 * Two portals hold about twice one portal's PostgreSQL connections: with
 * the default max_connections (100) and other portals on the same server,
 * a third one fails requests with "too many clients already".
 */
'use strict';

const fs = require('node:fs');
const os = require('node:os');
const { Client } = require('pg');
const path = require('node:path');
const { median, parseArgs: args } = require('./lib');
const { printRows } = require('./profileWindows');
const { keepAliveRequester } = require('./keepAliveClient');
const { searchPairPaths } = require('./scaleLoad');
const {
  readmeOf,
  RELATION_CHECK_FIELDS,
  CONSUMER_FIELDS,
  README_RANGE,
  PRESENTATION_FIELDS,
  GRAPH_RELATIONS,
  modelPageLoader,
  modelPageIssueLoader,
  overviewHasGraph,
  overviewLinks,
} = require('./modelPage');
const { assertPortFree, portalMode } = require('../../e2e/portal');

const sleep = ms => new Promise(r => setTimeout(r, ms));

/** CPU ms (user + system) of a process so far, from /proc. */
function cpuMs(pid) {
  const stat = fs.readFileSync(`/proc/${pid}/stat`, 'utf8');
  const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
  return (Number(fields[11]) + Number(fields[12])) * 10;
}

/** The models with versions in the hub database of the prefix. */
async function publishedModels(pg, prefix) {
  const url = new URL(pg);
  url.pathname = `/${prefix}model-hub`;
  const client = new Client({ connectionString: url.toString() });
  await client.connect();
  try {
    const { rows } = await client.query(
      'SELECT DISTINCT entity_ref FROM model_versions ORDER BY entity_ref',
    );
    return rows.map(r => r.entity_ref.split('/')[1]);
  } finally {
    await client.end();
  }
}

async function startOne({
  label,
  root,
  port,
  pg,
  prefix,
  catalog,
  cache,
  profileDir,
  artifacts,
  mode,
}) {
  const { startPortal } = require(`${root}/e2e/portal`);
  const settings = portalMode(mode);
  const load = require(`${root}/scripts/bench/scaleLoad`);
  const { backendPid } = require(`${root}/scripts/bench/scalePortal`);
  const portal = await startPortal({
    port,
    // As bench:scale runs it: one node process, no watcher or source maps.
    plain: true,
    mode,
    env: {
      ...settings.env,
      ...(profileDir
        ? {
            NODE_OPTIONS: `--require ${path.join(
              __dirname,
              'cpuProfileHook.js',
            )}`,
            CPU_PROFILE_DIR: profileDir,
          }
        : {}),
    },
    database: { client: 'pg', connection: pg, prefix },
    // The kept catalog is processed already: one pass at start, then quiet.
    catalog: {
      processingInterval: { hours: 6 },
      locations: [{ type: 'file', target: catalog }],
    },
    modelHub: {
      ...settings.modelHub,
      stewardship: {
        schedule: { frequency: { hours: 24 }, timeout: { minutes: 30 } },
      },
      ...(artifacts ? { artifacts: { local: { directory: artifacts } } } : {}),
      ...(cache === undefined
        ? {}
        : { catalogLookup: { cacheSeconds: Number(cache) } }),
    },
  });
  const request = keepAliveRequester(portal.baseUrl, portal.token);
  return {
    label,
    mode,
    cache,
    portal,
    pid: backendPid(portal.pid),
    // The back end is the largest process under the portal; read again
    // while settling (early on, the CLI that starts it can be larger).
    resolvePid: () => backendPid(portal.pid),
    load: load.load,
    request,
    get: async path => (await request(path)).json(),
    // This checkout's loaders (checked against the browser's calls by
    // e2e/tests/18-model-page-calls.test.js) for both checkouts, each with
    // its own overview's layout (the catalog graph card on it or not).
    page: modelPageLoader(request, { graph: overviewHasGraph(root) }),
    issuePage: modelPageIssueLoader(request),
  };
}

async function main() {
  const a = args(process.argv.slice(2));
  const labels = ['a', 'b', 'c'].filter(l => a[l]);
  for (const k of ['prefix', 'catalog', 'a', 'b'])
    if (!a[k])
      throw new Error(`--${k} is required; see the header of this file`);
  const pg = a.pg ?? 'postgresql://postgres:postgres@127.0.0.1:5432';
  const ports = (a.ports ?? '7791,7792,7793').split(',').map(Number);
  const rounds = Number(a.rounds ?? 8);
  const requests = Number(a.requests ?? 300);
  const settleMs = Number(a['settle-seconds'] ?? 300) * 1000;
  const names = await publishedModels(pg, a.prefix);
  if (!names.length) throw new Error(`No published models under ${a.prefix}`);
  const portals = [];
  const profile = a.profile && path.resolve(a.profile);
  /** Per portal label and row: the blocks' hrtime windows and requests. */
  const marks = new Map();
  // Ctrl-C or SIGTERM stops the portals too (they run in their own groups).
  for (const signal of ['SIGINT', 'SIGTERM'])
    process.once(signal, async () => {
      await Promise.all(portals.map(p => p.portal.stop()));
      process.exit(130);
    });
  // Every checkout's portal, older ones too (their startPortal does not
  // check): a taken port would send this run's load to someone else's portal.
  for (const port of ports.slice(0, labels.length)) await assertPortFree(port);
  try {
    for (const [i, label] of labels.entries()) {
      portals.push(
        await startOne({
          label,
          root: a[label],
          port: ports[i],
          pg,
          prefix: a.prefix,
          catalog: a.catalog,
          cache:
            a[`${label}-lookup-cache-seconds`] ?? a['lookup-cache-seconds'],
          artifacts: a.artifacts && path.resolve(a.artifacts),
          profileDir: profile && path.join(profile, label),
          mode: a[`${label}-mode`] ?? a.mode ?? 'production',
        }),
      );
    }
    // Until both back ends idle (the catalog's pass after start is done):
    // three quiet samples in a row, as the first can come before the pass
    // starts (a run read a's idle rate as 254 ms CPU/s, and its rows as
    // negative CPU).
    const started = Date.now();
    for (let quiet = 0; quiet < 3; ) {
      for (const p of portals) p.pid = p.resolvePid();
      const before = portals.map(p => cpuMs(p.pid));
      await sleep(5000);
      const used = portals.map((p, i) => cpuMs(p.pid) - before[i]);
      console.log(`[ab] settling: ${used.join(' / ')} ms CPU in 5 s`);
      quiet = used.every(u => u < 250) ? quiet + 1 : 0;
      if (Date.now() - started > settleMs) break;
    }
    const idle = new Map();
    const before = portals.map(p => cpuMs(p.pid));
    await sleep(10_000);
    portals.forEach((p, i) => idle.set(p, (cpuMs(p.pid) - before[i]) / 10));
    console.log(
      `[ab] idle back ends: ${portals
        .map(p => `${p.label} ${idle.get(p).toFixed(0)} ms CPU/s`)
        .join(', ')}`,
    );

    const hub = '/api/model-hub/v1';
    const rows = [
      ['floor (/v1/health)', p => () => p.get(`${hub}/health`), requests],
      [
        'versions GET',
        p => i =>
          p.get(`${hub}/models/default/${names[i % names.length]}/versions`),
        requests,
      ],
      [
        'gauntlet GET',
        p => i =>
          p.get(`${hub}/models/default/${names[i % names.length]}/gauntlet`),
        requests,
      ],
    ];
    // bench:scale's pair (scaleLoad.js measureHttp): the request the hub
    // page's table waits for, and the catalog's own query of the same filter.
    const pair = searchPairPaths('text-generation');
    rows.push(
      [
        'hub search (task, 25, facets=false)',
        p => () => p.get(pair.hub),
        requests,
      ],
      [
        'catalog by-query (same filter, 25)',
        p => () => p.get(pair.catalog),
        requests,
      ],
    );
    if (a['page-calls'] === 'true')
      rows.push(...(await pageCallRows(portals[0], names, requests)));
    const pageRows = [
      [
        'model page, issue #18 (card + versions + gauntlet + consumers)',
        p => i => p.issuePage(names[i % names.length]),
        Math.max(10, Math.round(requests / 3)),
      ],
      [
        'model page overview tab',
        p => i => p.page(names[i % names.length]),
        Math.max(10, Math.round(requests / 5)),
      ],
    ];
    if (a.only) {
      const words = a.only.split(',');
      const kept = rows.filter(
        ([name], i) => i === 0 || words.some(w => name.includes(w)),
      );
      rows.splice(0, rows.length, ...kept);
    }
    const phases = [[rows, rounds]];
    if (a['no-page'] !== 'true')
      phases.push([pageRows, Math.max(2, Math.ceil(rounds / 2))]);

    const results = new Map();
    for (const [phaseRows, phaseRounds] of phases) {
      for (const p of portals)
        for (const [, fn, n] of phaseRows)
          await p.load(fn(p), { clients: 50, requests: n });
      for (let r = 0; r < phaseRounds; r++) {
        const order = r % 2 ? [...portals].reverse() : portals;
        for (const [name, fn, n] of phaseRows) {
          for (const p of order) {
            const cpu0 = cpuMs(p.pid);
            const t0 = Date.now();
            const from = process.hrtime.bigint();
            const { sorted, errors } = await p.load(fn(p), {
              clients: 50,
              requests: n,
            });
            const wall = Date.now() - t0;
            const mark = marks.get(`${p.label}\n${name}`) ?? {
              windows: [],
              requests: 0,
            };
            mark.windows.push([from, process.hrtime.bigint()]);
            mark.requests += n;
            marks.set(`${p.label}\n${name}`, mark);
            const cpu = cpuMs(p.pid) - cpu0;
            const block = {
              net: (cpu - (idle.get(p) * wall) / 1000) / n,
              p50: sorted[Math.floor(sorted.length * 0.5)],
              p95: sorted[Math.floor(sorted.length * 0.95)],
              errors,
            };
            const key = `${p.label}\n${name}`;
            results.set(key, [...(results.get(key) ?? []), block]);
            console.log(
              `[ab] round ${r} ${p.label} ${name}: ${block.net.toFixed(
                2,
              )} ms CPU/request, p50 ${Math.round(
                block.p50,
              )} ms, p95 ${Math.round(
                block.p95,
              )} ms, ${errors} errors, load ${os
                .loadavg()[0]
                .toFixed(1)}, ${new Date(t0).toISOString()}..${new Date(
                t0 + wall,
              ).toISOString()}`,
            );
          }
        }
      }
    }

    console.log(
      `\nMedians of the blocks (back-end CPU per request net of its idle rate; latency at 50 clients); load average ${os
        .loadavg()
        .map(l => l.toFixed(1))
        .join(' ')} on ${os.cpus().length} cores\n`,
    );
    for (const p of portals)
      console.log(
        `${p.label}: ${a[p.label]} (${p.mode} mode${
          p.cache === undefined ? '' : `, lookup cache ${p.cache} s`
        })`,
      );
    console.log(
      `| row | ${labels
        .map(l => `${l}: CPU ms (× floor)`)
        .join(' | ')} | ${labels.map(l => `${l}: p50 / p95`).join(' | ')} |`,
    );
    console.log(`| --- |${' ---: |'.repeat(labels.length * 2)}`);
    const floorOf = label =>
      median(results.get(`${label}\n${rows[0][0]}`).map(b => b.net));
    for (const [name] of [...rows, ...(phases[1] ? pageRows : [])]) {
      const cell = label => {
        const blocks = results.get(`${label}\n${name}`);
        const net = median(blocks.map(b => b.net));
        return {
          cpu: `${net.toFixed(2)} (${(net / floorOf(label)).toFixed(2)}×)`,
          lat: `${Math.round(median(blocks.map(b => b.p50)))} / ${Math.round(
            median(blocks.map(b => b.p95)),
          )} ms`,
        };
      };
      const cells = labels.map(cell);
      console.log(
        `| ${name} | ${cells.map(c => c.cpu).join(' | ')} | ${cells
          .map(c => c.lat)
          .join(' | ')} |`,
      );
    }
  } finally {
    for (const p of portals) await p.portal.stop();
  }
  if (profile) {
    const rows = [...marks].map(([key, { windows, requests: n }]) => {
      const [label, name] = key.split('\n');
      const { pid } = portals.find(p => p.label === label);
      return {
        name: `${label} ${name}`,
        profile: path.join(profile, label, `${pid}.cpuprofile`),
        windows: windows.map(w => w.map(String)),
        requests: n,
      };
    });
    const file = path.join(profile, 'rows.json');
    fs.writeFileSync(file, JSON.stringify(rows, null, 1));
    // The back ends write their profiles as they exit, after the portals' stop.
    for (const r of rows)
      for (let i = 0; i < 60 && !fs.existsSync(r.profile); i++)
        await sleep(1000);
    printRows(file);
  }
}

/**
 * One row per call of the model page's load (scaleLoad.js modelPageLoader,
 * same paths and bodies), over the models that make the call (a model
 * without consumers makes no consumers call).
 */
async function pageCallRows(portal, names, requests) {
  const hub = '/api/model-hub/v1';
  const post = (entityRefs, fields) => ({
    method: 'POST',
    headers: { 'Content-Type': 'application/json' },
    body: JSON.stringify(fields ? { entityRefs, fields } : { entityRefs }),
  });
  const models = [];
  for (const name of names) {
    const entity = await portal.get(
      `/api/catalog/entities/by-name/model/default/${name}`,
    );
    const ref = `model:default/${name}`;
    const targets = (entity.relations ?? []).map(r => r.targetRef);
    const { items } = await portal.get(
      `${hub}/models/default/${name}/versions`,
    );
    const card = readmeOf(items);
    models.push({
      name,
      ref,
      targets,
      graph: [
        ...new Set(
          (entity.relations ?? [])
            .filter(r => GRAPH_RELATIONS.has(r.type))
            .map(r => r.targetRef)
            .filter(t => t !== ref),
        ),
      ],
      links: [...new Set(overviewLinks(entity).filter(r => r && r !== ref))],
      consumers: (entity.relations ?? [])
        .filter(r => r.type === 'dependencyOf')
        .map(r => r.targetRef),
      readme: card && `${hub}/models/default/${name}${card}`,
    });
  }
  const over = (list, call) => p => i => call(p, list[i % list.length]);
  const json = async (p, path, init) => (await p.request(path, init)).json();
  const withConsumers = models.filter(m => m.consumers.length > 0);
  const withReadme = models.filter(m => m.readme);
  const withTargets = models.filter(m => m.targets.some(t => t !== m.ref));
  const withGraph = models.filter(m => m.graph.length > 0);
  const withLinks = models.filter(m => m.links.length > 0);
  const calls = [
    [
      'entity by name',
      models,
      (p, m) =>
        json(p, `/api/catalog/entities/by-name/model/default/${m.name}`),
    ],
    [
      'ancestry',
      models,
      (p, m) =>
        json(
          p,
          `/api/catalog/entities/by-name/model/default/${m.name}/ancestry`,
        ),
    ],
    [
      'relation check (by-refs, 3 fields)',
      withTargets,
      (p, m) =>
        json(
          p,
          '/api/catalog/entities/by-refs',
          post(m.targets, RELATION_CHECK_FIELDS),
        ),
    ],
    [
      'graph root (by-refs)',
      models,
      (p, m) => json(p, '/api/catalog/entities/by-refs', post([m.ref])),
    ],
    [
      'graph relations (by-refs)',
      withGraph,
      (p, m) => json(p, '/api/catalog/entities/by-refs', post(m.graph)),
    ],
    [
      'link titles (by-refs, presentation fields)',
      withLinks,
      (p, m) =>
        json(
          p,
          '/api/catalog/entities/by-refs',
          post(m.links, PRESENTATION_FIELDS),
        ),
    ],
    [
      'consumers (by-refs)',
      withConsumers,
      (p, m) =>
        json(
          p,
          '/api/catalog/entities/by-refs',
          post(m.consumers, CONSUMER_FIELDS),
        ),
    ],
    [
      'versions',
      models,
      (p, m) => json(p, `${hub}/models/default/${m.name}/versions`),
    ],
    [
      'README range GET',
      withReadme,
      async (p, m) => (await p.request(m.readme, README_RANGE)).arrayBuffer(),
    ],
    [
      'usage',
      models,
      (p, m) => json(p, `${hub}/models/default/${m.name}/usage`),
    ],
    [
      'stewardship tasks',
      models,
      (p, m) =>
        json(
          p,
          `${hub}/stewardship/tasks?entityRef=${encodeURIComponent(m.ref)}`,
        ),
    ],
    [
      'stewardship overrides',
      models,
      (p, m) =>
        json(p, `${hub}/stewardship/models/default/${m.name}/overrides`),
    ],
  ];
  console.log(
    `[ab] page calls over ${models.length} models (${withTargets.length} with relations, ${withConsumers.length} with consumers, ${withReadme.length} with a README)`,
  );
  return calls
    .filter(([, list]) => list.length > 0)
    .map(([name, list, call]) => [`page: ${name}`, over(list, call), requests]);
}

main().catch(e => {
  console.error(e);
  process.exit(1);
});
