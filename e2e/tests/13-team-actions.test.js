/*
 * The team page and the model page as the guest (a member of ML Platform):
 * the Ownership card counts and links the team's Models, the team Models
 * card lists them with tier, latest version, open tasks and pulls, and the
 * stewardship tasks change state in place (no reload) when the guest asks to
 * waive, is refused approving their own waiver (four-eyes, one line),
 * snoozes, and names a new steward on the model session.page. A consumer's migration
 * task opens the migration template pre-filled, and the template proposes the
 * dependsOn change. Both pages pass axe. Saves team-page.png.
 */
'use strict';

const { test } = require('node:test');
const assert = require('node:assert/strict');
const { spawnSync } = require('node:child_process');
const fs = require('node:fs');
const os = require('node:os');
const path = require('node:path');
const { baseUrl, api, token } = require('../env');
const { ROOT, screenshot, screenshotOnFailure, waitFor } = require('../portal');
const { assertAccessible } = require('../a11y');
const { guestSession } = require('../session');
const { runTemplate } = require('../scaffolder');

// Test-only (examples-for-tests/team-actions-model.yaml): steward departed,
// model card incomplete, owned by ML Platform.
const MODEL = 'model:default/caption-ranker';
const TEAM_PAGE = `${baseUrl}/catalog/default/group/ml-platform`;
const MODEL_PAGE = `${baseUrl}/catalog/default/model/caption-ranker`;
const CARD_TASK =
  'Model card of Caption Ranker is missing intendedUse, limitations';
const STEWARD_TASK = 'Name a new steward for Caption Ranker';

async function tasksOf(query) {
  const res = await api(`/api/model-hub/v1/stewardship/tasks?${query}`);
  assert.equal(res.status, 200, await res.clone().text());
  return (await res.json()).items;
}

const session = guestSession(baseUrl, {
  ready: async () => {
    await waitFor(
      `${MODEL} in the catalog`,
      async () =>
        (
          await api(
            '/api/catalog/entities/by-name/model/default/caption-ranker',
          )
        ).ok,
      { timeoutMs: 120000, intervalMs: 2000 },
    );
    // A sealed version (for the Models card), published with the harness's
    // service token; sealing also wakes the stewardship engine.
    const existing = await api(
      '/api/model-hub/v1/models/default/caption-ranker/versions/1.0.0',
    );
    if (existing.status === 404) {
      const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'caption-ranker-'));
      fs.writeFileSync(path.join(dir, 'config.json'), '{"hidden_size": 8}\n');
      const res = spawnSync(
        process.execPath,
        [
          path.join(ROOT, 'packages/cli/bin/model-hub'),
          'publish',
          dir,
          '--model',
          MODEL,
          '--version',
          '1.0.0',
          '--portal',
          baseUrl,
        ],
        {
          encoding: 'utf8',
          env: { ...process.env, MODEL_HUB_TOKEN: token },
          timeout: 120000,
        },
      );
      assert.equal(res.status, 0, `${res.stdout}\n${res.stderr}`);
    }
    await waitFor(
      "caption-ranker's steward and model-card tasks",
      async () => {
        const kinds = (await tasksOf(`entityRef=${MODEL}`)).map(t => t.kind);
        return (
          kinds.includes('steward-missing') &&
          kinds.includes('model-card-incomplete')
        );
      },
      { timeoutMs: 120000, intervalMs: 2000 },
    );
  },
});

/** Runs a test's body, with a screenshot if it fails. */
function step(name, fn) {
  return screenshotOnFailure(session.page, `13-${name}`, fn);
}

/** Marks the document; `assertNoReload` fails if it was replaced since. */
async function markDocument() {
  await session.page.evaluate(() => {
    window.__modelHubE2eMark = 'still here';
  });
}
async function assertNoReload() {
  assert.equal(
    await session.page.evaluate(() => window.__modelHubE2eMark),
    'still here',
    'the page was reloaded',
  );
}

