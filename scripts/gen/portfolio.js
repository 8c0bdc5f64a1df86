#!/usr/bin/env node
/*
 * Generates a synthetic model portfolio for scale benchmarks and demos:
 *
 *   npm run gen:portfolio -- --models 10000 --versions 5 --services 30000 \
 *     [--out data/portfolio] [--seed 1] [--publish-models 200] \
 *     [--portal http://localhost:7007] [--token $MODEL_HUB_TOKEN]
 *
 * How it is loaded:
 *  1. The catalog part (teams, people, models, services that depend on
 *     models) is written as YAML to <out>/catalog-<n>.yaml (2,000 entities
 *     per file). Add the files as catalog locations, e.g. in an
 *     app-config.local.yaml:
 *        catalog:
 *          locations:
 *            - type: file
 *              target: ../../data/portfolio/all.yaml
 *     (<out>/all.yaml is a Location entity listing every file; the catalog
 *     rules must allow Model, Component, Group, User and Location).
 *  2. With --portal, versions with small artifacts (a model.json and a
 *     ~2 KB README.md model card) are published through
 *     the hub's own routes (create draft with manifest, upload, seal), 8 at
 *     a time, for the first --publish-models models (default all): every
 *     seal enqueues the gauntlet, which writes the gauntlet history the
 *     portal shows. The token must be allowed to publish for the owning
 *     teams (e.g. a service principal granted modelHub.servicePrincipals
 *     write for every generated team, or the e2e token).
 *
 * Deterministic for a given --seed.
 */
'use strict';

const crypto = require('node:crypto');
const fs = require('node:fs');
const path = require('node:path');
const { parseArgs: args } = require('../bench/lib');

