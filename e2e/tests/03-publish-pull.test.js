/*
 * Versions and artifacts through the running portal: publish a version of an
 * example model with the CLI, see its scan results through the API, pull it
 * into an empty directory with every hash verified; corrupted, oversized and
 * truncated uploads are refused and leave nothing behind; a tampered blob
 * makes `pull` fail loudly.
 */
'use strict';

const { test } = require('node:test');
const assert = require('node:assert/strict');
const { runCli } = require('../cli');
const crypto = require('node:crypto');
const fs = require('node:fs');
const http = require('node:http');
const os = require('node:os');
const path = require('node:path');
const { baseUrl, token, dataDir, api } = require('../env');
const { ROOT } = require('../portal');

const FIXTURES = path.join(ROOT, 'plugins/model-hub-node/fixtures/files');
const MODEL = 'model:default/vision-defect-detector';
const VERSIONS =
  '/api/model-hub/v1/models/default/vision-defect-detector/versions';

const cli = (args, env) => runCli(args, { token, env });

function sha256(buf) {
  return crypto.createHash('sha256').update(buf).digest('hex');
}

function tmp(prefix) {
  return fs.mkdtempSync(path.join(os.tmpdir(), prefix));
}

/** Every file under a directory, recursively. */
function walk(dir) {
  if (!fs.existsSync(dir)) return [];
  return fs.readdirSync(dir, { withFileTypes: true }).flatMap(e => {
    const p = path.join(dir, e.name);
    return e.isDirectory() ? walk(p) : [p];
  });
}

const artifactsDir = path.join(dataDir, 'artifacts');

function makeVersionDir() {
  const dir = tmp('model-hub-publish-');
  fs.copyFileSync(
    path.join(FIXTURES, 'safetensors-valid.safetensors'),
    path.join(dir, 'model.safetensors'),
  );
  fs.mkdirSync(path.join(dir, 'extras'));
  fs.copyFileSync(
    path.join(FIXTURES, 'pickle-os-system-p2.pkl'),
    path.join(dir, 'extras', 'legacy-preprocessor.pkl'),
  );
  fs.writeFileSync(
    path.join(dir, 'config.json'),
    JSON.stringify({
      architecture: 'tiny-detector',
      classes: ['ok', 'scratch', 'dent'],
    }),
  );
  return dir;
}

test('publish with the CLI, read scan results, pull with verified hashes', async () => {
  const dir = makeVersionDir();
  const pub = cli([
    'publish',
    dir,
    '--model',
    MODEL,
    '--version',
    '9.9.0',
    '--alias',
    'e2e',
    '--portal',
    baseUrl,
  ]);
  assert.equal(pub.code, 0, `publish failed:\n${pub.out}\n${pub.err}`);
  assert.match(pub.out, /sealed model:default\/vision-defect-detector@9\.9\.0/);

  const res = await api(`${VERSIONS}/9.9.0`);
  assert.equal(res.status, 200);
  const version = await res.json();
  assert.equal(version.state, 'sealed');
  const byPath = Object.fromEntries(version.files.map(f => [f.path, f]));
  assert.deepEqual(Object.keys(byPath).sort(), [
    'config.json',
    'extras/legacy-preprocessor.pkl',
    'model.safetensors',
  ]);
  assert.equal(byPath['model.safetensors'].format, 'safetensors');
  assert.equal(byPath['model.safetensors'].scan.verdict, 'safe');
  assert.equal(byPath['extras/legacy-preprocessor.pkl'].scan.verdict, 'unsafe');
  assert.ok(
    byPath['extras/legacy-preprocessor.pkl'].scan.findings.some(
      f => f.severity === 'critical',
    ),
  );
  assert.equal(version.scanVerdict, 'unsafe');
  assert.ok(version.aliases.includes('e2e'));

  // Idempotent re-publish of identical content; a different content is refused.
  const again = cli([
    'publish',
    dir,
    '--model',
    MODEL,
    '--version',
    '9.9.0',
    '--portal',
    baseUrl,
  ]);
  assert.equal(again.code, 0, again.err);
  assert.match(again.out, /identical content/);
  fs.writeFileSync(path.join(dir, 'config.json'), '{"changed": true}');
  const conflict = cli([
    'publish',
    dir,
    '--model',
    MODEL,
    '--version',
    '9.9.0',
    '--portal',
    baseUrl,
  ]);
  assert.notEqual(conflict.code, 0);
  assert.match(conflict.err, /409/);

  // Pull by alias into an empty directory: same bytes, hashes verified.
  // The version holds an unsafe pickle: pull refuses it, naming the file.
  const refused = cli([
    'pull',
    `${MODEL}@e2e`,
    '-o',
    tmp('model-hub-pull-'),
    '--portal',
    baseUrl,
  ]);
  assert.equal(refused.code, 1);
  assert.match(
    refused.err,
    /extras\/legacy-preprocessor\.pkl unsafe.*--allow-unsafe/,
  );
  assert.equal(refused.err.trim().split('\n').length, 1, refused.err);
  const out = tmp('model-hub-pull-');
  const pulled = cli([
    'pull',
    `${MODEL}@e2e`,
    '-o',
    out,
    '--allow-unsafe',
    '--portal',
    baseUrl,
  ]);
  assert.equal(pulled.code, 0, `pull failed:\n${pulled.out}\n${pulled.err}`);
  assert.match(pulled.out, /3 file\(s\) verified/);
  for (const f of version.files) {
    const got = fs.readFileSync(path.join(out, ...f.path.split('/')));
    assert.equal(sha256(got), f.sha256, f.path);
  }
});

