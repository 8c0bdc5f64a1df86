#!/usr/bin/env node
/*
 * Scale benchmark against a running portal (PostgreSQL, loaded with
 * `npm run gen:portfolio`), printing one table from one run:
 *
 *   MODEL_HUB_TOKEN=… npm run bench:scale -- [--portal http://localhost:7007]
 *     [--clients 50] [--requests 500] [--backend-pid <pid>]
 *
 * Rows: hub search (GET /api/model-hub/v1/models, a task filter) vs the
 * catalog's own /entities/by-query for the same filter, model page load
 * (entity + versions + gauntlet + consumers, in parallel as the page does),
 * versions GET and gauntlet GET, each p50/p95 at --clients concurrent
 * clients; and the backend's RSS after the run (/proc/<pid>/status).
 * Catalog processing with and without the module and the stewardship
 * evaluation need a restarted backend each; they are not measured here.
 */
'use strict';

const fs = require('node:fs');

function args(argv) {
  const out = {};
  for (let i = 0; i < argv.length; i += 2)
    out[argv[i].replace(/^--/, '')] = argv[i + 1];
  return out;
}

function percentile(sorted, p) {
  if (!sorted.length) return NaN;
  return sorted[
    Math.min(sorted.length - 1, Math.floor((p / 100) * sorted.length))
  ];
}

/** Runs `task(i)` `requests` times with `clients` in flight; returns sorted ms. */
async function load(task, { clients, requests }) {
  const times = [];
  let next = 0;
  let errors = 0;
  await Promise.all(
    Array.from({ length: clients }, async () => {
      while (next < requests) {
        const i = next++;
        const t0 = process.hrtime.bigint();
        try {
          await task(i);
        } catch (e) {
          errors++;
          if (errors <= 3) console.error(String(e.message ?? e));
        }
        times.push(Number(process.hrtime.bigint() - t0) / 1e6);
      }
    }),
  );
  return { sorted: times.sort((a, b) => a - b), errors };
}

async function main() {
  const a = args(process.argv.slice(2));
  const portal = (a.portal ?? 'http://localhost:7007').replace(/\/$/, '');
  const token = a.token ?? process.env.MODEL_HUB_TOKEN;
  if (!token)
    throw new Error(
      'Set MODEL_HUB_TOKEN (or --token): a token that may read the catalog and the hub',
    );
  const clients = Number(a.clients ?? 50);
  const requests = Number(a.requests ?? 500);
  const headers = {
    Authorization: `Bearer ${token}`,
    'Accept-Encoding': 'identity',
  };
  const get = async path => {
    const res = await fetch(`${portal}${path}`, { headers });
    if (!res.ok) throw new Error(`GET ${path}: HTTP ${res.status}`);
    return res.json();
  };

  // Models to visit: a page of the hub's own search.
  const sample = await get('/api/model-hub/v1/models?limit=100&sort=name');
  if (!sample.items?.length)
    throw new Error(
      'The portal lists no models; load a portfolio first (npm run gen:portfolio)',
    );
  const refs = sample.items.map(i => i.entity.metadata.name);
  const task = sample.facets?.task?.[0]?.value ?? 'text-classification';
  const withVersion = sample.items
    .filter(i => i.tier.version)
    .map(i => [i.entity.metadata.name, i.tier.version]);

  const rows = [];
  const run = async (name, fn) => {
    const { sorted, errors } = await load(fn, { clients, requests });
    rows.push({
      name,
      p50: percentile(sorted, 50),
      p95: percentile(sorted, 95),
      n: sorted.length,
      errors,
    });
  };
  await run(`hub search (task=${task})`, () =>
    get(`/api/model-hub/v1/models?task=${encodeURIComponent(task)}&limit=25`),
  );
  await run('catalog /entities/by-query (same filter)', () =>
    get(
      `/api/catalog/entities/by-query?filter=kind=model,spec.task=${encodeURIComponent(
        task,
      )}&limit=25&orderField=metadata.name,asc`,
    ),
  );
  await run('model page load (4 calls)', i => {
    const name = refs[i % refs.length];
    return Promise.all([
      get(`/api/catalog/entities/by-name/model/default/${name}`),
      get(`/api/model-hub/v1/models/default/${name}/versions`),
      get(`/api/model-hub/v1/models/default/${name}/gauntlet`).catch(
        () => undefined,
      ),
      get(
        `/api/catalog/entities/by-query?filter=relations.dependsOn=model:default/${name}&limit=50`,
      ),
    ]);
  });
  await run('versions GET', i =>
    get(`/api/model-hub/v1/models/default/${refs[i % refs.length]}/versions`),
  );
  await run('gauntlet GET', i =>
    get(`/api/model-hub/v1/models/default/${refs[i % refs.length]}/gauntlet`),
  );
  if (withVersion.length) {
    await run('gauntlet runs GET', i => {
      const [name, version] = withVersion[i % withVersion.length];
      return get(
        `/api/model-hub/v1/models/default/${name}/versions/${version}/gauntlet/runs`,
      );
    });
  }

  let rss = 'n/a (pass --backend-pid)';
  if (a['backend-pid']) {
    const status = fs.readFileSync(`/proc/${a['backend-pid']}/status`, 'utf8');
    rss = `${Math.round(
      Number(/VmRSS:\s+(\d+)/.exec(status)[1]) / 1024,
    )} MB (peak ${Math.round(
      Number(/VmHWM:\s+(\d+)/.exec(status)[1]) / 1024,
    )} MB)`;
  }
  console.log(
    `\nScale benchmark: ${portal}, ${sample.totalItems} visible models, ${clients} clients, ${requests} requests per row`,
  );
  console.log('| what | p50 ms | p95 ms | requests | errors |');
  console.log('| --- | ---: | ---: | ---: | ---: |');
  for (const r of rows)
    console.log(
      `| ${r.name} | ${r.p50.toFixed(1)} | ${r.p95.toFixed(1)} | ${r.n} | ${
        r.errors
      } |`,
    );
  console.log(`| backend RSS after the run | ${rss} | | | |`);
}

main().catch(e => {
  console.error(`bench:scale failed: ${e.message ?? e}`);
  process.exit(1);
});
