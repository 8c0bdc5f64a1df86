/*
 * Foundation smoke test: the API lists the example entities with an
 * external-access token, and a person signs in as guest, opens the catalog,
 * sees an example service and opens a team page.
 */
'use strict';

const { test, before, after } = require('node:test');
const assert = require('node:assert/strict');
const { baseUrl, api } = require('../env');
const { launchBrowser, screenshot } = require('../portal');

let browser;
let page;

before(async () => {
  browser = await launchBrowser();
  page = await browser.newPage({ viewport: { width: 1400, height: 1000 } });
});

after(async () => {
  await browser?.close();
});

test('the catalog API answers with a static token and lists the examples', async () => {
  const unauthenticated = await fetch(`${baseUrl}/api/catalog/entities`);
  assert.equal(unauthenticated.status, 401);
  const res = await api('/api/catalog/entities?filter=kind=component');
  assert.equal(res.status, 200);
  const names = (await res.json()).map(e => e.metadata.name);
  assert.ok(names.includes('support-chat-service'), names.join(', '));
});

test('guest signs in, sees a service in the catalog and opens a team page', async t => {
  try {
    await page.goto(baseUrl);
    await page.getByRole('button', { name: 'Enter' }).click();
    await page.getByText('Example Corp Home').waitFor({ timeout: 60000 });
    await page.goto(
      `${baseUrl}/catalog?filters[kind]=component&filters[user]=all`,
    );
    await page
      .locator('a[href="/catalog/default/component/support-chat-service"]')
      .first()
      .waitFor();
    await screenshot(page, '01-catalog');
    await page.goto(`${baseUrl}/catalog/default/group/ml-platform`);
    await page
      .getByRole('heading', { name: /ML Platform/ })
      .first()
      .waitFor();
    await page.getByText('Members').first().waitFor();
    await screenshot(page, '01-team-page');
  } catch (e) {
    await screenshot(page, `01-failure-${t.name.replace(/\W+/g, '-')}`);
    throw e;
  }
});
