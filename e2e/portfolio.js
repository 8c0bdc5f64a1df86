/*
 * A portal whose catalog holds a generated portfolio (scripts/gen/portfolio.js)
 * next to the test examples, for the page timings at scale. Only models and
 * their teams and stewards are generated (no services): the pages timed here
 * read models, and each extra entity costs the catalog processing time.
 * The catalog re-processes rarely and search indexes hourly, so that once
 * the portfolio is loaded the portal is as quiet as a real one between
 * refreshes and the timings measure the pages, not the ingestion.
 */
'use strict';

const fs = require('node:fs');
const os = require('node:os');
const path = require('node:path');
const { generate, writeCatalog } = require('../scripts/gen/portfolio');
const { ROOT, startPortal, waitFor } = require('./portal');
const { groupCpuMs } = require('../scripts/bench/lib');

/** The label that marks generated entities (so they can be counted). */
const GENERATED_LABEL = 'modelhub.io/generated';

/** How many generated models the catalog lists (the by-query total). */
async function generatedModelCount(portal) {
  const filter = `kind=model,metadata.labels.${GENERATED_LABEL}=portfolio`;
  const res = await portal.api(
    `/api/catalog/entities/by-query?filter=${encodeURIComponent(
      filter,
    )}&limit=1&fields=metadata.name`,
  );
  if (!res.ok) return 0;
  return (await res.json()).totalItems ?? 0;
}

/**
 * Waits until the portal's processes (its process group) use less than
 * `share` of one core over `windowMs`, at most `maxMs`: listing every model
 * does not mean the catalog is done (stitching of relations, the hub's
 * overlay and tier snapshots go on for a while), and page timings taken
 * meanwhile measure that ingestion, not the pages. Resolves to the wait in
 * ms and the last window's share, and whether it settled.
 */
async function waitForQuiet(
  portal,
  { share = 0.05, windowMs = 5000, maxMs = 5 * 60 * 1000 } = {},
) {
  const started = Date.now();
  for (;;) {
    portal.assertAlive();
    const before = groupCpuMs(portal.pid);
    await new Promise(r => setTimeout(r, windowMs));
    const used = (groupCpuMs(portal.pid) - before) / windowMs;
    const settled = used < share;
    if (settled || !(used >= 0) || Date.now() - started > maxMs) {
      return { ms: Date.now() - started, share: used, settled };
    }
  }
}

/**
 * Starts a portal with `models` generated models plus the test examples and
 * waits until the catalog lists all of them. Resolves to the portal plus
 * `modelNames` (generated), `listedModels` (the generated models the hub
 * page lists unfiltered: all but the archived), `loadMs` (from the back
 * end's readiness until the last model is listed) and `quiet` (the wait
 * after that until the portal idles, see {@link waitForQuiet}).
 */
async function startPortfolioPortal({
  models,
  database,
  readingAllowHosts = [],
  timeoutMs = 30 * 60 * 1000,
  log = console.log,
}) {
  const dataDir = fs.mkdtempSync(path.join(os.tmpdir(), 'model-hub-scale-'));
  const generated = generate({ models, services: 0, seed: 1 });
  const out = path.join(dataDir, 'portfolio');
  writeCatalog(
    out,
    generated.entities.map(e => ({
      ...e,
      metadata: {
        ...e.metadata,
        labels: { ...e.metadata.labels, [GENERATED_LABEL]: 'portfolio' },
      },
    })),
  );
  const portal = await startPortal({
    dataDir,
    database,
    readingAllowHosts,
    catalog: {
      processingInterval: { minutes: 30 },
      locations: [
        {
          type: 'file',
          target: path.join(ROOT, 'examples-for-tests/catalog.yaml'),
        },
        { type: 'file', target: path.join(out, 'all.yaml') },
      ],
    },
    search: {
      collators: {
        catalog: {
          schedule: {
            frequency: { hours: 1 },
            timeout: { minutes: 15 },
            initialDelay: { minutes: 30 },
          },
        },
      },
    },
  });
  const started = Date.now();
  try {
    let lastLog = Date.now();
    await waitFor(
      `${models} generated models in the catalog`,
      async () => {
        portal.assertAlive();
        const n = await generatedModelCount(portal);
        if (Date.now() - lastLog > 30000) {
          lastLog = Date.now();
          log(
            `[e2e] scale: ${n} of ${models} models in the catalog after ${Math.round(
              (Date.now() - started) / 1000,
            )} s`,
          );
        }
        return n >= models;
      },
      { timeoutMs, intervalMs: 2000 },
    );
    const loadMs = Date.now() - started;
    const quiet = await waitForQuiet(portal);
    log(
      `[e2e] scale: the portal ${
        quiet.settled ? 'idled' : 'was still busy'
      } ${Math.round(quiet.ms / 1000)} s after the last model was listed (${(
        quiet.share * 100
      ).toFixed(1)} % of a core over the last 5 s)`,
    );
    return {
      ...portal,
      modelNames: generated.modelNames.map(m => m.name),
      // The hub page hides archived models unless a lifecycle is chosen.
      listedModels: generated.entities.filter(
        e => e.kind === 'Model' && e.spec.lifecycle !== 'archived',
      ).length,
      loadMs,
      quiet,
    };
  } catch (e) {
    await portal.stop();
    throw e;
  }
}

module.exports = { startPortfolioPortal, GENERATED_LABEL };
