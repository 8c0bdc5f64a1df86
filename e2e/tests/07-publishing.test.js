/*
 * Publishing through the scaffolder in the running portal, as the signed-in
 * guest (a member of ML Platform): the example templates are run through the
 * scaffolder's HTTP API and the registered model reaches the catalog through
 * the hub's entity provider; a version is published from URLs on the reading
 * allow-list, stored content-addressed and put through the gauntlet; a URL
 * off the allow-list and a model of another team fail clearly; the Git path
 * of "Register a new model" renders a catalog-info.yaml the catalog accepts
 * (scaffolder dry-run); promotion and deprecation go through their templates.
 * Browser tests for the same templates are in 08-publishing-ui.test.js.
 */
'use strict';

const { test, before } = require('node:test');
const assert = require('node:assert/strict');
const crypto = require('node:crypto');
const fs = require('node:fs');
const path = require('node:path');
const YAML = require('yaml');
const { api, artifactsUrl } = require('../env');
const { ROOT, waitFor, waitForEntity } = require('../portal');
const { runTemplate, userApi } = require('../scaffolder');

const MODEL = 'invoice-fraud-detector';
const MODEL_REF = `model:default/${MODEL}`;

const registerValues = {
  name: MODEL,
  title: 'Invoice Fraud Detector',
  description: 'Flags supplier invoices that look fraudulent, for review.',
  tags: ['fraud', 'finance'],
  owner: 'group:default/ml-platform',
  steward: 'user:default/priya.natarajan',
  type: 'classifier',
  task: 'tabular-classification',
  framework: 'onnx',
  lifecycle: 'experimental',
  tier: 'community',
  license: 'Apache-2.0',
  trainingData: ['resource:default/product-reviews'],
  intendedUse: 'Ranking invoices for a human fraud review queue.',
  storage: 'hub',
};

function sha256(file) {
  return crypto
    .createHash('sha256')
    .update(fs.readFileSync(file))
    .digest('hex');
}

before(async () => {
  await waitForEntity({ api }, 'template:default/register-model');
  await waitForEntity({ api }, 'template:default/publish-model-version');
});

test('"Register a new model" run through the scaffolder API puts the model in the catalog with its relations', async () => {
  const task = await runTemplate('register-model', registerValues);
  assert.equal(task.status, 'completed', task.log);
  assert.equal(task.output.links[0].entityRef, MODEL_REF);

  const entity = await waitForEntity({ api }, MODEL_REF, 60000);
  assert.equal(entity.spec.owner, 'group:default/ml-platform');
  assert.equal(entity.spec.license, 'Apache-2.0');
  assert.match(
    entity.metadata.annotations['backstage.io/managed-by-location'],
    /^model-hub:/,
  );
  assert.equal(
    entity.metadata.annotations['modelhub.io/registered-by'],
    'user:default/guest',
  );
  const relations = entity.relations.map(r => `${r.type} ${r.targetRef}`);
  for (const expected of [
    'ownedBy group:default/ml-platform',
    'hasSteward user:default/priya.natarajan',
    'trainedOn resource:default/product-reviews',
  ]) {
    assert.ok(relations.includes(expected), `${expected} in ${relations}`);
  }
});

