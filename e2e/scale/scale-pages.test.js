/*
 * The pages at portfolio size (run by e2e/run.js's scale phase against a
 * portal whose catalog holds MODEL_HUB_E2E_SCALE_MODELS generated models):
 * the hub page lists all of them and renders its first table row, a facet
 * click narrows the results, and a generated model's page and the example
 * sentiment classifier's page render their birth certificate. Each timing is
 * the median of three navigations, recorded for the run's summary next to
 * the same timings at the example data (goal ≤ 1.5 s for first renders).
 */
'use strict';

const { test } = require('node:test');
const assert = require('node:assert/strict');
const { baseUrl } = require('../env');
const { screenshot } = require('../portal');
const { guestSession } = require('../session');
const { assertAccessible } = require('../a11y');
const {
  measureFacetClick,
  measureFirstRender,
  recordTiming,
} = require('../timings');

const MODELS = Number(process.env.MODEL_HUB_E2E_SCALE_MODELS);
const GENERATED = process.env.MODEL_HUB_E2E_SCALE_MODEL;
// Generated models the unfiltered hub page lists (archived ones are hidden).
const LISTED = Number(process.env.MODEL_HUB_E2E_SCALE_LISTED);
if (!MODELS || !GENERATED || !LISTED) {
  throw new Error('run the scale specs through `node e2e/run.js scale`');
}
const SIZE = `at ${MODELS.toLocaleString('en-US')} models`;
const RUNS = 3;
const GOAL_MS = 1500;

const session = guestSession(baseUrl);

/** Runs `measure` RUNS times; records the median with every run and the goal. */
async function timed(label, measure, goalMs = GOAL_MS) {
  const runs = [];
  for (let i = 0; i < RUNS; i++) runs.push(await measure(i));
  const median = [...runs].sort((a, b) => a - b)[Math.floor(RUNS / 2)];
  recordTiming(
    `${label} ${SIZE}`,
    median,
    `median of ${runs.join(' / ')} ms; goal ≤ ${goalMs} ms: ${
      median <= goalMs ? 'met' : 'missed'
    }`,
  );
  return median;
}

/** The "Showing a–b of N models" total. */
async function total() {
  const text = await session.page.getByRole('status').first().textContent();
  return Number(/of ([\d,]+) models/.exec(text ?? '')?.[1].replace(/,/g, ''));
}

test(`the hub page lists every model and renders its first row ${SIZE}`, async () => {
  const table = session.page.getByRole('table', { name: 'Models' });
  // Issue #18: "first results in ≤ 1 s after navigation".
  await timed(
    'hub page first table row',
    () =>
      measureFirstRender(
        session.page,
        `${baseUrl}/model-hub`,
        table.getByRole('row').nth(1),
      ),
    1000,
  );
  await session.page.getByRole('status').first().waitFor();
  const shown = await total();
  assert.ok(
    shown >= LISTED,
    `the hub page says ${shown} models; ${LISTED} of the ${MODELS} generated ones are not archived`,
  );
  await assertAccessible(session.page, `the hub page ${SIZE}`);
  await screenshot(session.page, 'scale-hub-page');
});

test(`a facet click narrows the results ${SIZE}`, async () => {
  const page = session.page;
  await timed(
    'hub page facet click to new results',
    async i => {
      await page.goto(`${baseUrl}/model-hub`);
      await page.getByRole('status').first().waitFor({ timeout: 60000 });
      const before = await total();
      // The filter's counts load apart from the page; the click needs them.
      await page
        .locator('section[aria-label="Search and filters"][aria-busy="false"]')
        .waitFor({ timeout: 60000 });
      await page.getByLabel('Filter by Task').click();
      const ms = await measureFacetClick(
        page,
        page.getByRole('option').nth(1 + i),
      );
      const after = await total();
      assert.ok(after < before, `a task filter narrows ${before} to ${after}`);
      return ms;
    },
    300,
  );
});

test(`a generated model's page and the example model's page render ${SIZE}`, async () => {
  for (const [label, name] of [
    ['model page first render (generated model)', GENERATED],
    ['model page first render (sentiment-classifier)', 'sentiment-classifier'],
  ]) {
    await timed(label, () =>
      measureFirstRender(
        session.page,
        `${baseUrl}/catalog/default/model/${name}`,
        session.page.getByText('License (SPDX)'),
      ),
    );
  }
  await screenshot(session.page, 'scale-model-page');
});
