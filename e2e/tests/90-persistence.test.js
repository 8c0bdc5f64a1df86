/*
 * Restarting the portal keeps what was stored: a second portal with its own
 * data directory gets a model version published with the CLI, is stopped,
 * started again on the same directory, and still serves the version and its
 * bytes (SQLite files and the artifact directory, not memory).
 */
'use strict';

const { test } = require('node:test');
const assert = require('node:assert/strict');
const { spawnSync } = require('node:child_process');
const fs = require('node:fs');
const os = require('node:os');
const path = require('node:path');
const { ROOT, startPortal, waitForEntity } = require('../portal');

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
  } finally {
    await portal.stop();
    fs.rmSync(dataDir, { recursive: true, force: true });
  }
});
