/*
 * Stewardship in the running portal with the examples: the team of the model
 * whose steward left has a task naming it, the owners of every service that
 * depends on the deprecated model have migration tasks naming the successor,
 * and the stale example model is archived.
 */
'use strict';

const { test } = require('node:test');
const assert = require('node:assert/strict');
const { api } = require('../env');
const { waitFor } = require('../portal');

async function tasks(query) {
  const res = await api(`/api/model-hub/v1/stewardship/tasks?${query}`);
  assert.equal(res.status, 200, await res.clone().text());
  return (await res.json()).items;
}

/** The engine runs shortly after start-up; wait for its first results. */
async function tasksEventually(query, predicate, what) {
  return waitFor(
    what,
    async () => {
      const items = await tasks(query);
      return items.some(predicate) ? items : undefined;
    },
    { timeoutMs: 120000, intervalMs: 2000 },
  );
}

/** Owner groups of the services that depend on a model, from the catalog. */
async function consumerOwners(modelRef) {
  const [, rest] = modelRef.split(':');
  const [ns, name] = rest.split('/');
  const model = await (
    await api(`/api/catalog/entities/by-name/model/${ns}/${name}`)
  ).json();
  const consumers = model.relations
    .filter(r => r.type === 'dependencyOf')
    .map(r => r.targetRef);
  const owners = new Map();
  for (const ref of consumers) {
    const [, crest] = ref.split(':');
    const [cns, cname] = crest.split('/');
    const c = await (
      await api(`/api/catalog/entities/by-name/component/${cns}/${cname}`)
    ).json();
    owners.set(ref, c.relations.find(r => r.type === 'ownedBy').targetRef);
  }
  return owners;
}

test('the team of the model whose steward left has a task naming the model', async () => {
  const items = await tasksEventually(
    'owner=group:default/logistics',
    t =>
      t.entityRef === 'model:default/route-eta-estimator' &&
      t.kind === 'steward-missing',
    'the departed-steward task for logistics',
  );
  const task = items.find(t => t.kind === 'steward-missing');
  assert.match(
    `${task.title} ${task.description}`,
    /route-eta-estimator|Route ETA/i,
  );
  assert.match(task.description, /david\.novak/);
  assert.equal(task.assignee, 'group:default/logistics');
});

test('every consumer of the deprecated model gets a migration task naming the successor', async () => {
  const owners = await consumerOwners('model:default/sentiment-classifier-v1');
  assert.ok(owners.size >= 2, 'the deprecated model has several consumers');
  for (const [service, owner] of owners) {
    const items = await tasksEventually(
      `owner=${owner}`,
      t =>
        t.kind === 'deprecated-migration' &&
        t.entityRef === 'model:default/sentiment-classifier-v1' &&
        JSON.stringify(t).includes(service),
      `the migration task of ${service} for ${owner}`,
    );
    const task = items.find(
      t =>
        t.kind === 'deprecated-migration' &&
        JSON.stringify(t).includes(service),
    );
    assert.match(
      task.description,
      /sentiment-classifier\b(?!-v1)|Sentiment Classifier/,
    );
  }
});

test('the stale example model is archived and its team is told', async () => {
  const res = await api(
    '/api/model-hub/v1/stewardship/models?entityRef=model:default/demand-forecaster',
  );
  assert.equal(res.status, 200);
  const [item] = (await res.json()).items;
  assert.equal(item.effectiveLifecycle, 'archived');
  assert.equal(item.declaredLifecycle, 'production');
  await tasksEventually(
    'entityRef=model:default/demand-forecaster',
    t => t.kind === 'stale-archived',
    'the archived-for-inactivity task',
  );
});

test('tasks by user follow the user into their groups, counts feed badges', async () => {
  const res = await api(
    '/api/model-hub/v1/stewardship/tasks/counts?owner=group:default/logistics',
  );
  assert.equal(res.status, 200);
  const { counts } = await res.json();
  assert.ok(counts.total >= 1);
  const mine = await tasks('user=user:default/emma.johansson');
  assert.ok(
    mine.some(t => t.assignee === 'group:default/logistics'),
    "a logistics member sees the team's tasks",
  );
  const unauth = await fetch(
    `${process.env.MODEL_HUB_E2E_BASE_URL}/api/model-hub/v1/stewardship/tasks?owner=group:default/logistics`,
  );
  assert.equal(unauth.status, 401);
});