test('publishing a version from URLs on the allow-list stores the files by SHA-256 and runs the gauntlet', async () => {
  await waitForEntity({ api }, MODEL_REF, 60000);
  const task = await runTemplate('publish-model-version', {
    model: MODEL_REF,
    version: '1.0.0',
    description: 'First release, trained on 2026 Q3 invoices.',
    aliases: ['latest'],
    source: 'url',
    urls: [
      `${artifactsUrl}/sentiment-classifier/model.onnx`,
      `${artifactsUrl}/sentiment-classifier/metrics.json`,
    ],
  });
  assert.equal(task.status, 'completed', task.log);
  const out = task.output;
  assert.deepEqual(
    out.links.map(l => l.url),
    [
      `/catalog/default/model/${MODEL}/versions`,
      `/catalog/default/model/${MODEL}/gauntlet`,
    ],
  );
  assert.match(
    out.text.map(t => t.content).join('\n'),
    new RegExp(`model-hub pull ${MODEL_REF}@1\\.0\\.0`),
  );

  const version = await (
    await api(`/api/model-hub/v1/models/default/${MODEL}/versions/latest`)
  ).json();
  assert.equal(version.version, '1.0.0');
  assert.equal(version.state, 'sealed');
  const onnx = version.files.find(f => f.path === 'model.onnx');
  assert.equal(
    onnx.sha256,
    sha256(
      path.join(ROOT, 'examples/artifacts/sentiment-classifier/model.onnx'),
    ),
  );
  assert.equal(onnx.scan.verdict, 'safe');

  const gauntlet = await waitFor(
    'the gauntlet of the published version',
    async () => {
      const g = await (
        await api(`/api/model-hub/v1/models/default/${MODEL}/gauntlet`)
      ).json();
      return g.version === '1.0.0' &&
        g.activeRuns.length === 0 &&
        g.checks.length > 0
        ? g
        : undefined;
    },
    { timeoutMs: 120000, intervalMs: 2000 },
  );
  const statuses = Object.fromEntries(
    gauntlet.checks.map(c => [c.checkId, c.status]),
  );
  assert.equal(statuses.security, 'pass', JSON.stringify(gauntlet.checks));
  assert.equal(statuses.license, 'pass', JSON.stringify(gauntlet.checks));
  assert.equal(gauntlet.effectiveTier, 'community', gauntlet.reason);
});

test('a URL off the reading allow-list fails the task with the reason and publishes nothing', async () => {
  const task = await runTemplate('publish-model-version', {
    model: MODEL_REF,
    version: '1.1.0',
    source: 'url',
    urls: ['http://127.0.0.1:9/elsewhere/model.onnx'],
  });
  assert.equal(task.status, 'failed');
  assert.match(task.log, /127\.0\.0\.1:9\/elsewhere\/model\.onnx/);
  assert.match(task.log, /is not allowed/);
  const versions = await (
    await api(`/api/model-hub/v1/models/default/${MODEL}/versions`)
  ).json();
  assert.ok(
    !versions.items.some(v => v.version === '1.1.0' && v.state === 'sealed'),
  );
});

test('publishing a version that is already published fails and keeps the sealed version', async () => {
  const task = await runTemplate('publish-model-version', {
    model: MODEL_REF,
    version: '1.0.0',
    source: 'url',
    urls: [`${artifactsUrl}/sentiment-classifier/benchmark.csv`],
  });
  assert.equal(task.status, 'failed');
  assert.match(task.log, /already published/);
  const version = await (
    await api(`/api/model-hub/v1/models/default/${MODEL}/versions/1.0.0`)
  ).json();
  assert.deepEqual(version.files.map(f => f.path).sort(), [
    'metrics.json',
    'model.onnx',
  ]);
});

test('only the owning team publishes: a version of a Marketing model is refused', async () => {
  const task = await runTemplate('publish-model-version', {
    model: 'model:default/churn-classifier',
    version: '9.0.0',
    source: 'url',
    urls: [`${artifactsUrl}/churn-classifier/requirements.txt`],
  });
  assert.equal(task.status, 'failed');
  assert.match(
    task.log,
    /Not allowed to model-hub\.version\.create on model:default\/churn-classifier: only its owner group:default\/marketing may/,
  );
  const res = await api(
    '/api/model-hub/v1/models/default/churn-classifier/versions/9.0.0',
  );
  assert.equal(res.status, 404);
});

test('"Register a new model" with an invalid SPDX expression fails before anything is registered', async () => {
  const task = await runTemplate('register-model', {
    ...registerValues,
    name: 'badly-licensed-model',
    license: 'Apache-2.0 ANDD MIT',
  });
  assert.equal(task.status, 'failed');
  assert.match(
    task.log,
    /Invalid model default\/badly-licensed-model:[\s\S]*\/spec\/license/,
  );
  const res = await userApi(
    '/api/model-hub/v1/registered-models/default/badly-licensed-model',
  );
  assert.equal(res.status, 404);
});

