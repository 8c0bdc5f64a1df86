/*
 * Restarting the portal keeps what was stored: a second portal with its own
 * data directory gets a model version published with the CLI and a model
 * registered through the hub, is stopped, started again on the same
 * directory, and still serves the version and its bytes, and still serves
 * the registered model to the catalog (SQLite files and the artifact
 * directory, not memory).
 */
'use strict';

const { test } = require('node:test');
const assert = require('node:assert/strict');
const { spawnSync } = require('node:child_process');
const fs = require('node:fs');
const os = require('node:os');
const path = require('node:path');
const { ROOT, startPortal, waitForEntity } = require('../portal');
const { guestToken } = require('../scaffolder');

const REGISTERED = 'model:default/restart-proof-model';

/** A model card as the "Register a new model" template sends it. */
const registeredCard = {
  apiVersion: 'modelhub.io/v1alpha1',
  kind: 'Model',
  metadata: {
    name: 'restart-proof-model',
    description: 'Registered through the hub, kept across restarts.',
  },
  spec: {
    type: 'classifier',
    task: 'text-classification',
    owner: 'group:default/ml-platform',
    steward: 'user:default/tom.becker',
    lifecycle: 'experimental',
    tier: 'community',
    license: 'Apache-2.0',
  },
};

const VERSION_PATH =
  '/api/model-hub/v1/models/default/vision-defect-detector/versions/0.0.1';

test('a restart keeps published versions and their files', async () => {
  const dataDir = fs.mkdtempSync(path.join(os.tmpdir(), 'model-hub-restart-'));
  const src = fs.mkdtempSync(path.join(os.tmpdir(), 'model-hub-restart-src-'));
  fs.writeFileSync(path.join(src, 'notes.txt'), 'kept across restarts\n');
  let portal = await startPortal({ dataDir });
  let before;
  try {
    await waitForEntity(portal, 'model:default/vision-defect-detector');
    const pub = spawnSync(
      process.execPath,
      [
        path.join(ROOT, 'packages/cli/bin/model-hub'),
        'publish',
        src,
        '--model',
        'model:default/vision-defect-detector',
        '--version',
        '0.0.1',
        '--portal',
        portal.baseUrl,
      ],
      {
        encoding: 'utf8',
        env: { ...process.env, MODEL_HUB_TOKEN: portal.token },
      },
    );
    assert.equal(pub.status, 0, pub.stderr);
    before = await (await portal.api(VERSION_PATH)).json();
    assert.equal(before.state, 'sealed');

    await waitForEntity(portal, 'user:default/guest');
    const registered = await fetch(
      `${portal.baseUrl}/api/model-hub/v1/registered-models`,
      {
        method: 'POST',
        headers: {
          'content-type': 'application/json',
          authorization: `Bearer ${await guestToken(portal.baseUrl)}`,
        },
        body: JSON.stringify({ entity: registeredCard }),
      },
    );
    assert.equal(registered.status, 201, await registered.text());
    await waitForEntity(portal, REGISTERED, 60000);
  } finally {
    await portal.stop();
  }
  assert.ok(fs.existsSync(path.join(dataDir, 'sqlite', 'model-hub.sqlite')));

  portal = await startPortal({ dataDir, port: portal.port });
  try {
    const res = await portal.api(VERSION_PATH);
    assert.equal(res.status, 200);
    const after = await res.json();
    assert.equal(after.createdAt, before.createdAt);
    assert.deepEqual(after.files, before.files);
    const file = await portal.api(`${VERSION_PATH}/files/notes.txt`);
    assert.equal(await file.text(), 'kept across restarts\n');

    // The hub still has the registration, and its provider's full
    // mutations since the start (every 2 s here) keep the model in the
    // catalog: had the hub lost it, they would have removed it.
    const card = await (
      await portal.api(
        '/api/model-hub/v1/registered-models/default/restart-proof-model',
      )
    ).json();
    assert.equal(card.entityRef, REGISTERED);
    assert.equal(card.createdBy, 'user:default/guest');
    await new Promise(r => setTimeout(r, 8000));
    const entity = await waitForEntity(portal, REGISTERED, 10000);
    assert.equal(entity.spec.steward, 'user:default/tom.becker');
  } finally {
    await portal.stop();
    fs.rmSync(dataDir, { recursive: true, force: true });
  }
});
