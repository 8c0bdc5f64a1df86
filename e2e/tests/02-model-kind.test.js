/*
 * The Model kind in the running portal: every example model is in the
 * catalog with its relations, services' dependsOn reaches models, the
 * catalog UI lists models next to services, and a broken model file yields a
 * processing error without stopping anything else.
 */
'use strict';

const { test, before, after } = require('node:test');
const assert = require('node:assert/strict');
const fs = require('node:fs');
const path = require('node:path');
const YAML = require('yaml');
const { baseUrl, api, logFile } = require('../env');
const {
  ROOT,
  launchBrowser,
  newSignedInPage,
  screenshot,
  waitFor,
} = require('../portal');

function exampleDocs(dir) {
  const docs = [];
  for (const f of fs.readdirSync(dir)) {
    if (!f.endsWith('.yaml')) continue;
    for (const d of YAML.parseAllDocuments(
      fs.readFileSync(path.join(dir, f), 'utf8'),
    )) {
      const js = d.toJS();
      if (js) docs.push(js);
    }
  }
  return docs;
}

const exampleModels = exampleDocs(path.join(ROOT, 'examples/models')).filter(
  e => e.kind === 'Model',
);

async function models() {
  const res = await api('/api/catalog/entities?filter=kind=model');
  assert.equal(res.status, 200);
  return res.json();
}

let browser;
before(async () => {
  browser = await launchBrowser();
});
after(async () => {
  await browser?.close();
});

test('every example model is in the catalog with its relations', async () => {
  assert.ok(exampleModels.length >= 8, 'the portfolio has at least 8 models');
  const all = await waitFor(
    'all example models to be processed',
    async () => {
      const got = await models();
      return got.length >= exampleModels.length ? got : undefined;
    },
    { timeoutMs: 120000, intervalMs: 2000 },
  );
  const byName = new Map(all.map(e => [e.metadata.name, e]));
  for (const m of exampleModels) {
    const got = byName.get(m.metadata.name);
    assert.ok(got, `model ${m.metadata.name} is in the catalog`);
    const rel = type =>
      got.relations.filter(r => r.type === type).map(r => r.targetRef);
    const owner = m.spec.owner.includes(':')
      ? m.spec.owner
      : `group:default/${m.spec.owner}`;
    assert.deepEqual(rel('ownedBy'), [owner], `${m.metadata.name} ownedBy`);
    assert.equal(rel('hasSteward').length, 1, `${m.metadata.name} hasSteward`);
    if (m.spec.baseModel) {
      assert.equal(
        rel('derivedFrom').length,
        1,
        `${m.metadata.name} derivedFrom`,
      );
    }
    for (const ds of m.spec.trainingData ?? []) {
      assert.ok(
        rel('trainedOn').some(r => r.endsWith(`/${ds.split('/').pop()}`)),
        `${m.metadata.name} trainedOn ${ds}`,
      );
    }
  }
  // A base model knows what was derived from it, a service's dependency shows on the model.
  const derived = exampleModels.find(m => m.spec.baseModel);
  const baseRef = derived.spec.baseModel.ref ?? derived.spec.baseModel;
  const base = byName.get(baseRef.split('/').pop());
  assert.ok(
    base.relations.some(
      r =>
        r.type === 'baseOf' &&
        r.targetRef === `model:default/${derived.metadata.name}`,
    ),
    'baseOf on the base model',
  );
  const consumed = all.filter(e =>
    e.relations.some(r => r.type === 'dependencyOf'),
  );
  assert.ok(consumed.length >= 3, 'several models have consuming services');
  for (const m of consumed) {
    for (const r of m.relations.filter(x => x.type === 'dependencyOf')) {
      assert.match(r.targetRef, /^component:/);
    }
  }
});

test('a broken model file gives a clear processing error and nothing else stops', async () => {
  // examples-for-tests/catalog.yaml lists a deliberately invalid model next to
  // the examples; the catalog reports its processing error (logged by the
  // catalog-backend-module-logs module) and keeps serving everything else.
  const target = path.join(ROOT, 'examples-for-tests/broken-model.yaml');
  const broken = YAML.parse(fs.readFileSync(target, 'utf8'));
  const line = await waitFor(
    'the processing error of the broken model in the catalog log',
    () =>
      fs
        .readFileSync(logFile, 'utf8')
        .split('\n')
        .find(l => l.includes(`Model default/${broken.metadata.name}:`)),
    { timeoutMs: 60000, intervalMs: 1000 },
  );
  assert.match(
    line,
    /\/spec\/(tier|owner)|spec must have required property 'owner'/,
  );
  assert.ok((await models()).length >= exampleModels.length);
  const lookup = await api(
    `/api/catalog/entities/by-name/model/default/${broken.metadata.name}`,
  );
  assert.equal(
    lookup.status,
    404,
    'the broken model never entered the catalog',
  );
});

test('the catalog UI lists models next to services (kind picker shows Model)', async t => {
  const page = await newSignedInPage(browser, baseUrl);
  try {
    await page.goto(`${baseUrl}/catalog?filters[kind]=model&filters[user]=all`);
    await page
      .locator('a[href="/catalog/default/model/sentiment-classifier"]')
      .first()
      .waitFor({ timeout: 60000 });
    // The kind picker offers Model next to Component.
    await page.getByText('Model', { exact: true }).first().waitFor();
    await screenshot(page, '02-catalog-models');
    await page.goto(
      `${baseUrl}/catalog?filters[kind]=component&filters[user]=all`,
    );
    await page
      .locator('a[href="/catalog/default/component/support-chat-service"]')
      .first()
      .waitFor();
  } catch (e) {
    await screenshot(page, '02-failure');
    throw e;
  } finally {
    await page.close();
  }
});
