#!/usr/bin/env node
/*
 * bench:scale's HTTP rows on one back end against two replicas, on the
 * databases a `bench:scale … --keep` run left (issue #18 runs the hub on two
 * replicas behind a load balancer):
 *
 *   node scripts/bench/replicasAb.js --prefix mhbench_<tag>_<time>_hub_
 *     --catalog /tmp/model-hub-bench-scale-…/all.yaml
 *     [--artifacts DIR] [--rounds 2] [--clients 50] [--requests 500]
 *     [--ports 7793,7794] [--pg URL]
 *
 * Starts two portals of this checkout (production mode, one node process
 * each) on the same databases and artifacts, waits until both idle, then
 * measures scaleLoad.js's rows (unchanged) alternately against the first
 * replica alone and against both, round robin per request as a load
 * balancer sends them (A B B A …). The second replica stays up, idle,
 * during the one-replica runs, so the two differ only in where requests
 * go. Prints each row's medians over the rounds: p50 / p95 and the back
 * ends' CPU per request (summed over the replicas that served).
 */
'use strict';

const os = require('node:os');
const path = require('node:path');
const { median, parseArgs } = require('./lib');
const { measureHttp, cpuSeconds } = require('./scaleLoad');
const { backendPid, publishedModelNames } = require('./scalePortal');
const { startPortal } = require('../../e2e/portal');

const sleep = ms => new Promise(r => setTimeout(r, ms));

const cpuMs = pid => cpuSeconds(pid) * 1000;

/** Waits until every pid used under 5 % of a core for 5 s (3 minutes at most). */
async function idle(pids) {
  for (let i = 0; i < 36; i++) {
    const before = pids.map(cpuMs);
    await sleep(5000);
    if (pids.every((p, k) => cpuMs(p) - before[k] < 250)) return;
  }
}

async function main() {
  const a = parseArgs(process.argv.slice(2));
  for (const k of ['prefix', 'catalog'])
    if (!a[k])
      throw new Error(`--${k} is required; see the header of this file`);
  const pg = a.pg ?? 'postgresql://postgres:postgres@127.0.0.1:5432';
  const ports = String(a.ports ?? '7793,7794')
    .split(',')
    .map(Number);
  const rounds = Number(a.rounds ?? 2);
  const clients = Number(a.clients ?? 50);
  const requests = Number(a.requests ?? 500);
  const names = await publishedModelNames(pg, a.prefix);

  const portals = [];
  const stopAll = () => Promise.all(portals.map(p => p.stop()));
  for (const signal of ['SIGINT', 'SIGTERM'])
    process.once(signal, async () => {
      await stopAll();
      process.exit(130);
    });
  try {
    // One after the other: the second finds the migrations done.
    for (const port of ports) {
      portals.push(
        await startPortal({
          port,
          plain: true,
          mode: 'production',
          database: { client: 'pg', connection: pg, prefix: a.prefix },
          catalog: {
            processingInterval: { hours: 6 },
            locations: [{ type: 'file', target: a.catalog }],
          },
          modelHub: {
            ...(a.artifacts
              ? {
                  artifacts: {
                    local: { directory: path.resolve(a.artifacts) },
                  },
                }
              : {}),
            stewardship: {
              schedule: { frequency: { hours: 24 }, timeout: { minutes: 30 } },
            },
          },
        }),
      );
    }
    const pids = portals.map(p => backendPid(p.pid));
    console.log(`[replicas] back ends ${pids.join(', ')}; waiting until idle…`);
    await idle(pids);
    const setups = {
      'one back end': { portal: portals[0].baseUrl, backendPid: pids[0] },
      'two replicas': {
        portal: portals.map(p => p.baseUrl).join(','),
        backendPid: pids,
      },
    };
    const results = {};
    for (let r = 0; r < rounds; r++) {
      const order = Object.keys(setups);
      if (r % 2 === 1) order.reverse();
      for (const label of order) {
        console.log(`[replicas] round ${r + 1}: ${label}`);
        const { rows } = await measureHttp({
          ...setups[label],
          token: portals[0].token,
          clients,
          requests,
          names,
        });
        for (const row of rows)
          ((results[row.name] ??= {})[label] ??= []).push(row);
      }
    }
    console.log(
      `\nrows at ${clients} clients, medians of ${rounds} rounds; load ${os
        .loadavg()
        .map(l => l.toFixed(1))
        .join(' ')} on ${os.cpus().length} cores\n`,
    );
    console.log('| row | one back end: p50 / p95, CPU | two replicas |');
    console.log('| --- | --- | --- |');
    const cell = rs =>
      `${Math.round(median(rs.map(x => x.p50)))} / ${Math.round(
        median(rs.map(x => x.p95)),
      )} ms, ${median(rs.map(x => x.backendCpuMs)).toFixed(2)} ms`;
    for (const [name, by] of Object.entries(results))
      console.log(
        `| ${name} | ${cell(by['one back end'])} | ${cell(
          by['two replicas'],
        )} |`,
      );
  } finally {
    await stopAll();
  }
}

main().catch(e => {
  console.error(e);
  process.exit(1);
});
