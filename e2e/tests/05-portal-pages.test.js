/*
 * The model hub in the portal, in headless Chromium against the running
 * portal with the example data: find models on the hub page with filters,
 * open a model page (tier badge, versions, gauntlet results, pull command),
 * see the departed steward's task on the team page, and follow a service's
 * "models used" link to the model page. Screenshots of every step go to
 * e2e/screenshots.
 */
'use strict';

const { test, before, after } = require('node:test');
const assert = require('node:assert/strict');
const { baseUrl, api } = require('../env');
const {
  launchBrowser,
  newSignedInPage,
  screenshot,
  screenshotStep,
  waitFor,
} = require('../portal');

let browser;
let page;

before(async () => {
  browser = await launchBrowser();
  page = await newSignedInPage(browser, baseUrl);
  // The example versions are published at start-up; wait for the ONNX model's.
  await waitFor(
    'the seeded example version of sentiment-classifier',
    async () => {
      const res = await api(
        '/api/model-hub/v1/models/default/sentiment-classifier/versions',
      );
      const body = res.ok ? await res.json() : { items: [] };
      return body.items.some(v => v.state === 'sealed');
    },
    { timeoutMs: 120000, intervalMs: 2000 },
  );
});

after(async () => {
  await browser?.close();
});

const step = (name, fn) => screenshotStep(page, name, fn);

test('the hub page finds models with server-side filters', async () => {
  await step('05-hub-page', async () => {
    await page.goto(`${baseUrl}/model-hub`);
    await page
      .getByRole('table', { name: 'Models' })
      .waitFor({ timeout: 60000 });
    await page.getByText('Sentiment Classifier').first().waitFor();
    await page.getByLabel('Search models').fill('churn');
    await page.getByText('Churn Classifier').first().waitFor();
    await waitFor(
      'the search to narrow the list',
      async () => (await page.getByText('Sentiment Classifier').count()) === 0,
      { timeoutMs: 20000, intervalMs: 500 },
    );
  });
});

test('a model page shows the tier badge, versions, gauntlet and the pull command', async () => {
  await step('05-model-overview', async () => {
    await page.goto(`${baseUrl}/catalog/default/model/sentiment-classifier`);
    await page
      .getByLabel(/^Tier: /)
      .first()
      .waitFor({ timeout: 60000 });
    // "Use this model": the CLI tab first, pinned to a version, copyable.
    const pull = page.getByLabel(/^Pull version \S+ with the model-hub CLI$/);
    await pull.waitFor();
    assert.match(
      await pull.innerText(),
      /model-hub pull model:default\/sentiment-classifier@\d+\.\d+\.\d+/,
    );
    await page
      .getByRole('button', {
        name: /^Copy: Pull version \S+ with the model-hub CLI/,
      })
      .waitFor();
  });
  await step('05-model-versions', async () => {
    await page.getByRole('tab', { name: 'Versions' }).click();
    await page
      .getByRole('table', { name: /Files of version 2\.1\.0/ })
      .waitFor({ timeout: 30000 });
    await page.getByText('model.onnx').first().waitFor();
    await page
      .getByLabel(/Scan verdict.*: Safe/i)
      .first()
      .waitFor();
  });
  await step('05-model-gauntlet', async () => {
    await page.getByRole('tab', { name: 'Gauntlet' }).click();
    for (const check of [
      'security',
      'license',
      'fairness',
      'performance',
      'provenance',
    ]) {
      await page
        .getByText(new RegExp(check, 'i'))
        .first()
        .waitFor({ timeout: 60000 });
    }
  });
});

test('the team page of the model with the departed steward shows the task', async () => {
  await step('05-team-tasks', async () => {
    await page.goto(`${baseUrl}/catalog/default/group/logistics`);
    const table = page.getByRole('table', { name: 'Open stewardship tasks' });
    await table.waitFor({ timeout: 60000 });
    await table
      .getByText(/route[- ]eta/i)
      .first()
      .waitFor();
  });
});

test("a service page lists its models and links to the model's page", async () => {
  await step('05-service-models', async () => {
    await page.goto(
      `${baseUrl}/catalog/default/component/support-chat-service`,
    );
    const list = page.getByRole('list', {
      name: 'Models used by this service',
    });
    await list.waitFor({ timeout: 60000 });
    await list.scrollIntoViewIfNeeded();
    await screenshot(page, '05-service-models-list');
    await list
      .locator('a[href="/catalog/default/model/support-assistant"]')
      .first()
      .click();
    await page.waitForURL(/\/catalog\/default\/model\/support-assistant/);
    await page.getByText('Model card').first().waitFor();
  });
});
