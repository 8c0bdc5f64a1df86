/*
 * The CLI as a user installs it, without this repository: `npm pack` in
 * packages/cli, `npm install -g` of the tarball into an empty prefix, then
 * the installed `model-hub` (run from an empty directory with an empty HOME
 * and no repository on any path) prints its help, scans a file with its
 * HDF5 worker, logs in with a token, pulls an example version from the
 * running portal with every hash verified, and publishes a new version.
 */
'use strict';

const { test } = require('node:test');
const assert = require('node:assert/strict');
const { spawnSync } = require('node:child_process');
const crypto = require('node:crypto');
const fs = require('node:fs');
const os = require('node:os');
const path = require('node:path');
const { baseUrl, api } = require('../env');
const { ROOT } = require('../portal');
const { guestToken } = require('../scaffolder');

const work = fs.mkdtempSync(path.join(os.tmpdir(), 'model-hub-packed-'));
const prefix = path.join(work, 'prefix');
const home = path.join(work, 'home');
const cwd = path.join(work, 'cwd');
for (const d of [prefix, home, cwd]) fs.mkdirSync(d);

function run(cmd, args, opts = {}) {
  const res = spawnSync(cmd, args, {
    encoding: 'utf8',
    timeout: 300000,
    ...opts,
  });
  if (res.error) throw res.error;
  return { code: res.status, out: res.stdout, err: res.stderr };
}

/** The installed CLI, with nothing of the repository in its environment. */
function modelHub(args, env = {}) {
  return run(path.join(prefix, 'bin', 'model-hub'), args, {
    cwd,
    env: {
      PATH: `${path.join(prefix, 'bin')}:${path.dirname(
        process.execPath,
      )}:/usr/bin:/bin`,
      HOME: home,
      XDG_CONFIG_HOME: path.join(home, '.config'),
      ...env,
    },
  });
}

function sha256(file) {
  return crypto
    .createHash('sha256')
    .update(fs.readFileSync(file))
    .digest('hex');
}

test('npm pack, install into an empty prefix, run without the repository', async () => {
  const packed = run(
    'npm',
    ['pack', '--pack-destination', work, '--json', '--no-audit', '--no-fund'],
    { cwd: path.join(ROOT, 'packages/cli') },
  );
  assert.equal(packed.code, 0, packed.err);
  const [{ filename }] = JSON.parse(packed.out.slice(packed.out.indexOf('[')));
  assert.match(filename, /^model-hub-cli-\d+\.\d+\.\d+\.tgz$/);
  // postpack restored the workspace manifest.
  assert.equal(
    JSON.parse(
      fs.readFileSync(path.join(ROOT, 'packages/cli/package.json'), 'utf8'),
    ).name,
    'model-hub-cli',
  );
  assert.ok(
    !fs.existsSync(path.join(ROOT, 'packages/cli/package.json-prepack')),
  );

  // onnxruntime-node is optional (only `check` re-runs ONNX benchmarks) and
  // its install script needs the internet: leave it out here.
  const installed = run(
    'npm',
    [
      'install',
      '-g',
      '--prefix',
      prefix,
      path.join(work, filename),
      '--omit=optional',
      '--prefer-offline',
      '--no-audit',
      '--no-fund',
    ],
    { cwd: work },
  );
  assert.equal(installed.code, 0, installed.err);
  const pkgDir = path.join(prefix, 'lib', 'node_modules', 'model-hub-cli');
  assert.ok(!fs.existsSync(path.join(pkgDir, 'src')), 'no sources shipped');
  const manifest = JSON.parse(
    fs.readFileSync(path.join(pkgDir, 'package.json'), 'utf8'),
  );
  assert.equal(manifest.devDependencies, undefined);
  assert.ok(
    Object.keys(manifest.dependencies).every(d => !d.startsWith('@internal/')),
    JSON.stringify(manifest.dependencies),
  );

  const help = modelHub(['--help']);
  assert.equal(help.code, 0, help.err);
  for (const cmd of ['scan', 'pull', 'publish', 'login', 'check']) {
    assert.match(help.out, new RegExp(`^  ${cmd} `, 'm'));
  }

  // The HDF5 reader runs in a child process from the installed package.
  const fixtures = path.join(
    ROOT,
    'plugins/model-hub-node/fixtures/files/containers',
  );
  fs.copyFileSync(
    path.join(fixtures, 'keras-legacy-lambda.h5'),
    path.join(cwd, 'lambda.h5'),
  );
  const scan = modelHub(['scan', 'lambda.h5']);
  assert.equal(scan.code, 1, scan.err);
  assert.match(scan.out, /UNSAFE\s+lambda\.h5/);
  assert.match(scan.out, /keras\/lambda-layer/);

  // A personal access token of the guest, as the tokens page creates it;
  // login checks it and stores it 0600 in the user's config, where the
  // later commands find it (no MODEL_HUB_TOKEN in their environment).
  const created = await fetch(`${baseUrl}/api/model-hub/v1/tokens`, {
    method: 'POST',
    headers: {
      authorization: `Bearer ${await guestToken(baseUrl)}`,
      'content-type': 'application/json',
    },
    body: JSON.stringify({ name: 'packed cli', scopes: ['read', 'publish'] }),
  });
  assert.equal(created.status, 201, await created.clone().text());
  const { token } = await created.json();
  const login = modelHub(['login', '--portal', baseUrl, '--token', token]);
  assert.equal(login.code, 0, `${login.out}\n${login.err}`);
  assert.match(login.out, /as user:default\/guest/);
  const saved = login.out.match(/token saved in (\S+)/)[1];
  assert.ok(saved.startsWith(home), saved);
  assert.equal(fs.statSync(saved).mode & 0o777, 0o600);

  const out = path.join(work, 'pulled');
  const pull = modelHub([
    'pull',
    'model:default/sentiment-classifier@2.1.0',
    '-o',
    out,
    '--portal',
    baseUrl,
  ]);
  assert.equal(pull.code, 0, `${pull.out}\n${pull.err}`);
  const version = await (
    await api(
      '/api/model-hub/v1/models/default/sentiment-classifier/versions/2.1.0',
    )
  ).json();
  assert.ok(version.files.length >= 3);
  for (const f of version.files) {
    assert.equal(sha256(path.join(out, f.path)), f.sha256, f.path);
  }

  const dir = path.join(work, 'publish');
  fs.mkdirSync(dir);
  fs.writeFileSync(path.join(dir, 'config.json'), '{"packed": true}\n');
  fs.copyFileSync(
    path.join(
      ROOT,
      'plugins/model-hub-node/fixtures/files/safetensors-valid.safetensors',
    ),
    path.join(dir, 'model.safetensors'),
  );
  const pub = modelHub([
    'publish',
    dir,
    '--model',
    'model:default/bert-base-uncased',
    '--version',
    '9.16.0',
    '--portal',
    baseUrl,
  ]);
  assert.equal(pub.code, 0, `${pub.out}\n${pub.err}`);
  assert.match(pub.out, /sealed model:default\/bert-base-uncased@9\.16\.0/);
  const sealed = await (
    await api(
      '/api/model-hub/v1/models/default/bert-base-uncased/versions/9.16.0',
    )
  ).json();
  assert.equal(sealed.createdBy, 'user:default/guest');

  fs.rmSync(work, { recursive: true, force: true });
});
