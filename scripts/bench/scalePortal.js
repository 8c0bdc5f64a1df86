/*
 * bench:scale's portal side: starts the real portal (e2e/portal.js) on
 * PostgreSQL with a fresh database prefix and the generated catalog, reads
 * the catalog's and the hub's tables to know when work is done, and reads
 * the back end's memory from /proc.
 */
'use strict';

const fs = require('node:fs');
const { Client } = require('pg');
const { startPortal } = require('../../e2e/portal');

/**
 * The e2e portal on PostgreSQL (`prefix` names the per-plugin databases),
 * in production mode by default (`mode: 'development'` for the old runs').
 */
async function startBenchPortal({
  pg,
  prefix,
  catalogFile,
  teams,
  withoutCatalogModule = false,
  mode = 'production',
}) {
  const started = Date.now();
  const portal = await startPortal({
    // One node process as deployed: no watcher, no in-memory source maps,
    // NODE_ENV=production unless asked otherwise (e2e/portal.js portalMode).
    plain: true,
    mode,
    database: { client: 'pg', connection: pg, prefix },
    catalog: {
      // Backstage's default interval is 100–150 s; keep a fixed one near it.
      processingInterval: { seconds: 100 },
      locations: [{ type: 'file', target: catalogFile }],
    },
    env: withoutCatalogModule
      ? { MODEL_HUB_BENCH_WITHOUT_CATALOG_MODULE: '1' }
      : {},
    maxUploadBytes: 64 * 1024 * 1024,
    modelHub: {
      servicePrincipals: [
        {
          subject: 'e2e',
          teams,
          actions: ['model-hub.version.create', 'model-hub.gauntlet.run'],
        },
      ],
      // Runs 30 s after start (the default; a worker ignores triggers until
      // then), after seals, and when the benchmark triggers it; not hourly.
      stewardship: {
        schedule: { frequency: { hours: 24 }, timeout: { minutes: 30 } },
      },
    },
  });
  return { ...portal, startedMs: Date.now() - started };
}

/** Runs `fn(client)` against one plugin database of the prefix. */
async function withDb(pg, database, fn) {
  const url = new URL(pg);
  url.pathname = `/${database}`;
  const client = new Client({ connectionString: url.toString() });
  await client.connect();
  try {
    return await fn(client);
  } finally {
    await client.end();
  }
}

/** Rows of refresh_state, how many are not processed yet, and unstitched final entities. */
async function catalogProgress(pg, prefix) {
  return withDb(pg, `${prefix}catalog`, async c => {
    const r = await c.query(
      `SELECT count(*)::int AS total,
              count(*) FILTER (WHERE result_hash IS NULL)::int AS pending
         FROM refresh_state`,
    );
    const f = await c.query(
      `SELECT count(*)::int AS total,
              count(*) FILTER (WHERE final_entity IS NULL)::int AS unstitched
         FROM final_entities`,
    );
    const e = await c.query(
      `SELECT count(*)::int AS n FROM refresh_state
        WHERE errors IS NOT NULL AND errors <> '[]' AND errors <> ''`,
    );
    return {
      total: r.rows[0].total,
      pending: r.rows[0].pending,
      stitched: f.rows[0].total - f.rows[0].unstitched,
      unstitched: f.rows[0].unstitched,
      errors: e.rows[0].n,
    };
  }).catch(() => ({
    total: 0,
    pending: 0,
    stitched: 0,
    unstitched: 0,
    errors: 0,
  }));
}

/**
 * Waits until the catalog holds at least `expected` entities, every one
 * processed (result_hash set) and stitched (or failed). Polls from before
 * the back end exists; the time counts from the first refresh_state row
 * (the configured location), so start-up time is left out.
 */
async function waitForCatalog(pg, prefix, expected, label) {
  let firstRow;
  let last = Date.now();
  for (;;) {
    const p = await catalogProgress(pg, prefix);
    if (p.total > 0 && firstRow === undefined) firstRow = Date.now();
    // Entities that failed processing are never stitched; they count as done.
    if (
      p.total >= expected &&
      p.pending === 0 &&
      p.stitched + p.errors >= expected
    )
      return { ms: Date.now() - firstRow, ...p };
    if (Date.now() - last > 30000) {
      last = Date.now();
      console.log(
        `[bench] ${label}: ${p.total} rows, ${p.pending} pending, ${
          p.stitched
        } stitched of ${expected} (${Math.round(
          (Date.now() - (firstRow ?? Date.now())) / 1000,
        )} s)`,
      );
    }
    await new Promise(r => setTimeout(r, 500));
  }
}

