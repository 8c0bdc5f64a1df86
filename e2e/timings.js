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
 * Navigates `page` to `url` and resolves to the milliseconds from the
 * navigation's start until `ready` (a Playwright locator) is visible.
 */
async function measureFirstRender(
  page,
  url,
  ready,
  { timeoutMs = 60000 } = {},
) {
  await page.goto(url);
  await ready.first().waitFor({ state: 'visible', timeout: timeoutMs });
  // performance.now() counts from this document's navigation start.
  return Math.round(await page.evaluate(() => performance.now()));
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
  TIMINGS_FILE_ENV,
  measureFirstRender,
  recordTiming,
  timingSummary,
};
