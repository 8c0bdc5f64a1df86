/*
 * Publishing through the portal's forms, in headless Chromium as the guest
 * user (ML Platform): "Register a new model" shows the similar sentiment
 * model while the name is typed, lists only ML Platform's people as
 * stewards, refuses an invalid SPDX expression as it is typed, and the new
 * model opens from the task page and is listed on the hub page; "Publish a
 * new model version" uploads files from the form, and the gauntlet results
 * of the new version are on the model page. Screenshots go to
 * e2e/screenshots.
 */
'use strict';

const { test, before, after } = require('node:test');
const assert = require('node:assert/strict');
const path = require('node:path');
const { baseUrl, api } = require('../env');
const {
  ROOT,
  launchBrowser,
  newSignedInPage,
  screenshotStep,
  waitFor,
} = require('../portal');

const NAME = 'review-sentiment';
const REF = `model:default/${NAME}`;

let browser;
let page;

before(async () => {
  browser = await launchBrowser();
  page = await newSignedInPage(browser, baseUrl);
});

after(async () => {
  await browser?.close();
});

const step = (name, fn) => screenshotStep(page, name, fn);

async function next() {
  await page.getByRole('button', { name: 'Next' }).click();
}

/** Picks `option` in the rjsf select labelled `label`. */
async function select(label, option) {
  await page.locator(`#root_${label}`).click();
  await page.getByRole('option', { name: option, exact: true }).click();
  await page.getByRole('listbox').waitFor({ state: 'hidden' });
}

test('"Register a new model" in the browser: similar models, team stewards, live SPDX check, and the model in the catalog and on the hub page', async () => {
  await step('08-register-identity', async () => {
    await page.goto(`${baseUrl}/create`);
    await page
      .getByRole('heading', { name: 'Register a new model' })
      .waitFor({ timeout: 60000 });
    await page.goto(`${baseUrl}/create/templates/default/register-model`);
    await page.locator('#root_name').fill(NAME);
    await page.locator('#root_title').fill('Review Sentiment');
    await page
      .locator('#root_description')
      .fill('Classifies the sentiment of product reviews for support triage.');
    await select('task', 'text-classification');
    // The hub points at the sentiment model Marketing already has.
    await page
      .getByText('already exists in Marketing Analytics')
      .first()
      .waitFor({ timeout: 30000 });
    await page
      .getByRole('link', { name: 'Sentiment Classifier', exact: true })
      .waitFor();
  });

  await step('08-register-ownership', async () => {
    await next();
    await page.locator('#root_owner').fill('ML Platform');
    await page
      .getByRole('option', { name: /ML Platform/ })
      .first()
      .click();
    await page.locator('#root_steward').click();
    const stewards = await page.getByRole('option').allInnerTexts();
    assert.ok(
      stewards.some(s => /Priya/.test(s)),
      `ML Platform's people are offered: ${stewards}`,
    );
    assert.ok(
      !stewards.some(s => /Sophie|Maria|Ahmed/.test(s)),
      `people of other teams are not offered: ${stewards}`,
    );
    await page.getByRole('option', { name: /Priya/ }).click();
  });

  await step('08-register-what', async () => {
    await next();
    await select('type', 'classifier');
    await select('framework', 'onnx');
  });

  await step('08-register-license', async () => {
    await next();
    const license = page.locator('#root_license');
    await license.fill('MIT ANDD Apache-2.0');
    await page.keyboard.press('Escape');
    const complaint = page.getByText(/^Not a valid SPDX license expression: /);
    await complaint.waitFor();
    assert.equal(await license.getAttribute('aria-invalid'), 'true');
    await license.fill('MIT');
    await page.keyboard.press('Escape');
    await waitFor(
      'the license to be accepted',
      async () => (await license.getAttribute('aria-invalid')) === 'false',
      { timeoutMs: 10000, intervalMs: 200 },
    );
    assert.equal(await complaint.count(), 0);
  });

  await step('08-register-review', async () => {
    await next();
    await page
      .locator('#root_intendedUse')
      .fill('Routing negative reviews to the support queue.');
    await next();
    await page.getByRole('button', { name: 'Review' }).click();
    await page.getByRole('button', { name: 'Create' }).waitFor();
  });

  await step('08-register-done', async () => {
    await page.getByRole('button', { name: 'Create' }).click();
    await page
      .getByRole('link', { name: 'Open the model in the catalog' })
      .waitFor({ timeout: 120000 });
  });

  await step('08-register-entity', async () => {
    await page
      .getByRole('link', { name: 'Open the model in the catalog' })
      .click();
    await page.waitForURL(/\/catalog\/default\/model\/review-sentiment/);
    await page
      .getByLabel(/^Tier: /)
      .first()
      .waitFor({ timeout: 60000 });
    assert.equal(await page.getByText('Entity not found').count(), 0);
  });

  await step('08-register-hub-page', async () => {
    await page.goto(`${baseUrl}/model-hub`);
    const table = page.getByRole('table', { name: 'Models' });
    await table.getByRole('link', { name: 'Review Sentiment' }).waitFor({
      timeout: 60000,
    });
  });

  const entity = await (
    await api(`/api/catalog/entities/by-name/model/default/${NAME}`)
  ).json();
  assert.equal(entity.spec.steward, 'user:default/priya.natarajan');
  assert.equal(entity.spec.license, 'MIT');
  assert.equal(entity.spec.task, 'text-classification');
});

