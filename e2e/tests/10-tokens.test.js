/*
 * Personal access tokens end to end, as a person would use them: the guest
 * creates a publish token on the tokens page in Chromium, the CLI publishes
 * a version of an ML Platform model with it (the hub records the guest, not
 * a service), the guest revokes it on the same page, and the next CLI call
 * fails with a one-line 401.
 */
'use strict';

const { test, before, after } = require('node:test');
const assert = require('node:assert/strict');
const { runCli } = require('../cli');
const fs = require('node:fs');
const os = require('node:os');
const path = require('node:path');
const { baseUrl, api } = require('../env');
const { launchBrowser, newSignedInPage, screenshotStep } = require('../portal');

const MODEL = 'model:default/bert-base-uncased';
const VERSION = '7.7.7';
const TOKEN_NAME = 'e2e laptop';

const cli = (args, userToken) => runCli(args, { token: userToken });

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

test('a PAT created on the tokens page publishes with the CLI as its owner; once revoked, the CLI gets a one-line 401', async () => {
  let token;
  await step('10-token-created', async () => {
    await page.goto(`${baseUrl}/model-hub/tokens`);
    await page.locator('#model-hub-token-name').fill(TOKEN_NAME);
    await page.getByLabel(/^publish: /).check();
    await page.getByRole('button', { name: 'Create token' }).click();
    token = (
      await page.getByTestId('created-token').textContent({ timeout: 30000 })
    ).trim();
  });
  assert.match(token, /^mhp_[0-9a-f]{16}_[A-Za-z0-9_-]{43}$/);

  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'model-hub-pat-'));
  fs.writeFileSync(path.join(dir, 'config.json'), '{"hidden_size": 8}\n');
  const published = cli(
    [
      'publish',
      dir,
      '--model',
      MODEL,
      '--version',
      VERSION,
      '--portal',
      baseUrl,
    ],
    token,
  );
  assert.equal(published.code, 0, published.err || published.out);
  const version = await (
    await api(
      `/api/model-hub/v1/models/default/bert-base-uncased/versions/${VERSION}`,
    )
  ).json();
  assert.equal(version.state, 'sealed');
  assert.equal(version.createdBy, 'user:default/guest');

  await step('10-token-revoked', async () => {
    await page.reload();
    await page.getByRole('button', { name: `Revoke ${TOKEN_NAME}` }).click();
    await page
      .getByRole('button', { name: `Revoke ${TOKEN_NAME}` })
      .waitFor({ state: 'detached', timeout: 30000 });
  });

  const out = fs.mkdtempSync(path.join(os.tmpdir(), 'model-hub-pat-pull-'));
  const refused = cli(
    ['pull', `${MODEL}@${VERSION}`, '-o', out, '--portal', baseUrl],
    token,
  );
  assert.notEqual(refused.code, 0);
  const lines = refused.err.trim().split('\n');
  assert.equal(lines.length, 1, refused.err);
  assert.match(lines[0], /401/);
  assert.doesNotMatch(refused.err, /\n\s+at /);
});
