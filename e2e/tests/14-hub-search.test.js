/*
 * Server-side hub search in the browser: a search shared as a URL restores
 * its filter and results, a facet click narrows the list and changes the
 * other facets' counts (and the URL); the page passes axe, and the first
 * table render of the unfiltered hub page and of a shared search are recorded
 * for the run's summary.
 */
'use strict';

const { test } = require('node:test');
const assert = require('node:assert/strict');
const { baseUrl } = require('../env');
const { screenshot } = require('../portal');
const { assertAccessible } = require('../a11y');
const { guestSession } = require('../session');
const { measureFirstRender, recordTiming } = require('../timings');

const session = guestSession(baseUrl);

/** The "Showing a–b of N models" total. */
async function total() {
  const text = await session.page.getByRole('status').first().textContent();
  return Number(/of (\d+) models/.exec(text ?? '')?.[1]);
}

/** Waits until the filters show the current search's counts (they load apart from the page). */
async function facetsReady() {
  await session.page
    .locator('section[aria-label="Search and filters"][aria-busy="false"]')
    .waitFor({ timeout: 20000 });
}

/** The counts shown in one filter's options, e.g. { onnx: 1, pytorch: 2 }. */
async function optionCounts(label) {
  await facetsReady();
  await session.page.getByLabel(`Filter by ${label}`).click();
  const options = await session.page.getByRole('option').allTextContents();
  await session.page.keyboard.press('Escape');
  return Object.fromEntries(
    options
      .map(o => /^(.*) \((\d+)\)$/.exec(o))
      .filter(Boolean)
      .map(m => [m[1], Number(m[2])]),
  );
}

test('the hub page renders its first table row and passes axe', async () => {
  try {
    const table = session.page.getByRole('table', { name: 'Models' });
    const ms = await measureFirstRender(
      session.page,
      `${baseUrl}/model-hub`,
      table.getByRole('row').nth(1),
    );
    recordTiming('hub page first table row', ms);
    await assertAccessible(session.page, 'the hub page');
    await screenshot(session.page, 'hub-page');
  } catch (e) {
    await screenshot(session.page, '14-hub-page-failure');
    throw e;
  }
});

test('a shared search URL restores its filter and results; a facet click changes the counts', async () => {
  try {
    const table = session.page.getByRole('table', { name: 'Models' });
    const firstResultsMs = await measureFirstRender(
      session.page,
      `${baseUrl}/model-hub?task=text-classification`,
      table.getByText(/sentiment classifier/i),
    );
    recordTiming('hub page first results (shared search URL)', firstResultsMs);
    await screenshot(session.page, '14-hub-search-shared-url');

    // Only text-classification models are listed, and the select shows the filter.
    const rows = await table.getByRole('row').allTextContents();
    assert.ok(rows.length > 1);
    for (const row of rows.slice(1)) assert.match(row, /text-classification/);
    assert.equal(await table.getByText(/tabular-classification/).count(), 0);
    assert.match(
      (await session.page.getByLabel('Filter by Task').textContent()) ?? '',
      /text-classification/,
    );
    const before = await total();
    const frameworks = await optionCounts('Framework');
    assert.ok(
      Object.keys(frameworks).length >= 1,
      'framework facet has values',
    );

    // Clear the task (facet click): more models, counts grow, URL follows.
    const clickAt = Date.now();
    await session.page.getByLabel('Filter by Task').click();
    await session.page.getByRole('option', { name: 'Any' }).click();
    await session.page.waitForFunction(
      n => /of (\d+) models/.exec(document.body.innerText)?.[1] !== String(n),
      before,
      { timeout: 20000 },
    );
    console.log(
      `[e2e] hub page facet click to new results: ${Date.now() - clickAt} ms`,
    );
    assert.ok((await total()) > before);
    assert.doesNotMatch(session.page.url(), /task=/);
    const allFrameworks = await optionCounts('Framework');
    const sum = o => Object.values(o).reduce((a, b) => a + b, 0);
    assert.ok(
      sum(allFrameworks) > sum(frameworks),
      'framework counts change with the task filter',
    );

    // Choosing a framework puts it in the URL (shareable) and narrows the list.
    const [framework] = Object.keys(allFrameworks);
    await session.page.getByLabel('Filter by Framework').click();
    await session.page
      .getByRole('option', {
        name: `${framework} (${allFrameworks[framework]})`,
      })
      .click();
    await session.page.waitForURL(
      url => url.searchParams.get('framework') === framework,
      { timeout: 20000 },
    );
    await session.page.waitForFunction(
      n => /of (\d+) models/.exec(document.body.innerText)?.[1] === String(n),
      allFrameworks[framework],
      { timeout: 20000 },
    );
    await screenshot(session.page, '14-hub-search-facet');
  } catch (e) {
    await screenshot(session.page, '14-hub-search-failure');
    throw e;
  }
});