test('"Publish a new model version" in the browser uploads the files; the gauntlet results are on the model page', async () => {
  await step('08-publish-version', async () => {
    await page.goto(
      `${baseUrl}/create/templates/default/publish-model-version`,
    );
    await page.locator('#root_model').click();
    await page.locator('#root_model').fill('review');
    await page
      .getByRole('option', { name: /review-sentiment|Review Sentiment/ })
      .click();
    await page.locator('#root_version').fill('0.1.0');
    await next();
  });

  await step('08-publish-files', async () => {
    // The form takes one file per pick and adds it to the list.
    for (const file of ['model.onnx', 'metrics.json']) {
      await page
        .locator('#root_files')
        .setInputFiles(
          path.join(ROOT, 'examples/artifacts/sentiment-classifier', file),
        );
      await page.getByText(file).first().waitFor();
    }
    await page.getByRole('button', { name: 'Review' }).click();
    await page.getByRole('button', { name: 'Create' }).click();
    await page
      .getByRole('link', { name: 'Compliance gauntlet' })
      .waitFor({ timeout: 180000 });
    await page.getByText(`model-hub pull ${REF}@0.1.0`).first().waitFor();
  });

  await step('08-publish-gauntlet', async () => {
    await page.getByRole('link', { name: 'Compliance gauntlet' }).click();
    await page.waitForURL(
      /\/catalog\/default\/model\/review-sentiment\/gauntlet/,
    );
    for (const check of ['security', 'license']) {
      await page
        .getByText(new RegExp(check, 'i'))
        .first()
        .waitFor({ timeout: 60000 });
    }
    await page.getByText('Version checked: 0.1.0').waitFor();
    await page.getByText(/1 safe, 1 not a known format/).waitFor();
  });

  const version = await (
    await api(`/api/model-hub/v1/models/default/${NAME}/versions/0.1.0`)
  ).json();
  assert.equal(version.state, 'sealed');
  assert.deepEqual(version.files.map(f => f.path).sort(), [
    'metrics.json',
    'model.onnx',
  ]);
  const gauntlet = await (
    await api(`/api/model-hub/v1/models/default/${NAME}/gauntlet`)
  ).json();
  assert.equal(gauntlet.version, '0.1.0');
  assert.ok(gauntlet.checks.some(c => c.checkId === 'security'));
});