test('the Ownership card counts the team models and links them to the catalog', async () => {
  await step('ownership', async () => {
    await session.page.goto(TEAM_PAGE);
    const owned = await (
      await api(
        `/api/catalog/entities?filter=kind=model,relations.ownedBy=group:default/ml-platform&fields=metadata.name`,
      )
    ).json();
    assert.ok(owned.length >= 3, 'ML Platform owns several models');
    // One box per model type, each saying "Model" and linking to the catalog
    // filtered to the team's models of that type.
    const boxes = session.page.locator('a[href*="filters%5Bkind%5D=model"]');
    await boxes.first().waitFor({ timeout: 60000 });
    const hrefs = await boxes.evaluateAll(as =>
      as.map(a => a.getAttribute('href')),
    );
    for (const href of hrefs) {
      assert.match(
        decodeURIComponent(href),
        /filters\[owners\]=group:default\/ml-platform/,
      );
    }
    const counts = await boxes.evaluateAll(as =>
      as.map(a => Number(a.querySelector('h6')?.textContent)),
    );
    assert.equal(
      counts.reduce((a, b) => a + b, 0),
      owned.length,
      `Model boxes ${JSON.stringify(counts)} add up to the owned models`,
    );
    for (const text of await boxes.allInnerTexts()) {
      assert.match(text, /Model/);
    }
  });
});

test('the team Models card lists each model with tier, latest version, open tasks and pulls', async () => {
  await step('models-card', async () => {
    const card = session.page.getByRole('table', {
      name: 'Models owned by the team',
    });
    const row = card.getByRole('row', { name: /Caption Ranker/ });
    await row.waitFor({ timeout: 60000 });
    await card.getByRole('columnheader', { name: 'Pulls' }).waitFor();
    const cells = await row.getByRole('cell').allInnerTexts();
    const open = (await tasksOf(`entityRef=${MODEL}`)).length;
    // Tier and latest version read under the name; counts on their own.
    const [model, ...counts] = cells.map(c => c.trim());
    assert.match(model, /^Caption Ranker\nCommunity[^\n]*\nLatest 1\.0\.0$/);
    assert.deepEqual(counts, [String(open), '0']);
    await row.getByTestId('tier-badge-community').waitFor();
    // In its half-width cell nothing wraps into fragments: each header and
    // each model name stays on one line.
    for (const cell of [
      ...(await card.getByRole('columnheader').all()),
      ...(await card.getByRole('link').all()),
    ]) {
      const lines = await cell.evaluate(el => {
        const style = getComputedStyle(el);
        const line =
          parseFloat(style.lineHeight) || 1.2 * parseFloat(style.fontSize);
        const range = document.createRange();
        range.selectNodeContents(el);
        return Math.round(range.getBoundingClientRect().height / line);
      });
      assert.equal(
        lines,
        1,
        `"${await cell.innerText()}" wraps onto ${lines} lines`,
      );
    }
    await screenshot(card, 'team-models-card');
  });
});

test('asking to waive, a refused self-approval and a snooze change the task in place', async () => {
  await step('team-actions', async () => {
    const tasks = session.page.getByRole('table', {
      name: 'Open stewardship tasks',
    });
    await tasks.getByText(CARD_TASK).waitFor({ timeout: 60000 });
    await assertAccessible(session.page, 'the team page');
    await markDocument();

    // Ask to waive, with a reason.
    await session.page
      .getByRole('button', { name: `Waive: ${CARD_TASK}` })
      .click();
    const dialog = session.page.getByRole('dialog', {
      name: 'Ask to waive task',
    });
    await dialog.getByLabel('Reason').fill('Card fields follow the pilot.');
    await dialog.getByRole('button', { name: 'Ask to waive task' }).click();
    await session.page
      .getByRole('status')
      .filter({ hasText: /^Waiver requested until \d{4}-\d{2}-\d{2}/ })
      .waitFor({ timeout: 20000 });
    await tasks
      .getByText(/Waiver asked by user:default\/guest until .*: Card fields/)
      .waitFor({ timeout: 20000 });

    // The guest asked, so the guest may not approve: one line, task stays.
    await session.page
      .getByRole('button', { name: `Approve waiver: ${CARD_TASK}` })
      .click();
    const refusal = session.page.getByRole('alert');
    await refusal.waitFor({ timeout: 20000 });
    const text = await refusal.innerText();
    assert.match(text, /You asked for this waiver.*four-eyes/);
    assert.doesNotMatch(text, /\n|at .*\.js/);
    await tasks.getByText(CARD_TASK).waitFor();

    // Snooze it with a date: it leaves the open tasks.
    const until = new Date(Date.now() + 21 * 86400000)
      .toISOString()
      .slice(0, 10);
    await session.page
      .getByRole('button', { name: `Snooze: ${CARD_TASK}` })
      .click();
    const snooze = session.page.getByRole('dialog', { name: 'Snooze task' });
    await snooze.getByLabel('Until').fill(until);
    await snooze.getByRole('button', { name: 'Snooze task' }).click();
    await session.page
      .getByRole('status')
      .filter({ hasText: `Snoozed until ${until}` })
      .waitFor({ timeout: 20000 });
    await tasks.getByText(CARD_TASK).waitFor({ state: 'detached' });
    await assertNoReload();
    const open = await tasksOf(`entityRef=${MODEL}`);
    assert.ok(!open.some(t => t.kind === 'model-card-incomplete'));
    await screenshot(session.page, 'team-page');
  });
});

