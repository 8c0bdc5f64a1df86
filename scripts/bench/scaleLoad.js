/*
 * bench:scale's HTTP load: N concurrent clients issuing one kind of request,
 * and the rows the benchmark measures that way (hub search vs the catalog,
 * model page load, versions and gauntlet GETs).
 */
'use strict';

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

/** A JSON GET helper for one portal and token (no compression, as a proxy would see it). */
function client(portal, token) {
  const headers = {
    Authorization: `Bearer ${token}`,
    'Accept-Encoding': 'identity',
  };
  return async path => {
    const res = await fetch(`${portal}${path}`, { headers });
    if (!res.ok) throw new Error(`GET ${path}: HTTP ${res.status}`);
    return res.json();
  };
}

/**
 * Measures the HTTP rows; returns { rows, sample } where each row is
 * { name, p50, p95, n, errors } and sample is the first page of the hub.
 */
async function measureHttp({ portal, token, clients, requests, names }) {
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
  /** Load of `fn` at `clients`, one block of requests after another. */
  const measure = async (fn, blocks) => {
    const times = [];
    let errors = 0;
    for (const n of blocks) {
      const r = await load(fn, { clients, requests: n });
      times.push(...r.sorted);
      errors += r.errors;
    }
    return { sorted: times.sort((a, b) => a - b), errors };
  };
  const run = async (name, fn) => {
    // A short warm-up so the first row does not pay for cold caches alone.
    await load(fn, { clients: Math.min(clients, 5), requests: 10 });
    const from = process.hrtime.bigint();
    const cpu0 = process.cpuUsage();
    const { sorted, errors } = await measure(fn, [requests]);
    const cpu = process.cpuUsage(cpu0);
    const wallMs = Number(process.hrtime.bigint() - from) / 1e6;
    // Monotonic marks (the clock of --cpu-prof profiles) and the client's
    // own CPU share, so a profile can be cut to the row and the load client
    // is seen not to be the bottleneck.
    console.log(
      `[bench] row "${name}": p50 ${Math.round(
        percentile(sorted, 50),
      )} ms, p95 ${Math.round(
        percentile(sorted, 95),
      )} ms, ${errors} errors; hrtime ${from}..${process.hrtime.bigint()} ns, client CPU ${(
        (cpu.user + cpu.system) /
        1000 /
        wallMs
      ).toFixed(2)} cores over ${Math.round(wallMs)} ms`,
    );
    rows.push({
      name,
      p50: percentile(sorted, 50),
      p95: percentile(sorted, 95),
      n: sorted.length,
      errors,
    });
    return rows[rows.length - 1];
  };
  const q = encodeURIComponent(task);
  // The hub's search and the catalog's own query alternate in blocks
  // (hub, catalog, catalog, hub, …) so that both see the same machine load;
  // each row merges its blocks. The hub row is the request the hub page's
  // table waits for (facets=false: page, total, tiers); the facet counts
  // are their own row.
  const ROUNDS = 4;
  const block = Math.max(1, Math.round(requests / ROUNDS));
  const hubSearch = () =>
    get(`/api/model-hub/v1/models?task=${q}&limit=25&facets=false`);
  const catalogQuery = () =>
    get(
      `/api/catalog/entities/by-query?filter=kind=model,spec.task=${q}&limit=25&orderField=metadata.name,asc`,
    );
  // Warm both (caches, connections) before the interleaved rounds count.
  await load(hubSearch, { clients: Math.min(clients, 5), requests: 10 });
  await load(catalogQuery, { clients: Math.min(clients, 5), requests: 10 });
  const hubTimes = [];
  const catalogTimes = [];
  for (let r = 0; r < ROUNDS; r++) {
    const order = r % 2 === 0 ? ['hub', 'catalog'] : ['catalog', 'hub'];
    for (const which of order) {
      const res = await measure(which === 'hub' ? hubSearch : catalogQuery, [
        block,
      ]);
      (which === 'hub' ? hubTimes : catalogTimes).push(res);
    }
  }
  const merged = (parts, name) => {
    const sorted = parts.flatMap(p => p.sorted).sort((a, b) => a - b);
    const errors = parts.reduce((n, p) => n + p.errors, 0);
    const row = {
      name,
      p50: percentile(sorted, 50),
      p95: percentile(sorted, 95),
      n: sorted.length,
      errors,
    };
    console.log(
      `[bench] row "${name}": p50 ${Math.round(row.p50)} ms, p95 ${Math.round(
        row.p95,
      )} ms, ${errors} errors (${ROUNDS} interleaved blocks of ${block})`,
    );
    rows.push(row);
  };
  merged(
    hubTimes,
    `hub search (task=${task}, page of 25 + total + tiers, facets=false)`,
  );
  merged(catalogTimes, 'catalog /entities/by-query (same filter, page of 25)');
  await run('model page load (entity+versions+gauntlet+consumers)', i => {
    const name = refs[i % refs.length];
    return Promise.all([
      get(`/api/catalog/entities/by-name/model/default/${name}`),
      get(`/api/model-hub/v1/models/default/${name}/versions`),
      get(`/api/model-hub/v1/models/default/${name}/gauntlet`),
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
  await run(`hub facet counts (GET /v1/models/facets?task=${task})`, () =>
    get(`/api/model-hub/v1/models/facets?task=${q}`),
  );
  return { rows, sample };
}

module.exports = { measureHttp, load, percentile, client };
