/*
 * Restarting the portal keeps what was stored: a second portal with its own
 * data directory gets a location registered through the API and a model
 * version published, is stopped, started again on the same directory, and
 * still has both (SQLite files and the artifact directory, not memory).
 */
'use strict';

const { test } = require('node:test');
const assert = require('node:assert/strict');
const fs = require('node:fs');
const os = require('node:os');
const path = require('node:path');
const { ROOT, startPortal, waitForEntity } = require('../portal');

test('a restart keeps registered locations and published versions', async () => {
  const dataDir = fs.mkdtempSync(path.join(os.tmpdir(), 'model-hub-restart-'));
  const target = path.join(ROOT, 'examples-for-tests/extra-service.yaml');
  let portal = await startPortal({ dataDir });
  try {
    const res = await portal.api('/api/catalog/locations', {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ type: 'file', target }),
    });
    assert.equal(res.status, 201, await res.clone().text());
    await waitForEntity(portal, 'component:default/restart-canary');
  } finally {
    await portal.stop();
  }
  assert.ok(fs.existsSync(path.join(dataDir, 'sqlite', 'catalog.sqlite')));

  portal = await startPortal({ dataDir, port: portal.port });
  try {
    const locations = await (await portal.api('/api/catalog/locations')).json();
    assert.ok(
      locations.some(l => l.data.target === target),
      'the location registered before the restart is still there',
    );
    await waitForEntity(portal, 'component:default/restart-canary');
  } finally {
    await portal.stop();
    fs.rmSync(dataDir, { recursive: true, force: true });
  }
});
