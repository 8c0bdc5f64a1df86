/*
 * The bench's model page loaders (scripts/bench/modelPage.js) make the
 * calls the browser makes: the overview tab of sentiment-classifier is
 * opened in Chromium with every catalog and hub request logged, and
 * `modelPageLoader` must make the same calls (method, path, query and
 * by-refs body, as many times). The link titles Backstage's presentation
 * API loads are batched by render timing, so for them the set of refs is
 * compared, not the batches. Every call of `modelPageIssueLoader` (the
 * issue's card + versions + gauntlet + consumers) must be one the browser
 * makes on the overview, Versions or Gauntlet tab. A card that adds, drops
 * or changes a call fails this until the loaders follow.
 */
'use strict';

const { test } = require('node:test');
const assert = require('node:assert/strict');
const { baseUrl, token, api } = require('../env');
const { ROOT, screenshotOnFailure, waitFor } = require('../portal');
const { guestSession } = require('../session');
const {
  modelPageLoader,
  modelPageIssueLoader,
  overviewHasGraph,
  PRESENTATION_FIELDS,
} = require('../../scripts/bench/modelPage');
const { keepAliveRequester } = require('../../scripts/bench/keepAliveClient');

const MODEL = 'sentiment-classifier';
const PAGE = `${baseUrl}/catalog/default/model/${MODEL}`;

/** The APIs whose calls the loaders stand for. */
const MEASURED = /^\/api\/(catalog|model-hub)\//;
/**
 * Calls of the app's shell, made once per app load whatever the page: the
 * sidebar's "My groups" (MyGroupsSidebarItem).
 */
const SHELL = [/^GET \/api\/catalog\/entities\?.*relations\.hasMember=/];
const TITLES = JSON.stringify([...PRESENTATION_FIELDS].sort());

/**
 * Splits calls (method, path with query, by-refs body) into the ordinary
 * ones, sorted, and the set of refs whose link titles were loaded.
 */
function split(calls) {
  const other = [];
  const titles = new Set();
  for (const { method, url, body } of calls) {
    const { pathname, search } = new URL(url, baseUrl);
    const line = `${method} ${decodeURIComponent(pathname)}${decodeURIComponent(
      search,
    )}`;
    if (SHELL.some(re => re.test(line))) continue;
    const parsed = body ? JSON.parse(body) : undefined;
    if (
      parsed &&
      JSON.stringify([...(parsed.fields ?? [])].sort()) === TITLES
    ) {
      parsed.entityRefs.forEach(r => titles.add(r));
      continue;
    }
    // The catalog client may order refs and fields differently; the set is the call.
    if (parsed?.entityRefs) parsed.entityRefs.sort();
    if (parsed?.fields) parsed.fields.sort();
    other.push(parsed ? `${line} ${JSON.stringify(parsed)}` : line);
  }
  return { other: other.sort(), titles: [...titles].sort() };
}

/** The loader's calls, made against the portal. */
async function loaderCalls(loader) {
  const request = keepAliveRequester(baseUrl, token);
  const calls = [];
  await loader((p, init = {}) => {
    calls.push({ method: init.method ?? 'GET', url: p, body: init.body });
    return request(p, init);
  })(MODEL);
  return split(calls);
}

const session = guestSession(baseUrl, {
  ready: async () => {
    // The example versions are seeded at start-up; the card shows 2.1.0's README.
    await waitFor(
      'sentiment-classifier 2.1.0 sealed with its README',
      async () => {
        const res = await api(
          `/api/model-hub/v1/models/default/${MODEL}/versions`,
        );
        if (!res.ok) return false;
        const { items } = await res.json();
        return items.some(
          v =>
            v.version === '2.1.0' &&
            v.state === 'sealed' &&
            v.files.some(f => f.path === 'README.md'),
        );
      },
      { timeoutMs: 180000, intervalMs: 2000 },
    );
  },
});

/**
 * The page's catalog and hub requests while `fn` runs and until none has
 * been in flight for half a second (a tab switch is no navigation, so the
 * page's own network-idle state does not see its requests).
 */
async function browserCalls(fn) {
  const calls = [];
  let inFlight = 0;
  let lastChange = Date.now();
  const onRequest = req => {
    inFlight++;
    lastChange = Date.now();
    if (!MEASURED.test(new URL(req.url()).pathname)) return;
    calls.push({ method: req.method(), url: req.url(), body: req.postData() });
  };
  const onDone = () => {
    inFlight--;
    lastChange = Date.now();
  };
  const { page } = session;
  page.on('request', onRequest);
  page.on('requestfinished', onDone);
  page.on('requestfailed', onDone);
  try {
    await fn();
    await waitFor(
      'the page to finish its requests',
      async () => inFlight <= 0 && Date.now() - lastChange >= 500,
      { timeoutMs: 30000, intervalMs: 100 },
    );
  } finally {
    page.off('request', onRequest);
    page.off('requestfinished', onDone);
    page.off('requestfailed', onDone);
  }
  return split(calls);
}

test('the bench loaders make the calls the model page makes in the browser', async () => {
  await screenshotOnFailure(session.page, 'model-page-calls', async () => {
    // From a blank page, so no call of the page the sign-in landed on
    // (the home page's reuse cards) falls into the overview's.
    await session.page.goto('about:blank');
    const overview = await browserCalls(async () => {
      await session.page.goto(PAGE);
      await session.page
        .getByTestId('model-readme')
        .getByRole('heading', { name: 'Sentiment Classifier 2.1.0' })
        .waitFor({ timeout: 60000 });
      await session.page
        .getByRole('table', { name: 'Consumers of this model' })
        .waitFor();
    });
    const overviewLoader = await loaderCalls(request =>
      modelPageLoader(request, { graph: overviewHasGraph(ROOT) }),
    );
    assert.deepEqual(
      overviewLoader.other,
      overview.other,
      'modelPageLoader must make the overview tab’s calls',
    );
    assert.deepEqual(
      overviewLoader.titles,
      overview.titles,
      'modelPageLoader must load the titles of the links the overview shows',
    );
    const versionsTab = await browserCalls(async () => {
      await session.page.getByRole('tab', { name: 'Versions' }).click();
      await session.page
        .getByRole('table', { name: /Files of version 2\.1\.0/ })
        .waitFor({ timeout: 30000 });
    });
    const gauntletTab = await browserCalls(async () => {
      await session.page.getByRole('tab', { name: 'Gauntlet' }).click();
      await session.page
        .getByText(/provenance/i)
        .first()
        .waitFor({ timeout: 30000 });
    });
    const seen = new Set(
      [overview, versionsTab, gauntletTab].flatMap(c => c.other),
    );
    const seenTitles = new Set(
      [overview, versionsTab, gauntletTab].flatMap(c => c.titles),
    );
    const issue = await loaderCalls(modelPageIssueLoader);
    assert.deepEqual(
      issue.other.filter(c => !seen.has(c)),
      [],
      'modelPageIssueLoader makes calls the browser does not',
    );
    assert.deepEqual(
      issue.titles.filter(r => !seenTitles.has(r)),
      [],
      'modelPageIssueLoader loads titles the browser does not',
    );
    // The README card reads the card as a preview (not a pull).
    for (const part of [
      /\/versions$/,
      /\/gauntlet$/,
      /by-refs/,
      /README\.md\?purpose=preview$/,
    ])
      assert.ok(
        issue.other.some(c => part.test(c)),
        `the issue's loader covers ${part}`,
      );
  });
});
