/*
 * The security gate in the running portal, tried as a hostile publisher
 * would: a version whose safetensors weights come with a hidden evasion
 * pickle (`_operator.attrgetter`, a C twin no denylist names) is published
 * with the CLI. The scanner calls the pickle unsafe, the official security
 * check fails naming the file (through the API and on the model page in
 * Chromium), and the version cannot take the `latest` alias.
 */
'use strict';

const { test, before, after } = require('node:test');
const assert = require('node:assert/strict');
const { runCli } = require('../cli');
const fs = require('node:fs');
const os = require('node:os');
const path = require('node:path');
const { baseUrl, token, api } = require('../env');
const {
  ROOT,
  launchBrowser,
  newSignedInPage,
  screenshot,
  waitFor,
  waitForEntity,
} = require('../portal');
const { guestToken } = require('../scaffolder');

const NAME = 'gate-probe-classifier';
const VERSION = '1.0.0';
/** A model of the guest's team that asks for the official tier. */
const card = {
  apiVersion: 'modelhub.io/v1alpha1',
  kind: 'Model',
  metadata: {
    name: NAME,
    description: 'Probes the security gate with a hidden evasion pickle.',
  },
  spec: {
    type: 'classifier',
    task: 'text-classification',
    owner: 'group:default/ml-platform',
    steward: 'user:default/tom.becker',
    lifecycle: 'experimental',
    tier: 'official',
    license: 'Apache-2.0',
  },
};
const MODEL_API = `/api/model-hub/v1/models/default/${NAME}`;
const FIXTURES = path.join(ROOT, 'plugins/model-hub-node/fixtures/files');
const HIDDEN = 'extras/tokenizer_state.pkl';

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

test('safetensors weights with a hidden evasion pickle: unsafe file, official security fails naming it, no latest alias', async () => {
  const registered = await fetch(
    `${baseUrl}/api/model-hub/v1/registered-models`,
    {
      method: 'POST',
      headers: {
        'content-type': 'application/json',
        authorization: `Bearer ${await guestToken(baseUrl)}`,
      },
      body: JSON.stringify({ entity: card }),
    },
  );
  assert.equal(registered.status, 201, await registered.text());
  await waitForEntity({ baseUrl, token, api }, `model:default/${NAME}`, 60000);
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'model-hub-gate-'));
  fs.copyFileSync(
    path.join(FIXTURES, 'safetensors-valid.safetensors'),
    path.join(dir, 'model.safetensors'),
  );
  fs.mkdirSync(path.join(dir, 'extras'));
  fs.copyFileSync(
    path.join(FIXTURES, 'pickle-evasion/c-twin-operator-attrgetter.pkl'),
    path.join(dir, HIDDEN),
  );
  const published = cli(
    [
      'publish',
      dir,
      '--model',
      `model:default/${NAME}`,
      '--version',
      VERSION,
      '--portal',
      baseUrl,
    ],
    await guestToken(baseUrl),
  );
  assert.equal(published.code, 0, published.err || published.out);

  const version = await (await api(`${MODEL_API}/versions/${VERSION}`)).json();
  const hidden = version.files.find(f => f.path === HIDDEN);
  assert.ok(hidden, `the version lists ${HIDDEN}`);
  assert.equal(hidden.scan.verdict, 'unsafe');
  assert.match(
    JSON.stringify(hidden.scan.findings),
    /operator\.attrgetter/,
    'the finding names the resolved callable',
  );

  const gauntlet = await waitFor(
    `the gauntlet of ${NAME}@${VERSION}`,
    async () => {
      const res = await api(`${MODEL_API}/gauntlet`);
      if (!res.ok) return undefined;
      const body = await res.json();
      const security = body.checks.find(
        c => (c.checkId ?? c.check) === 'security' && c.tier === 'official',
      );
      return body.version === VERSION &&
        security &&
        body.activeRuns.length === 0
        ? { body, security }
        : undefined;
    },
    { timeoutMs: 180000, intervalMs: 2000 },
  );
  assert.equal(gauntlet.security.status, 'fail');
  assert.match(gauntlet.security.summary, /extras\/tokenizer_state\.pkl/);
  assert.equal(gauntlet.security.evidence.verdicts, '1 safe, 1 unsafe');
  assert.notEqual(gauntlet.body.effectiveTier, 'official');

  const alias = await api(`${MODEL_API}/aliases/latest`, {
    method: 'PUT',
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify({ version: VERSION }),
  });
  assert.equal(alias.status, 409);
  assert.match((await alias.json()).error.message, /tokenizer_state\.pkl/);

  // The model page names the file in the gauntlet results.
  await page.goto(`${baseUrl}/catalog/default/model/${NAME}/gauntlet`);
  try {
    await page.getByText(`Version checked: ${VERSION}`).waitFor({
      timeout: 60000,
    });
    await page
      .getByText(/extras\/tokenizer_state\.pkl is unsafe/)
      .first()
      .waitFor({ timeout: 30000 });
    await screenshot(page, '09-security-gate');
  } catch (e) {
    await screenshot(page, '09-security-gate-failure');
    throw e;
  }
});