test('on the model page, naming a new steward closes the steward task in place', async () => {
  await step('model-steward', async () => {
    await session.page.goto(MODEL_PAGE);
    const tasks = session.page.getByRole('table', {
      name: 'Open stewardship tasks',
    });
    await tasks.getByText(STEWARD_TASK).waitFor({ timeout: 60000 });
    await markDocument();
    await session.page
      .getByRole('button', { name: `Reassign steward: ${STEWARD_TASK}` })
      .click();
    const dialog = session.page.getByRole('dialog', {
      name: 'Reassign steward',
    });
    await dialog.getByLabel('New steward').fill('Tom Becker');
    await session.page.getByRole('option', { name: /Tom Becker/ }).click();
    await dialog.getByRole('button', { name: 'Reassign steward' }).click();
    await session.page
      .getByText(/Steward \(named in the hub, overrides the catalog\)/)
      .waitFor({ timeout: 20000 });
    await waitFor(
      'the steward task to close',
      async () =>
        !(
          await tasksOf(`entityRef=${MODEL}`)
        ).some(t => t.kind === 'steward-missing'),
      { timeoutMs: 60000, intervalMs: 1000 },
    );
    await assertNoReload();
    await screenshot(session.page, '13-model-page-steward');
  });
});

test("a consumer's migration task opens the migration template pre-filled, and the template proposes the dependsOn change", async () => {
  await step('migrate', async () => {
    await session.page.goto(`${baseUrl}/catalog/default/group/marketing`);
    const name = /^Migrate: Migrate Churn Dashboard from deprecated model/;
    await session.page.getByRole('button', { name }).click({ timeout: 60000 });
    await session.page.waitForURL(
      /\/create\/templates\/default\/migrate-consumer/,
    );
    const form = JSON.parse(
      new URL(session.page.url()).searchParams.get('formData'),
    );
    assert.deepEqual(form, {
      consumer: 'component:default/churn-dashboard',
      deprecatedModel: 'model:default/sentiment-classifier-v1',
      successor: 'model:default/sentiment-classifier',
    });
    await session.page
      .getByRole('heading', { name: /Migrate a consumer to a successor model/ })
      .waitFor({ timeout: 60000 });
    // The pickers show the pre-filled entities once they have loaded them.
    for (const [field, value] of [
      ['#root_consumer', /churn[- ]dashboard/i],
      ['#root_deprecatedModel', /sentiment[- ]classifier[- ]v1/i],
      ['#root_successor', /sentiment[- ]classifier/i],
    ]) {
      await waitFor(
        `${field} to show ${value}`,
        async () => value.test(await session.page.locator(field).inputValue()),
        { timeoutMs: 30000, intervalMs: 250 },
      );
    }
    await screenshot(session.page, '13-migrate-template');

    const run = await runTemplate('migrate-consumer', form);
    assert.equal(run.status, 'completed', run.log);
    const [change] = run.output.text;
    assert.match(change.content, /- model:default\/sentiment-classifier\n/);
    assert.doesNotMatch(
      change.content,
      /^\s+- model:default\/sentiment-classifier-v1$/m,
    );
  });
});
