/*
 * The compliance gauntlet in the running portal with the examples: the
 * official support assistant and sentiment classifier earn official (with
 * the governance approval and, for the LLM, recorded waivers), the churn
 * classifier whose YAML claims official earns less with the reason stated,
 * every check's evidence is served by the API, and the earned tier reaches
 * the catalog entity.
 */
'use strict';

const { test } = require('node:test');
const assert = require('node:assert/strict');
const { api } = require('../env');
const { waitFor } = require('../portal');

const CHECKS = ['fairness', 'license', 'performance', 'provenance', 'security'];

/** Waits until the seeded version of the model has been through the gauntlet. */
async function gauntletOf(name) {
  return waitFor(
    `the gauntlet of ${name}`,
    async () => {
      const res = await api(
        `/api/model-hub/v1/models/default/${name}/gauntlet`,
      );
      if (!res.ok) return undefined;
      const body = await res.json();
      const done = CHECKS.every(id =>
        body.checks.some(
          c => (c.checkId ?? c.check) === id && c.tier === 'official',
        ),
      );
      return done && body.activeRuns.length === 0 ? body : undefined;
    },
    { timeoutMs: 180000, intervalMs: 2000 },
  );
}

test('the sentiment classifier earns official: all five checks pass and governance approved', async () => {
  const g = await gauntletOf('sentiment-classifier');
  assert.equal(g.effectiveTier, 'official', g.reason);
  for (const c of g.checks.filter(x => x.tier === 'official')) {
    assert.equal(c.status, 'pass', `${c.checkId ?? c.check}: ${c.summary}`);
    assert.ok(
      c.evidence && Object.keys(c.evidence).length > 0,
      'evidence is served',
    );
  }
  const perf = g.checks.find(c => (c.checkId ?? c.check) === 'performance');
  assert.match(perf.summary, /Measured on 200 benchmark rows/);
});

test('the support assistant earns official through recorded waivers and an approval', async () => {
  const g = await gauntletOf('support-assistant');
  assert.equal(g.effectiveTier, 'official', g.reason);
  assert.match(g.reason, /waived: license, performance/);
  const waived = g.waivers
    .filter(w => w.active !== false)
    .map(w => w.checkId ?? w.check);
  assert.deepEqual(waived.sort(), ['license', 'performance']);
});

test('the churn classifier claims official in YAML but earns community, with the reason', async () => {
  const g = await gauntletOf('churn-classifier');
  assert.equal(g.requestedTier, 'official');
  assert.equal(g.effectiveTier, 'community');
  assert.match(g.reason, /fairness failed/);
  assert.match(g.reason, /demographic parity difference 0\.35/);
  const entity = await waitFor(
    'the earned tier on the catalog entity',
    async () => {
      const e = await (
        await api(
          '/api/catalog/entities/by-name/model/default/churn-classifier',
        )
      ).json();
      return e.metadata.annotations?.['modelhub.io/effective-tier']
        ? e
        : undefined;
    },
    { timeoutMs: 120000, intervalMs: 3000 },
  );
  assert.equal(
    entity.metadata.annotations['modelhub.io/effective-tier'],
    'community',
  );
  assert.equal(
    entity.spec.tier,
    'official',
    'the YAML claim stays visible as the requested tier',
  );
});