test('the Git path: a dry run of "Register a new model" renders a catalog-info.yaml the catalog accepts as a Model', async () => {
  const dir = path.join(ROOT, 'examples/templates/register-model');
  const template = YAML.parse(
    fs.readFileSync(path.join(dir, 'template.yaml'), 'utf8'),
  );
  const directoryContents = [];
  const walk = rel => {
    for (const e of fs.readdirSync(path.join(dir, rel), {
      withFileTypes: true,
    })) {
      const p = path.posix.join(rel, e.name);
      if (e.isDirectory()) walk(p);
      else
        directoryContents.push({
          path: p,
          base64Content: fs.readFileSync(path.join(dir, p)).toString('base64'),
        });
    }
  };
  walk('.');
  const res = await userApi('/api/scaffolder/v2/dry-run', {
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify({
      template,
      values: {
        ...registerValues,
        name: 'git-kept-model',
        storage: 'git',
        repoUrl: 'github.com?owner=example-corp&repo=git-kept-model',
        baseModel: 'model:default/bert-base-uncased',
        baseModelRelation: 'fine-tune',
      },
      secrets: {},
      directoryContents,
    }),
  });
  const body = await res.json();
  assert.equal(res.status, 200, JSON.stringify(body));
  const file = body.directoryContents.find(f => f.path === 'catalog-info.yaml');
  assert.ok(
    file,
    `rendered files: ${body.directoryContents.map(f => f.path).join(', ')}`,
  );
  const entity = YAML.parse(
    Buffer.from(file.base64Content, 'base64').toString('utf8'),
  );
  assert.equal(entity.kind, 'Model');
  assert.equal(entity.metadata.name, 'git-kept-model');
  assert.deepEqual(entity.spec.baseModel, {
    ref: 'model:default/bert-base-uncased',
    relation: 'fine-tune',
  });
  const validation = await api('/api/catalog/validate-entity', {
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify({
      entity,
      location:
        'url:https://github.com/example-corp/git-kept-model/blob/main/catalog-info.yaml',
    }),
  });
  assert.equal(validation.status, 200, await validation.text());
  // The Git path reached its publish step and skipped it (dry run), and
  // the hub path's register step did not run at all.
  const messages = body.log.map(l => l.body?.message ?? '');
  assert.ok(
    messages.includes(
      'Skipping because publish:github does not support dry-run',
    ),
    messages.join('\n'),
  );
  assert.ok(!messages.some(m => /^Registered model:/.test(m)));
});

test('"Request official tier" files a promotion request for the governance group', async () => {
  const task = await runTemplate('request-official-tier', {
    model: MODEL_REF,
    tier: 'official',
    comment: 'Ready for the fraud team to depend on.',
  });
  assert.equal(task.status, 'completed', task.log);
  const requests = await (
    await api(`/api/model-hub/v1/models/default/${MODEL}/promotion-requests`)
  ).json();
  const request = requests.items.find(r => r.tier === 'official');
  assert.ok(request, JSON.stringify(requests));
  assert.equal(request.state, 'pending');
  assert.equal(request.requestedBy, 'user:default/guest');
});

test('"Deprecate a model" names the successor; the catalog shows the model deprecated and superseded', async () => {
  const task = await runTemplate('deprecate-model', {
    model: MODEL_REF,
    successor: 'model:default/bert-base-uncased',
    reason: 'Replaced by the shared text encoder; migrate by 2027-03-31.',
  });
  assert.equal(task.status, 'completed', task.log);
  const entity = await waitFor(
    'the deprecation to reach the catalog',
    async () => {
      const e = await waitForEntity({ api }, MODEL_REF, 10000);
      return e.spec.lifecycle === 'deprecated' ? e : undefined;
    },
    { timeoutMs: 60000, intervalMs: 2000 },
  );
  assert.equal(entity.spec.successor, 'model:default/bert-base-uncased');
  assert.match(
    entity.metadata.annotations['modelhub.io/deprecation-reason'],
    /shared text encoder/,
  );
  assert.ok(
    entity.relations.some(
      r =>
        r.type === 'supersededBy' &&
        r.targetRef === 'model:default/bert-base-uncased',
    ),
    JSON.stringify(entity.relations),
  );
});