/** Waits until no gauntlet run is queued or running. */
async function waitForGauntletIdle(pg, prefix) {
  for (;;) {
    const n = await withDb(pg, `${prefix}model-hub`, c =>
      c.query(
        `SELECT count(*)::int AS n FROM gauntlet_runs WHERE status IN ('queued','running')`,
      ),
    );
    if (n.rows[0].n === 0) return;
    await new Promise(r => setTimeout(r, 2000));
  }
}

/** The finished run of `taskId` started after `since`, if any. */
async function finishedTaskRun(pg, prefix, taskId, since) {
  const r = await withDb(pg, `${prefix}model-hub`, c =>
    c.query(
      `SELECT started_at, finished_at, outcome FROM model_hub_task_runs
        WHERE task_id = $1 AND started_at >= $2 AND finished_at IS NOT NULL
        ORDER BY started_at LIMIT 1`,
      [taskId, since],
    ),
  );
  return r.rows[0];
}

/** Drops every database of the prefix (best effort). */
async function dropDatabases(pg, prefix) {
  await withDb(pg, 'postgres', async c => {
    const r = await c.query(
      `SELECT datname FROM pg_database WHERE datname LIKE $1`,
      [`${prefix.replace(/_/g, '\\_')}%`],
    );
    for (const { datname } of r.rows)
      await c.query(`DROP DATABASE IF EXISTS "${datname}" WITH (FORCE)`);
  }).catch(e => console.error(`[bench] could not drop ${prefix}*: ${e}`));
}

function children(pid) {
  const out = [];
  for (const d of fs.readdirSync('/proc')) {
    if (!/^\d+$/.test(d)) continue;
    try {
      const stat = fs.readFileSync(`/proc/${d}/stat`, 'utf8');
      const ppid = Number(stat.slice(stat.lastIndexOf(')') + 2).split(' ')[1]);
      if (ppid === pid) out.push(Number(d));
    } catch {
      /* gone */
    }
  }
  return out;
}

/** Memory of one process in MB: { rss, hwm }. */
function memory(pid) {
  const s = fs.readFileSync(`/proc/${pid}/status`, 'utf8');
  const kb = re => Number(re.exec(s)?.[1] ?? NaN);
  return {
    rss: kb(/VmRSS:\s+(\d+)/) / 1024,
    hwm: kb(/VmHWM:\s+(\d+)/) / 1024,
  };
}

/**
 * The back end's node process: `rootPid` or the descendant of it with the
 * largest RSS (under `backstage-cli package start`, a child of the watcher).
 */
function backendPid(rootPid) {
  const all = [rootPid];
  const walk = p => {
    for (const c of children(p)) {
      all.push(c);
      walk(c);
    }
  };
  walk(rootPid);
  let best;
  for (const p of all) {
    try {
      const m = memory(p);
      if (!best || m.rss > best.rss) best = { pid: p, rss: m.rss };
    } catch {
      /* gone */
    }
  }
  if (!best) throw new Error(`no back-end process under ${rootPid}`);
  return best.pid;
}

/** Resets the peak RSS (VmHWM) of a process we own; false when refused. */
function resetPeak(pid) {
  try {
    fs.writeFileSync(`/proc/${pid}/clear_refs`, '5');
    return true;
  } catch {
    return false;
  }
}

/** The names of the models with versions in a prefix's hub database (the published ones), sorted. */
async function publishedModelNames(pg, prefix) {
  return withDb(pg, `${prefix}model-hub`, async c =>
    (
      await c.query('SELECT DISTINCT entity_ref FROM model_versions ORDER BY 1')
    ).rows.map(r => r.entity_ref.split('/')[1]),
  );
}

module.exports = {
  startBenchPortal,
  publishedModelNames,
  catalogProgress,
  waitForCatalog,
  waitForGauntletIdle,
  finishedTaskRun,
  dropDatabases,
  backendPid,
  memory,
  resetPeak,
};
