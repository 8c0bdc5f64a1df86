/*
 * bench:scale's HTTP load: N concurrent clients issuing one kind of request,
 * and the rows the benchmark measures that way: a floor (the cheapest
 * authenticated hub route), hub search vs the catalog, the model page's
 * load as issue #18 defines it and its whole overview tab, versions and
 * gauntlet GETs. Every row is also quoted as a ratio to the floor measured
 * in the same run.
 */
'use strict';

const path = require('node:path');
const { keepAliveRequester } = require('./keepAliveClient');
const {
  modelPageLoader,
  modelPageIssueLoader,
  modelPageCatalogLoader,
  MODEL_PAGE_CATALOG_CALLS,
  overviewCalls,
  overviewHasGraph,
  MODEL_PAGE_ISSUE_CALLS,
} = require('./modelPage');

function percentile(sorted, p) {
  if (!sorted.length) return NaN;
  return sorted[
    Math.min(sorted.length - 1, Math.floor((p / 100) * sorted.length))
  ];
}

/**
 * CPU seconds (user + system) a process has used, from /proc/<pid>/stat;
 * undefined when it cannot be read (no pid, not Linux, process gone).
 */
function cpuSeconds(pid) {
  if (!pid) return undefined;
  if (Array.isArray(pid)) {
    // Replicas: their sum.
    const each = pid.map(cpuSeconds);
    return each.includes(undefined) ? undefined : each.reduce((a, b) => a + b);
  }
  try {
    const stat = require('node:fs').readFileSync(`/proc/${pid}/stat`, 'utf8');
    // Fields after the command name (which may hold spaces) start at state.
    const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
    return (Number(fields[11]) + Number(fields[12])) / CLOCK_TICKS;
  } catch {
    return undefined;
  }
}

/** Linux's USER_HZ: /proc/<pid>/stat counts CPU time in 1/100 s. */
const CLOCK_TICKS = 100;

/**
 * bench:scale's search pair for one task: the request the hub page's table
 * waits for (page of 25, total, tiers: facets=false) and the catalog's own
 * query of the same filter. pageTail.js and scaleAb.js time the same pair.
 */