test('an upload whose declared SHA-256 does not match is refused and nothing is kept', async () => {
  const create = await api(VERSIONS, {
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify({ version: '9.9.1' }),
  });
  assert.equal(create.status, 201, await create.clone().text());
  const before = walk(artifactsDir).length;
  const content = crypto.randomBytes(200000);
  const res = await api(`${VERSIONS}/9.9.1/files/weights.bin`, {
    method: 'PUT',
    headers: {
      'content-type': 'application/octet-stream',
      'x-model-hub-sha256': sha256(Buffer.from('something else')),
    },
    body: content,
  });
  assert.equal(res.status, 400, await res.clone().text());
  assert.match((await res.json()).error.message, /sha-?256/i);
  const version = await (await api(`${VERSIONS}/9.9.1`)).json();
  assert.deepEqual(version.files, []);
  assert.equal(
    walk(artifactsDir).length,
    before,
    'no blob or staging file remains',
  );
  assert.ok(!walk(artifactsDir).some(p => p.includes(sha256(content))));
});

test('an oversized upload is answered with 413 and nothing is kept', async () => {
  const before = walk(artifactsDir).length;
  // The e2e portal limits uploads to 8 MiB (see e2e/portal.js).
  const res = await api(`${VERSIONS}/9.9.1/files/too-big.bin`, {
    method: 'PUT',
    headers: { 'content-type': 'application/octet-stream' },
    body: crypto.randomBytes(9 * 1024 * 1024),
  });
  assert.equal(res.status, 413);
  assert.equal(walk(artifactsDir).length, before);
});

test('a truncated upload (client disconnects) leaves nothing behind', async () => {
  const before = walk(artifactsDir).length;
  const url = new URL(`${baseUrl}${VERSIONS}/9.9.1/files/truncated.bin`);
  await new Promise(resolve => {
    const req = http.request(url, {
      method: 'PUT',
      headers: {
        authorization: `Bearer ${token}`,
        'content-type': 'application/octet-stream',
        'content-length': String(4 * 1024 * 1024),
      },
    });
    req.on('error', () => resolve());
    req.on('response', r => {
      r.resume();
      resolve();
    });
    req.write(crypto.randomBytes(1024 * 1024));
    setTimeout(() => {
      req.destroy();
      resolve();
    }, 500);
  });
  // Give the server a moment to notice the aborted request and clean up.
  await new Promise(r => setTimeout(r, 1500));
  const version = await (await api(`${VERSIONS}/9.9.1`)).json();
  assert.deepEqual(version.files, []);
  assert.equal(walk(artifactsDir).length, before);
});

test('pull fails loudly when a stored file does not match its SHA-256', async () => {
  const dir = tmp('model-hub-tamper-');
  const content = crypto.randomBytes(50000);
  fs.writeFileSync(path.join(dir, 'weights.bin'), content);
  const pub = cli([
    'publish',
    dir,
    '--model',
    MODEL,
    '--version',
    '9.9.2',
    '--portal',
    baseUrl,
  ]);
  assert.equal(pub.code, 0, pub.err);
  const blob = walk(artifactsDir).find(p =>
    p.endsWith(sha256(content).slice(2)),
  );
  assert.ok(blob, 'the blob is stored content-addressed by its SHA-256');
  fs.chmodSync(blob, 0o644);
  const tampered = Buffer.from(content);
  tampered[100] ^= 0xff;
  fs.writeFileSync(blob, tampered);
  const out = tmp('model-hub-pull-tampered-');
  const pulled = cli([
    'pull',
    `${MODEL}@9.9.2`,
    '-o',
    out,
    '--portal',
    baseUrl,
  ]);
  assert.notEqual(pulled.code, 0);
  assert.match(pulled.err, /INTEGRITY FAILURE/);
  assert.deepEqual(
    fs.readdirSync(out),
    [],
    'nothing unverified is left in the output',
  );
});

test('the API names unknown models clearly', async () => {
  const res = await api(
    '/api/model-hub/v1/models/default/no-such-model/versions',
    {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ version: '1.0.0' }),
    },
  );
  assert.equal(res.status, 404);
  assert.match(
    (await res.json()).error.message,
    /model:default\/no-such-model/,
  );
  const unauth = await fetch(`${baseUrl}${VERSIONS}`);
  assert.equal(unauth.status, 401);
});
