/*
 * First-render timings of portal pages, measured in the browser: the time
 * from the navigation's start (performance.timeOrigin) until a given element
 * is visible. Specs record them; e2e/run.js prints them in its summary. The
 * scale benchmark reuses measureFirstRender against a portfolio of 10,000.
 */
'use strict';

const fs = require('node:fs');
const os = require('node:os');

/** Where specs append timings (one JSON line each); set by e2e/run.js. */
const TIMINGS_FILE_ENV = 'MODEL_HUB_E2E_TIMINGS_FILE';

/**
 * In every document of a page: stamps each inserted element (the root of an
 * inserted subtree) with the time of the first animation frame after its
 * insertion, i.e. the frame that can show it.
 */
function stampInsertions() {
  new MutationObserver(records => {
    const added = [];
    for (const r of records) for (const n of r.addedNodes) added.push(n);
    requestAnimationFrame(at => {
      for (const n of added) if (n.__shownAt === undefined) n.__shownAt = at;
    });
  }).observe(document, { childList: true, subtree: true });
}

const stamped = new WeakSet();

/**
 * Navigates `page` to `url` and resolves to the milliseconds from the
 * navigation's start until the frame that shows `ready` (a Playwright
 * locator), measured in the page: the element's insertion is stamped there
 * (the nearest stamped ancestor, when it came in as part of a subtree), so
 * the figure does not include Playwright's polling and round trips, which
 * were ~50-200 ms of it on a loaded machine. Falls back to the time the
 * locator was seen when no stamp is found.
 */
async function measureFirstRender(
  page,
  url,
  ready,
  { timeoutMs = 60000 } = {},
) {
  if (!stamped.has(page)) {
    await page.addInitScript(stampInsertions);
    stamped.add(page);
  }
  await page.goto(url);
  const element = ready.first();
  await element.waitFor({ state: 'visible', timeout: timeoutMs });
  // performance.now() and frame times count from this document's
  // navigation start.
  const seenAt = await page.evaluate(() => performance.now());
  const shownAt = await element.evaluate(el => {
    for (let n = el; n; n = n.parentNode) {
      if (n.__shownAt !== undefined) return n.__shownAt;
    }
    return undefined;
  });
  return Math.round(shownAt ?? seenAt);
}

/**
 * Clicks `option` (a facet's option on the hub page, its menu open) and
 * resolves to the milliseconds from the click to the frame that shows a new
 * total in the hub's status line, both taken in the page: the click event's
 * own time stamp, and the first animation frame after the status line's
 * text changed (a MutationObserver), so neither Playwright's round trip
 * before the click nor its polling after it is counted. The clock starts
 * when the option can be clicked: the menu's opening transition (and
 * Playwright's wait for it to be stable) is not the hub's answer.
 */
async function measureFacetClick(page, option, { timeoutMs = 60000 } = {}) {
  await option.click({ trial: true });
  await page.evaluate(() => {
    const total = () =>
      /of ([\d,]+) models/.exec(
        [...document.querySelectorAll('[role="status"]')]
          .map(e => e.textContent)
          .join(' '),
      )?.[1];
    const state = { before: total() };
    window.__facetClick = state;
    document.addEventListener(
      'click',
      e => {
        state.clickAt ??= e.timeStamp;
      },
      { capture: true, once: true },
    );
    const observer = new MutationObserver(() => {
      const now = total();
      if (state.clickAt === undefined || now === undefined) return;
      if (now === state.before) return;
      observer.disconnect();
      requestAnimationFrame(at => {
        state.shownAt = at;
      });
    });
    observer.observe(document.body, {
      childList: true,
      subtree: true,
      characterData: true,
    });
  });
  await option.click();
  await page.waitForFunction(
    () => window.__facetClick.shownAt !== undefined,
    null,
    { timeout: timeoutMs },
  );
  return page.evaluate(() =>
    Math.round(window.__facetClick.shownAt - window.__facetClick.clickAt),
  );
}

/**
 * Records one timing for the run's summary (and prints it at once), with
 * the machine's 1-minute load average at that moment: timings on a shared
 * machine mean little without it.
 */
function recordTiming(label, ms, detail = '') {
  detail = [detail, `load ${os.loadavg()[0].toFixed(1)}`]
    .filter(Boolean)
    .join('; ');
  console.log(
    `[e2e] timing: ${label}: ${ms} ms${detail ? ` (${detail})` : ''}`,
  );
  const file = process.env[TIMINGS_FILE_ENV];
  if (file) {
    fs.appendFileSync(file, `${JSON.stringify({ label, ms, detail })}\n`);
  }
}

/** The summary lines of the timings in `file` (none if it does not exist). */
function timingSummary(file) {
  if (!fs.existsSync(file)) return [];
  return fs
    .readFileSync(file, 'utf8')
    .split('\n')
    .filter(Boolean)
    .map(line => JSON.parse(line))
    .map(t => `  ${t.label}: ${t.ms} ms${t.detail ? ` (${t.detail})` : ''}`);
}

module.exports = {
  measureFacetClick,
  TIMINGS_FILE_ENV,
  measureFirstRender,
  recordTiming,
  timingSummary,
};
