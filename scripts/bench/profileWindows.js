/*
 * Reads a `.cpuprofile` (cpuProfileHook.js) and tells where the CPU of
 * given time windows went (`node scripts/bench/profileWindows.js
 * DIR/rows.json` prints a scaleAb.js --profile run again): scaleAb.js --profile cuts a back end's profile
 * to the blocks of each row (process.hrtime marks of the load client; V8's
 * profile clock is the same CLOCK_MONOTONIC, in µs) and prints, per row,
 * the sampled ms per request by where the sampled code lives (self time),
 * and the inclusive ms per request of the hub's own functions and of the
 * frames that answer "how much for SQL, for JSON, for the catalog call".
 */
'use strict';

const fs = require('node:fs');
const path = require('node:path');

/** Where a frame's code lives: a package, one of our source files, or V8/node. */
function placeOf(url) {
  if (!url) return '(native / V8)';
  const file = url.replace(/^file:\/\//, '');
  const nm = file.lastIndexOf('/node_modules/');
  if (nm >= 0) {
    const rest = file.slice(nm + '/node_modules/'.length).split('/');
    return rest[0].startsWith('@') ? `${rest[0]}/${rest[1]}` : rest[0];
  }
  const ours = /\/(plugins|packages)\/([^/]+)\/src\/(.*)$/.exec(file);
  if (ours) return `${ours[2]}/${ours[3]}`;
  if (file.startsWith('node:') || !file.startsWith('/')) return 'node core';
  return path.basename(file);
}

/**
 * Inclusive groups: a sample counts once for a group when any frame of its
 * stack matches (a statement's whole cost, from knex's query building to
 * pg's row parsing, whoever called it).
 */
const GROUPS = [
  [
    'SQL (knex + pg: build, send, parse rows)',
    f => /\/(knex|pg|pg-protocol|pg-types|pg-pool)\//.test(f.url),
  ],
  ['JSON.stringify', f => f.functionName === 'stringify' && !f.url],
  ['JSON.parse', f => f.functionName === 'parse' && !f.url],
  ['catalog client (model lookup miss)', f => /\/catalog-client\//.test(f.url)],
  ['permission client', f => /\/plugin-permission-(common|node)\//.test(f.url)],
  [
    'express + router',
    f => /\/(express|express-promise-router|router)\//.test(f.url),
  ],
  [
    'http auth (token decode)',
    f =>
      /httpAuth|HttpAuth|tokens\/|auth-node|jose/.test(f.url + f.functionName),
  ],
  ['logging / auditing', f => /\/(winston|logform|morgan)\//.test(f.url)],
  ['garbage collection', f => f.functionName === '(garbage collector)'],
];

/**
 * Per window set: { ms, samples, self: [[place, ms]], groups: [[name, ms]],
 * ours: [[function, ms]] } for the samples whose time falls in any window
 * ([fromNs, toNs] pairs of process.hrtime.bigint()).
 */
function analyse(profileFile, windows) {
  const profile = JSON.parse(fs.readFileSync(profileFile, 'utf8'));
  const byId = new Map(profile.nodes.map(n => [n.id, n]));
  const parent = new Map();
  for (const n of profile.nodes)
    for (const c of n.children ?? []) parent.set(c, n.id);
  const inWindow = ns => windows.some(([a, b]) => ns >= a && ns <= b);
  const self = new Map();
  const groups = new Map();
  const ours = new Map();
  let t = profile.startTime;
  let total = 0;
  let samples = 0;
  profile.samples.forEach((id, i) => {
    const delta = profile.timeDeltas[i] ?? 0;
    t += delta;
    const node = byId.get(id);
    const { functionName, url } = node.callFrame;
    if (functionName === '(idle)' || functionName === '(program)') return;
    if (!inWindow(BigInt(Math.round(t)) * 1000n)) return;
    const ms = delta / 1000;
    total += ms;
    samples++;
    const place = placeOf(url);
    self.set(place, (self.get(place) ?? 0) + ms);
    const seenGroups = new Set();
    const seenOurs = new Set();
    for (let n = node; n; n = byId.get(parent.get(n.id))) {
      const f = n.callFrame;
      for (const [name, match] of GROUPS)
        if (!seenGroups.has(name) && match(f)) seenGroups.add(name);
      if (/model-hub[^/]*\/src\//.test(f.url)) {
        const key = `${f.functionName || '(anonymous)'} ${placeOf(f.url)}:${
          f.lineNumber + 1
        }`;
        seenOurs.add(key);
      }
    }
    for (const g of seenGroups) groups.set(g, (groups.get(g) ?? 0) + ms);
    for (const o of seenOurs) ours.set(o, (ours.get(o) ?? 0) + ms);
  });
  const sorted = m => [...m].sort((a, b) => b[1] - a[1]);
  return {
    ms: total,
    samples,
    self: sorted(self),
    groups: sorted(groups),
    ours: sorted(ours),
  };
}

/** Prints one row's analysis, per request. */
function printAnalysis(title, a, requests, top = 12) {
  const per = ms => (ms / requests).toFixed(3).padStart(7);
  console.log(
    `\n${title}: ${per(a.ms)} ms sampled CPU per request (${
      a.samples
    } samples, ${requests} requests)`,
  );
  console.log('  self time by place:');
  for (const [k, ms] of a.self.slice(0, top))
    console.log(`    ${per(ms)}  ${k}`);
  console.log('  inclusive, by what it is for:');
  for (const [k, ms] of a.groups) console.log(`    ${per(ms)}  ${k}`);
  console.log('  inclusive, the hub’s own functions:');
  for (const [k, ms] of a.ours.slice(0, top))
    console.log(`    ${per(ms)}  ${k}`);
}

/** Prints the rows of a scaleAb.js --profile run (its DIR/rows.json). */
function printRows(file) {
  for (const r of JSON.parse(fs.readFileSync(file, 'utf8'))) {
    if (!fs.existsSync(r.profile)) {
      console.log(`\n${r.name}: no profile at ${r.profile}`);
      continue;
    }
    const windows = r.windows.map(w => w.map(BigInt));
    printAnalysis(r.name, analyse(r.profile, windows), r.requests);
  }
}

module.exports = { analyse, printAnalysis, printRows };

if (require.main === module) printRows(process.argv[2]);
