/*
 * bench:scale's browser phase (Debian's Chromium through playwright-core):
 * hub page first results after navigation, a facet click until the results
 * change, and a model page's first render (the tier badge). Each is timed
 * `runs` times; the median is reported.
 */
'use strict';

const {
  launchBrowser,
  newSignedInPage,
  screenshot,
} = require('../../e2e/portal');
const { measureFacetClick, measureFirstRender } = require('../../e2e/timings');

const median = xs => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)];

async function totalShown(page) {
  const text = await page.getByRole('status').first().textContent();
  return /of ([\d,]+) models/.exec(text ?? '')?.[1];
}

async function measureBrowser({ baseUrl, modelNames, runs = 3 }) {
  const browser = await launchBrowser();
  try {
    const page = await newSignedInPage(browser, baseUrl);
    const first = [];
    const facet = [];
    const model = [];
    for (let r = 0; r < runs; r++) {
      // Hub page: navigation to the frame showing the Models table's first
      // data row (measured in the page, as the e2e scale phase does).
      const table = page.getByRole('table', { name: 'Models' });
      first.push(
        await measureFirstRender(
          page,
          `${baseUrl}/model-hub`,
          table.getByRole('row').nth(1),
        ),
      );
      await page.getByRole('status').first().waitFor();
      const before = await totalShown(page);
      // The filter's counts load apart from the page; the click needs them.
      await page
        .locator('section[aria-label="Search and filters"][aria-busy="false"]')
        .waitFor({ timeout: 60000 });

      // Facet click: choose a task, until the frame showing the new total.
      await page.getByLabel('Filter by Task').click();
      facet.push(
        await measureFacetClick(page, page.getByRole('option').nth(1 + r)),
      );
      if ((await totalShown(page)) === before) {
        throw new Error('a task filter did not change the total');
      }
      if (r === 0) await screenshot(page, 'bench-scale-hub');

      // Model page: navigation to the frame showing the tier badge.
      model.push(
        await measureFirstRender(
          page,
          `${baseUrl}/catalog/default/model/${
            modelNames[r % modelNames.length]
          }`,
          page.getByLabel(/^Tier: /),
        ),
      );
      if (r === 0) await screenshot(page, 'bench-scale-model');
    }
    return {
      hubFirstResults: median(first),
      facetClick: median(facet),
      modelFirstRender: median(model),
      runs,
    };
  } finally {
    await browser.close();
  }
}

module.exports = { measureBrowser };