/** A small seeded PRNG (mulberry32). */
function rng(seed) {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

const TASKS = [
  'text-classification',
  'token-classification',
  'question-answering',
  'summarization',
  'translation',
  'text-generation',
  'image-classification',
  'object-detection',
  'tabular-classification',
  'tabular-regression',
  'time-series-forecasting',
  // Only values of MODEL_TASKS (model-hub-common): others fail validation.
  'text-ranking',
];
const FRAMEWORKS = [
  'pytorch',
  'transformers',
  'onnx',
  'sklearn',
  'xgboost',
  'lightgbm',
  'tensorflow',
  'keras',
  undefined,
];
const LICENSES = [
  'Apache-2.0',
  'MIT',
  'BSD-3-Clause',
  'CC-BY-4.0',
  'LicenseRef-proprietary',
];
const LIFECYCLES = [
  'production',
  'production',
  'production',
  'experimental',
  'deprecated',
  'archived',
];
const TIERS = ['community', 'community', 'official', 'external'];
const WORDS = [
  'churn',
  'fraud',
  'intent',
  'sentiment',
  'ranker',
  'eta',
  'demand',
  'forecast',
  'vision',
  'ocr',
  'router',
  'tagger',
  'scorer',
  'summarizer',
  'translator',
  'assistant',
  'pricing',
  'risk',
  'spam',
  'toxicity',
];

function yamlDoc(obj) {
  // Plain JSON is valid YAML; one document per entity.
  return `---\n${JSON.stringify(obj)}\n`;
}

function generate({ models, services, seed }) {
  const rand = rng(seed);
  const pick = list => list[Math.floor(rand() * list.length)];
  const teamCount = Math.max(3, Math.ceil(models / 50));
  const entities = [];
  const teams = [];
  for (let t = 0; t < teamCount; t++) {
    const team = `team-${t}`;
    teams.push(team);
    entities.push({
      apiVersion: 'backstage.io/v1alpha1',
      kind: 'Group',
      metadata: { name: team },
      spec: { type: 'team', children: [] },
    });
    for (let u = 0; u < 3; u++) {
      entities.push({
        apiVersion: 'backstage.io/v1alpha1',
        kind: 'User',
        metadata: { name: `${team}-user-${u}` },
        spec: { memberOf: [team] },
      });
    }
  }
  const modelNames = [];
  const now = Date.now();
  for (let i = 0; i < models; i++) {
    const team = teams[i % teamCount];
    const name = `${pick(WORDS)}-${pick(WORDS)}-${i}`;
    modelNames.push({ name, team });
    const framework = pick(FRAMEWORKS);
    const days = Math.floor(rand() * 400);
    entities.push({
      apiVersion: 'modelhub.io/v1alpha1',
      kind: 'Model',
      metadata: {
        name,
        title: name.replace(/-/g, ' ').replace(/^./, c => c.toUpperCase()),
        description: `Synthetic ${name} model of ${team} (generated portfolio)`,
        annotations: {
          'modelhub.io/last-activity': new Date(now - days * 86_400_000)
            .toISOString()
            .slice(0, 10),
        },
      },
      spec: {
        type: 'classifier',
        task: pick(TASKS),
        ...(framework ? { framework } : {}),
        owner: `group:default/${team}`,
        steward: `user:default/${team}-user-${Math.floor(rand() * 3)}`,
        lifecycle: pick(LIFECYCLES),
        tier: pick(TIERS),
        license: pick(LICENSES),
      },
    });
  }
  for (let s = 0; s < services; s++) {
    const team = teams[s % teamCount];
    const uses = [];
    const n = models ? Math.floor(rand() * 3) : 0;
    for (let k = 0; k < n; k++)
      uses.push(`model:default/${pick(modelNames).name}`);
    entities.push({
      apiVersion: 'backstage.io/v1alpha1',
      kind: 'Component',
      metadata: { name: `service-${s}` },
      spec: {
        type: 'service',
        lifecycle: 'production',
        owner: `group:default/${team}`,
        ...(uses.length ? { dependsOn: [...new Set(uses)] } : {}),
      },
    });
  }
  return { entities, modelNames };
}

function writeCatalog(out, entities) {
  fs.mkdirSync(out, { recursive: true });
  const per = 2000;
  const files = [];
  for (let i = 0; i < entities.length; i += per) {
    const file = `catalog-${files.length}.yaml`;
    fs.writeFileSync(
      path.join(out, file),
      entities
        .slice(i, i + per)
        .map(yamlDoc)
        .join(''),
    );
    files.push(file);
  }
  fs.writeFileSync(
    path.join(out, 'all.yaml'),
    yamlDoc({
      apiVersion: 'backstage.io/v1alpha1',
      kind: 'Location',
      metadata: { name: 'generated-portfolio' },
      spec: { targets: files.map(f => `./${f}`) },
    }),
  );
  return files;
}

/** Publishes `versions` versions with one small artifact each through the hub routes. */
/**
 * A generated model card of a modest size (about 2 KB: what the model is
 * for, how it was trained and evaluated, its limits, a metrics table).
 */
function modelCard(name, version) {
  const para = topic =>
    `${topic} of ${name} ${version}, generated for the portfolio benchmark. `.repeat(
      6,
    );
  return [
    `# ${name} ${version}`,
    '',
    para('Intended use'),
    '',
    '## Training',
    '',
    para('Training data and procedure'),
    '',
    '## Evaluation',
    '',
    '| metric | value | threshold |',
    '| --- | ---: | ---: |',
    ...['accuracy', 'f1', 'precision', 'recall', 'auc'].map(
      (m, i) => `| ${m} | 0.${80 + i} | 0.75 |`,
    ),
    '',
    para('Evaluation setup'),
    '',
    '## Limitations',
    '',
    para('Known limitations and risks'),
    '',
  ].join('\n');
}

async function publish({
  portal,
  token,
  modelNames,
  versions,
  concurrency = 8,
}) {
  const hub = `${portal.replace(/\/$/, '')}/api/model-hub`;
  const headers = { Authorization: `Bearer ${token}` };
  let done = 0;
  let failed = 0;
  const jobs = [];
  for (const { name } of modelNames) {
    for (let v = 1; v <= versions; v++)
      jobs.push({ name, version: `1.${v - 1}.0` });
  }
  async function one({ name, version }) {
    const model = Buffer.from(
      JSON.stringify({
        name,
        version,
        weights: crypto.randomBytes(32).toString('hex'),
      }),
    );
    // Every version carries a model card, as published models do: the
    // model page's README card reads its first 256 KiB.
    const files = [
      { path: 'model.json', body: model },
      { path: 'README.md', body: Buffer.from(modelCard(name, version)) },
    ].map(f => ({
      ...f,
      sha256: crypto.createHash('sha256').update(f.body).digest('hex'),
    }));
    const base = `${hub}/v1/models/default/${name}/versions`;
    const create = await fetch(base, {
      method: 'POST',
      headers: { ...headers, 'Content-Type': 'application/json' },
      body: JSON.stringify({
        version,
        files: files.map(f => ({
          path: f.path,
          sha256: f.sha256,
          size: f.body.length,
        })),
      }),
    });
    if (create.status >= 300)
      throw new Error(
        `create ${name}@${version}: HTTP ${
          create.status
        } ${await create.text()}`,
      );
    for (const f of files) {
      const put = await fetch(`${base}/${version}/files/${f.path}`, {
        method: 'PUT',
        headers: {
          ...headers,
          'Content-Type': 'application/octet-stream',
          'x-model-hub-sha256': f.sha256,
        },
        body: f.body,
      });
      if (put.status >= 300)
        throw new Error(
          `upload ${name}@${version} ${f.path}: HTTP ${put.status}`,
        );
    }
    const seal = await fetch(`${base}/${version}/seal`, {
      method: 'POST',
      headers: { ...headers, 'Content-Type': 'application/json' },
      body: '{}',
    });
    if (seal.status >= 300)
      throw new Error(`seal ${name}@${version}: HTTP ${seal.status}`);
  }
  let next = 0;
  await Promise.all(
    Array.from({ length: concurrency }, async () => {
      while (next < jobs.length) {
        const job = jobs[next++];
        try {
          await one(job);
          done++;
        } catch (e) {
          failed++;
          if (failed <= 5) console.error(String(e.message ?? e));
        }
        if ((done + failed) % 500 === 0)
          console.log(`published ${done}/${jobs.length} (${failed} failed)`);
      }
    }),
  );
  return { done, failed };
}

async function main() {
  const a = args(process.argv.slice(2));
  const models = Number(a.models ?? 1000);
  const services = Number(a.services ?? models * 3);
  const versions = Number(a.versions ?? 5);
  const out = path.resolve(a.out ?? 'data/portfolio');
  const started = Date.now();
  const { entities, modelNames } = generate({
    models,
    services,
    seed: Number(a.seed ?? 1),
  });
  const files = writeCatalog(out, entities);
  console.log(
    `Wrote ${
      entities.length
    } entities (${models} models, ${services} services) to ${
      files.length
    } files in ${out}; register ${path.join(
      out,
      'all.yaml',
    )} as a catalog location (${Date.now() - started} ms)`,
  );
  if (a.portal) {
    const token = a.token ?? process.env.MODEL_HUB_TOKEN;
    if (!token)
      throw new Error(
        '--portal needs --token or MODEL_HUB_TOKEN (a token allowed to publish)',
      );
    const count = Number(a['publish-models'] ?? models);
    const t0 = Date.now();
    const r = await publish({
      portal: a.portal,
      token,
      modelNames: modelNames.slice(0, count),
      versions,
    });
    console.log(
      `Published ${r.done} versions (${
        r.failed
      } failed) of ${count} models in ${Math.round(
        (Date.now() - t0) / 1000,
      )} s`,
    );
    if (r.failed) process.exitCode = 1;
  }
}

if (require.main === module) {
  main().catch(e => {
    console.error(`gen:portfolio failed: ${e.message ?? e}`);
    process.exit(1);
  });
}

module.exports = { generate, writeCatalog, publish };
