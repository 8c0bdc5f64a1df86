#!/usr/bin/env node
/*
 * Benchmark: usage aggregation (issue #21). Records BENCH_EVENTS (default
 * 1,000,000) pull events through UsageStore.recordPulls in batches of
 * BENCH_BATCH (50,000) on SQLite and on PostgreSQL, then reads the top-50
 * leaderboards (models by pulls and by teams, owning teams; 30 days and all
 * time) and one model's usage (90-day series and counts) BENCH_ROUNDS times
 * each and prints medians.
 *
 *   npm run bench:usage                  (SQLite file in os.tmpdir(), and
 *                                         PostgreSQL when
 *                                         BACKSTAGE_TEST_DATABASE_POSTGRES16_CONNECTION_STRING
 *                                         is set)
 *   npm run bench:usage -- --strict      exit 1 when a goal is missed
 *
 * Data: a seeded PRNG; 300 models owned by 40 teams, 3,000 users in those
 * teams, pulls spread over the last 365 days, model popularity Zipf-like
 * (a few models take most pulls, as in real hubs).
 * Goals: ingest >= 20,000 events/s; every read <= 50 ms (median).
 */
'use strict';

require('@backstage/cli/config/nodeTransform.cjs');
const fs = require('node:fs');
const os = require('node:os');
const path = require('node:path');
const knexFactory = require('knex');
const {
  UsageStore,
} = require('../../plugins/model-hub-backend/src/usage/UsageStore.ts');
const { median } = require('./lib');

const EVENTS = Number(process.env.BENCH_EVENTS || 1_000_000);
const BATCH = Number(process.env.BENCH_BATCH || 50_000);
const ROUNDS = Number(process.env.BENCH_ROUNDS || 7);
const STRICT = process.argv.includes('--strict');
const PG = process.env.BACKSTAGE_TEST_DATABASE_POSTGRES16_CONNECTION_STRING;
const INGEST_GOAL = 20_000;
const READ_GOAL_MS = 50;
const MODELS = 300;
const TEAMS = 40;
const USERS = 3000;
const CLIENTS = ['cli', 'cli', 'cli', 'hf', 'browser', 'scaffolder', 'api'];

function prng(seed) {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

const team = i => `group:default/team-${i}`;
const modelRef = i => `model:default/model-${i}`;

/** Yields the events batch by batch, oldest first, ending now. */
function* batches(now) {
  const rand = prng(20261207);
  const span = 365 * 86_400_000;
  for (let start = 0; start < EVENTS; start += BATCH) {
    const out = [];
    for (let i = start; i < Math.min(EVENTS, start + BATCH); i++) {
      // Zipf-like: model index ~ MODELS^u - 1.
      const m = Math.min(MODELS - 1, Math.floor(Math.pow(MODELS, rand())) - 1);
      const u = Math.floor(rand() * USERS);
      out.push({
        entityRef: modelRef(m),
        version: `1.${Math.floor(rand() * 5)}.0`,
        owner: team(m % TEAMS),
        actor: `user:default/user-${u}`,
        actorTeam: team(u % TEAMS),
        client: CLIENTS[Math.floor(rand() * CLIENTS.length)],
        pulledAt: new Date(now - span + Math.floor((i / EVENTS) * span)),
      });
    }
    yield out;
  }
}

async function timeIt(fn) {
  const times = [];
  for (let i = 0; i < ROUNDS; i++) {
    const t = process.hrtime.bigint();
    await fn();
    times.push(Number(process.hrtime.bigint() - t) / 1e6);
  }
  return median(times);
}

async function bench(label, knex) {
  const store = await UsageStore.create({
    database: { getClient: async () => knex, migrations: { skip: false } },
  });
  const now = new Date();
  let ms = 0;
  for (const batch of batches(now.getTime())) {
    const t = process.hrtime.bigint();
    await store.recordPulls(batch);
    ms += Number(process.hrtime.bigint() - t) / 1e6;
  }
  const rate = Math.round(EVENTS / (ms / 1000));
  const reads = {
    'top-50 models by pulls, 30d': () => store.modelStats('30d', now),
    'top-50 models by pulls, all': () => store.modelStats('all', now),
    'top-50 teams, 30d': () => store.teamRanking('30d', now),
    'top-50 teams, all': () => store.teamRanking('all', now),
    'model usage + 90-day series (most pulled)': () =>
      store.modelUsage(modelRef(0), now),
    'model usage + 90-day series (median model)': () =>
      store.modelUsage(modelRef(MODELS / 2), now),
  };
  const results = [];
  console.log(
    `${label}: ingested ${EVENTS.toLocaleString('en-US')} events in ${(
      ms / 1000
    ).toFixed(1)} s = ${rate.toLocaleString(
      'en-US',
    )} events/s (goal >= ${INGEST_GOAL.toLocaleString('en-US')})`,
  );
  const ok = [rate >= INGEST_GOAL];
  for (const [name, fn] of Object.entries(reads)) {
    const m = await timeIt(fn);
    ok.push(m <= READ_GOAL_MS);
    results.push(m);
    console.log(`  ${name}: median ${m.toFixed(1)} ms of ${ROUNDS}`);
  }
  const raw = await store.countRaw();
  console.log(`  raw events kept: ${raw.toLocaleString('en-US')}`);
  return ok.every(Boolean);
}

async function main() {
  let allOk = true;
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'model-hub-bench-usage-'));
  const sqlite = knexFactory({
    client: 'better-sqlite3',
    connection: { filename: path.join(dir, 'usage.sqlite') },
    useNullAsDefault: true,
  });
  try {
    allOk = (await bench('SQLite (file)', sqlite)) && allOk;
  } finally {
    await sqlite.destroy();
    fs.rmSync(dir, { recursive: true, force: true });
  }
  if (PG) {
    const admin = knexFactory({ client: 'pg', connection: PG });
    const db = `model_hub_bench_usage_${process.pid}`;
    await admin.raw(`CREATE DATABASE ${db}`);
    const url = new URL(PG);
    url.pathname = `/${db}`;
    const pg = knexFactory({ client: 'pg', connection: url.toString() });
    try {
      allOk = (await bench('PostgreSQL', pg)) && allOk;
    } finally {
      await pg.destroy();
      await admin.raw(`DROP DATABASE ${db}`);
      await admin.destroy();
    }
  } else {
    console.log(
      'PostgreSQL skipped: set BACKSTAGE_TEST_DATABASE_POSTGRES16_CONNECTION_STRING',
    );
  }
  if (STRICT && !allOk) process.exit(1);
}

main().catch(e => {
  console.error(e);
  process.exit(2);
});
