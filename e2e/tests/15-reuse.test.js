/*
 * Reuse metrics in the running portal with the example data (issue #21):
 * the start-up seeding pulls the example models for real as example users
 * of several teams; the API counts them, a pull through the file route as
 * the e2e service principal counts once (a second download of the same
 * version does not), and the browser shows the leaderboard, the "used by N
 * teams" badge on the model page and the reuse card on the team page.
 */
'use strict';

const { test } = require('node:test');
const assert = require('node:assert/strict');
const { baseUrl, api } = require('../env');
const { screenshotStep, waitFor } = require('../portal');
const { guestSession } = require('../session');

async function json(p) {
  const res = await api(p);
  assert.equal(res.status, 200, `${p}: ${await res.clone().text()}`);
  return res.json();
}

const session = guestSession(baseUrl, {
  ready: async () => {
    // Seeded pulls follow the seeded versions; wait for the last of them.
    await waitFor(
      'the seeded example pulls',
      async () => {
        const top = await json(
          '/api/model-hub/v1/usage/top?window=all&by=teams',
        );
        const m = top.models.find(
          x => x.entityRef === 'model:default/sentiment-classifier',
        );
        return m && m.crossTeams >= 4 ? top : undefined;
      },
      { timeoutMs: 180000, intervalMs: 2000 },
    );
  },
});

const step = (name, fn) => screenshotStep(session.page, name, fn);

test('seeded pulls are counted per team, the owner is not cross-team reuse', async () => {
  const u = await json(
    '/api/model-hub/v1/models/default/sentiment-classifier/usage',
  );
  assert.equal(u.owner, 'group:default/marketing');
  assert.ok(u.pullsAllTime >= 5, JSON.stringify(u));
  assert.ok(u.usersAllTime >= 5);
  assert.ok(u.crossTeamsAllTime >= 4);
  assert.ok(u.consumingTeams.includes('group:default/marketing'));
  assert.ok(u.usedByTeams >= 4);
  assert.equal(u.daily.length, 90);
  const top = await json('/api/model-hub/v1/usage/top?window=30d&by=teams');
  assert.equal(top.teams[0].team, 'group:default/marketing');
});

test('a download through the file route is one pull, however many files and repeats', async () => {
  const path = '/api/model-hub/v1/models/default/support-assistant';
  const before = (await json(`${path}/usage`)).pullsAllTime;
  const version = await json(`${path}/versions/latest`);
  for (let round = 0; round < 2; round++) {
    for (const f of version.files) {
      const res = await api(
        `${path}/versions/${version.version}/files/${f.path
          .split('/')
          .map(encodeURIComponent)
          .join('/')}`,
        { headers: { 'x-model-hub-client': 'cli' } },
      );
      assert.equal(res.status, 200);
      await res.arrayBuffer();
    }
  }
  const after = (await json(`${path}/usage`)).pullsAllTime;
  assert.equal(after, before + 1);
});

test('the leaderboard ranks the most reused models and teams', async () => {
  await step('15-reuse-leaderboard', async () => {
    await session.page.goto(`${baseUrl}/model-hub/reuse`);
    const models = session.page.getByLabel('Most reused models');
    await models.waitFor({ timeout: 60000 });
    await models
      .getByText(/sentiment-classifier|Sentiment Classifier/)
      .first()
      .waitFor();
    await session.page
      .getByLabel('Most reused teams')
      .getByText(/marketing/i)
      .first()
      .waitFor();
    // Duplicate effort: the two sentiment classifiers share task and words.
    await session.page
      .getByLabel('Duplicate effort')
      .getByText(/sentiment-classifier-v1|Sentiment Classifier v1/i)
      .first()
      .waitFor({ timeout: 60000 });
    await session.page.getByRole('tab', { name: 'All time' }).click();
    await models
      .getByText(/support-assistant|Support Assistant/)
      .first()
      .waitFor();
  });
});

test('the model page says how many teams use the model', async () => {
  await step('15-reuse-model-badge', async () => {
    await session.page.goto(
      `${baseUrl}/catalog/default/model/sentiment-classifier`,
    );
    const badge = session.page.getByTestId('model-reuse-badge');
    await badge.waitFor({ timeout: 60000 });
    const text = await badge.innerText();
    const n = Number(/used by (\d+) teams/.exec(text)?.[1]);
    assert.ok(n >= 4, text);
    await session.page.getByLabel('Pulls per day, last 90 days').waitFor();
  });
});

test("the team page shows the team's models, their reuse and its rank", async () => {
  await step('15-reuse-team-card', async () => {
    await session.page.goto(`${baseUrl}/catalog/default/group/marketing`);
    const standing = session.page.getByTestId('team-reuse-standing');
    await standing.waitFor({ timeout: 60000 });
    assert.match(await standing.innerText(), /^Rank 1 of \d+ teams/);
    await session.page
      .getByLabel('Published models and their reuse')
      .getByText(/sentiment-classifier|Sentiment Classifier/)
      .first()
      .waitFor();
  });
});

test('the home page card shows the seeded reuse counts of 30 days and all time', async () => {
  await step('15-reuse-home-card', async () => {
    // The landing page is the home session.page.
    await session.page.goto(baseUrl);
    await session.page.waitForURL(/\/home$/, { timeout: 60000 });
    const models = session.page.getByLabel('Home most reused models');
    const teams = session.page.getByLabel('Home teams others build on');
    for (const [window, tab] of [
      ['30d', 'Last 30 days'],
      ['all', 'All time'],
    ]) {
      await session.page.getByRole('tab', { name: tab }).click();
      const top = await json(
        `/api/model-hub/v1/usage/top?window=${window}&by=teams&limit=5`,
      );
      assert.ok(top.models.length > 0, JSON.stringify(top));
      // Each shown row has the counts the API reports for that model.
      const expected = top.models.map(m => [
        String(m.crossTeams),
        String(m.pulls),
      ]);
      await waitFor(
        `the ${window} rows`,
        async () => {
          const rows = await models.locator('tbody tr').all();
          if (rows.length !== expected.length) return undefined;
          const shown = [];
          for (const row of rows) {
            const cells = await row.locator('td').allInnerTexts();
            shown.push([cells[1], cells[2]]);
          }
          return JSON.stringify(shown) === JSON.stringify(expected)
            ? shown
            : undefined;
        },
        { timeoutMs: 60000, intervalMs: 500 },
      );
      const firstTeam = top.teams[0];
      const teamRow = await teams
        .locator('tbody tr')
        .first()
        .locator('td')
        .allInnerTexts();
      assert.match(teamRow[0], /marketing/i);
      assert.equal(teamRow[1], String(firstTeam.reusingTeams));
      assert.ok(firstTeam.reusingTeams >= 3, JSON.stringify(firstTeam));
    }
    const sentiment = models.locator('tbody tr', {
      hasText: /sentiment-classifier|Sentiment Classifier/,
    });
    await sentiment.first().waitFor();
  });
});
