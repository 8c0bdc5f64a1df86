/*
 * Backstage search finds models as models: a query for the sentiment
 * classifier shows the model result item (tier badge, task, framework,
 * licence, latest version, owner); choosing the Model kind shows the task,
 * framework and tier filters, and one of them narrows the results. The
 * search page passes axe. The User page's Ownership card counts the models
 * of the user's teams. Saves search.png.
 */
'use strict';

const { test } = require('node:test');
const assert = require('node:assert/strict');
const { baseUrl, api } = require('../env');
const { screenshot, screenshotOnFailure, waitFor } = require('../portal');
const { userApi } = require('../scaffolder');
const { assertAccessible } = require('../a11y');
const { guestSession } = require('../session');

const session = guestSession(baseUrl, {
  ready: async () => {
    // The search index is rebuilt every minute in the e2e portal.
    await waitFor(
      'the sentiment classifier in the search index',
      async () => {
        const res = await userApi(
          '/api/search/query?term=sentiment&types%5B0%5D=software-catalog',
        );
        const { results } = await res.json();
        return results.some(
          r =>
            r.document.location ===
            '/catalog/default/model/sentiment-classifier',
        );
      },
      { timeoutMs: 180000, intervalMs: 3000 },
    );
  },
});

/** Runs a test's body, with a screenshot if it fails. */
function step(name, fn) {
  return screenshotOnFailure(session.page, `17-${name}`, fn);
}

/** The search page's select filter labelled `label` (Backstage's SearchFilter.Select). */
function searchSelect(label) {
  return session.page
    .locator('[class*="MuiFormControl-root"]', {
      has: session.page.locator('label', { hasText: new RegExp(`^${label}$`) }),
    })
    .getByRole('button');
}

/** The result list items, as text. */
async function resultTexts() {
  return session.page
    .locator('main li')
    .filter({ has: session.page.locator('a[href^="/catalog/"]') })
    .allInnerTexts();
}

test('searching by name shows the model result item with its facts', async () => {
  await step('result', async () => {
    await session.page.goto(`${baseUrl}/search?query=sentiment`);
    const item = session.page.locator('main li').filter({
      has: session.page.getByRole('link', {
        name: 'Sentiment Classifier',
        exact: true,
      }),
    });
    await item.waitFor({ timeout: 60000 });
    await item.locator('[data-testid^="tier-badge-"]').waitFor();
    for (const fact of [
      'Task: text-classification',
      'Framework: onnx',
      'Licence: Apache-2.0',
      'Latest: 2.1.0',
    ]) {
      await item.getByText(fact).waitFor({ timeout: 30000 });
    }
    await item.getByRole('link', { name: 'Marketing Analytics' }).waitFor();
    assert.equal(
      await item
        .getByRole('link', { name: 'Sentiment Classifier', exact: true })
        .getAttribute('href'),
      '/catalog/default/model/sentiment-classifier',
    );
    await assertAccessible(session.page, 'the search page');
  });
});

test('the Model kind shows task, framework and tier filters, and a framework narrows the results', async () => {
  await step('filters', async () => {
    await searchSelect('Kind').click();
    await session.page
      .getByRole('option', { name: 'Model', exact: true })
      .click();
    await session.page.waitForURL(
      /filters%5Bkind%5D=Model|filters\[kind\]=Model/,
      {
        timeout: 20000,
      },
    );
    for (const label of ['Task', 'Framework', 'Tier']) {
      await searchSelect(label).waitFor({ timeout: 20000 });
    }
    // Only models now; both sentiment models are found.
    await session.page
      .getByText('Framework: sklearn')
      .first()
      .waitFor({ timeout: 30000 });
    await session.page.getByText('Framework: onnx').first().waitFor();
    const models = await resultTexts();
    assert.ok(models.length >= 2, `results: ${models.length}`);
    for (const text of models) assert.match(text, /Task: /);

    await searchSelect('Framework').click();
    await session.page
      .getByRole('option', { name: 'onnx', exact: true })
      .click();
    await session.page
      .getByText('Framework: sklearn')
      .first()
      .waitFor({ state: 'detached', timeout: 30000 });
    await session.page
      .getByText('Framework: onnx')
      .first()
      .waitFor({ timeout: 30000 });
    const narrowed = await resultTexts();
    assert.ok(narrowed.length >= 1 && narrowed.length < models.length);
    for (const text of narrowed) assert.match(text, /Framework: onnx/);
    await screenshot(session.page, 'search');
  });
});

test("the User page's Ownership card counts the models of the user's teams", async () => {
  await step('user-ownership', async () => {
    await session.page.goto(`${baseUrl}/catalog/default/user/guest`);
    const boxes = session.page.locator('a[href*="filters%5Bkind%5D=model"]');
    await boxes.first().waitFor({ timeout: 60000 });
    const owned = await (
      await api(
        '/api/catalog/entities?filter=kind=model,relations.ownedBy=group:default/ml-platform&fields=metadata.name',
      )
    ).json();
    const counts = await boxes.evaluateAll(as =>
      as.map(a => Number(a.querySelector('h6')?.textContent)),
    );
    assert.equal(
      counts.reduce((a, b) => a + b, 0),
      owned.length,
      `Model boxes ${JSON.stringify(counts)} add up to ML Platform's models`,
    );
  });
});