function searchPairPaths(task) {
  const q = encodeURIComponent(task);
  return {
    hub: `/api/model-hub/v1/models?task=${q}&limit=25&facets=false`,
    catalog: `/api/catalog/entities/by-query?filter=kind=model,spec.task=${q}&limit=25&orderField=metadata.name,asc`,
  };
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

/** A JSON GET helper for one portal and token (no compression, as a proxy would see it). */
function client(portal, token) {
  const request = keepAliveRequester(portal, token);
  return async p => (await request(p)).json();
}

/**
 * Measures the HTTP rows; returns { rows, sample } where each row is
 * { name, p50, p95, n, errors } and sample is the first page of the hub.
 */
async function measureHttp({
  portal,
  token,
  clients,
  requests,
  names,
  backendPid,
}) {
  const get = client(portal, token);
  const sample = await get('/api/model-hub/v1/models?limit=100&sort=name');
  if (!sample.items?.length)
    throw new Error(
      'The portal lists no models; load a portfolio first (npm run gen:portfolio)',
    );
  // Model pages of models with versions (the published ones) when known.
  const refs = names?.length
    ? names
    : sample.items.map(i => i.entity.metadata.name);
  const task = sample.facets?.task?.[0]?.value ?? 'text-classification';

  const rows = [];
  /**
   * Loads `fn` at `clients` for `n` requests; adds latencies, errors, the
   * back end's CPU seconds and wall time to `acc`.
   */
  const block = async (fn, n, acc) => {
    const from = process.hrtime.bigint();
    const cpu0 = process.cpuUsage();
    const backend0 = cpuSeconds(backendPid);
    const { sorted, errors } = await load(fn, { clients, requests: n });
    const cpu = process.cpuUsage(cpu0);
    const backend1 = cpuSeconds(backendPid);
    acc.times.push(...sorted);
    acc.blocks.push(
      `${Math.round(percentile(sorted, 50))}/${Math.round(
        percentile(sorted, 95),
      )}`,
    );
    acc.errors += errors;
    acc.requests += n;
    acc.backendSeconds =
      backend0 === undefined || backend1 === undefined
        ? NaN
        : acc.backendSeconds + (backend1 - backend0);
    acc.clientMs += (cpu.user + cpu.system) / 1000;
    acc.wallMs += Number(process.hrtime.bigint() - from) / 1e6;
    acc.marks.push(`${from}..${process.hrtime.bigint()}`);
  };
  const newAcc = () => ({
    times: [],
    errors: 0,
    requests: 0,
    backendSeconds: 0,
    clientMs: 0,
    wallMs: 0,
    marks: [],
    blocks: [],
  });
  /** Turns what `block` gathered into a row and logs it. */
  const finish = (name, acc) => {
    const sorted = acc.times.sort((a, b) => a - b);
    // The back end's own CPU per request does not depend on what else the
    // machine runs: with one Node thread, `clients` × this is about the
    // p50 a closed loop of `clients` can reach on an otherwise idle core.
    const backendCpuMs = (acc.backendSeconds * 1000) / acc.requests;
    // Monotonic marks (the clock of --cpu-prof profiles) and the client's
    // own CPU share, so a profile can be cut to the row and the load client
    // is seen not to be the bottleneck.
    console.log(
      `[bench] row "${name}": p50 ${Math.round(
        percentile(sorted, 50),
      )} ms, p95 ${Math.round(percentile(sorted, 95))} ms, ${
        acc.errors
      } errors, ${Math.round(
        (acc.requests * 1000) / acc.wallMs,
      )} req/s, back end ${backendCpuMs.toFixed(
        2,
      )} ms CPU per request; p50/p95 ms by block ${acc.blocks.join(
        ' ',
      )}; hrtime ${acc.marks.join(', ')} ns, client CPU ${(
        acc.clientMs / acc.wallMs
      ).toFixed(2)} cores over ${Math.round(acc.wallMs)} ms`,
    );
    rows.push({
      name,
      p50: percentile(sorted, 50),
      p95: percentile(sorted, 95),
      n: sorted.length,
      errors: acc.errors,
      backendCpuMs,
      perSecond: (acc.requests * 1000) / acc.wallMs,
    });
    return rows[rows.length - 1];
  };
  /** A short warm-up so a row does not pay for cold caches alone. */
  const warm = fn => load(fn, { clients: Math.min(clients, 5), requests: 10 });
  const run = async (name, fn) => {
    await warm(fn);
    const acc = newAcc();
    await block(fn, requests, acc);
    return finish(name, acc);
  };
  /**
   * Two rows measured in alternating blocks (a, b, b, a, …) so that both see
   * the same machine load; each row merges its blocks. A row's blocks go on
   * where its previous block stopped (`fn` gets the row's own request
   * index), so a row of model pages visits each model once, as `run` does.
   */
  const interleaved = async (a, b, rounds = 4) => {
    await warm(a.fn);
    await warm(b.fn);
    const n = Math.max(1, Math.round(requests / rounds));
    const accA = newAcc();
    const accB = newAcc();
    for (let r = 0; r < rounds; r++) {
      const order = r % 2 === 0 ? [a, b] : [b, a];
      for (const which of order) {
        await block(i => which.fn(r * n + i), n, which === a ? accA : accB);
      }
    }
    return [finish(a.name, accA), finish(b.name, accB)];
  };
  // The floor: the hub's cheapest authenticated route (the router's auth
  // middleware validates the token; the handler returns a constant), at the
  // same clients with the same token. Nothing the hub serves can be faster.
  const health = () => get('/api/model-hub/v1/health');
  // The floor is the first row: one uncounted block first, so that it is
  // not measured on a JIT-cold back end (cold, it read 1.2-1.4 ms CPU per
  // request; warm, 0.45-0.58 ms).
  await block(health, requests, newAcc());
  const floor = await run(
    'floor: authenticated constant (hub /v1/health)',
    health,
  );
  const q = encodeURIComponent(task);
  // The hub row is the request the hub page's table waits for (page,
  // total, tiers: facets=false); the facet counts are their own row.
  const pair = searchPairPaths(task);
  await interleaved(
    {
      name: `hub search (task=${task}, page of 25 + total + tiers, facets=false)`,
      fn: () => get(pair.hub),
    },
    {
      name: 'catalog /entities/by-query (same filter, page of 25)',
      fn: () => get(pair.catalog),
    },
  );
  // The issue's row (card + versions + gauntlet + consumers), then the
  // whole overview tab the portal opens on, so neither hides the other.
  // Beside it, in alternating blocks, its catalog calls alone: the part of
  // its latency that is Backstage's catalog, which no hub route changes.
  const issuePage = modelPageIssueLoader(keepAliveRequester(portal, token));
  const catalogPart = modelPageCatalogLoader(keepAliveRequester(portal, token));
  await interleaved(
    {
      name: `model page load, issue #18 (${MODEL_PAGE_ISSUE_CALLS})`,
      fn: i => issuePage(refs[i % refs.length]),
    },
    {
      name: `the same page's catalog calls alone (${MODEL_PAGE_CATALOG_CALLS})`,
      fn: i => catalogPart(refs[i % refs.length]),
    },
  );
  // The overview as this checkout's page lays it out.
  const graph = overviewHasGraph(path.join(__dirname, '../..'));
  const page = modelPageLoader(keepAliveRequester(portal, token), { graph });
  await run(`model page overview tab load (${overviewCalls({ graph })})`, i =>
    page(refs[i % refs.length]),
  );
  await run('versions GET', i =>
    get(`/api/model-hub/v1/models/default/${refs[i % refs.length]}/versions`),
  );
  await run('gauntlet GET', i =>
    get(`/api/model-hub/v1/models/default/${refs[i % refs.length]}/gauntlet`),
  );
  await run(`hub facet counts (GET /v1/models/facets?task=${task})`, () =>
    get(`/api/model-hub/v1/models/facets?task=${q}`),
  );
  for (const r of rows) {
    r.ratioP50 = r.p50 / floor.p50;
    r.ratioP95 = r.p95 / floor.p95;
    r.ratioCpu = r.backendCpuMs / floor.backendCpuMs;
  }
  return { rows, floor, sample };
}

module.exports = {
  measureHttp,
  searchPairPaths,
  load,
  percentile,
  client,
  cpuSeconds,
};
