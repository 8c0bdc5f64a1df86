/*
 * The model-hub CLI as the e2e specs run it: this checkout's bin, a token
 * in MODEL_HUB_TOKEN, and its exit code and output captured.
 */
const { execFile, spawnSync } = require('node:child_process');
const path = require('node:path');
const { ROOT } = require('./portal');

const BIN = path.join(ROOT, 'packages/cli/bin/model-hub');

/** Runs the CLI and waits; returns `{ code, out, err }`. */
function runCli(args, { token, env = {}, timeout = 120000 } = {}) {
  const res = spawnSync(process.execPath, [BIN, ...args], {
    encoding: 'utf8',
    env: { ...process.env, MODEL_HUB_TOKEN: token, ...env },
    timeout,
  });
  return { code: res.status, out: res.stdout, err: res.stderr };
}

/** The same without blocking this process (a server in it must keep serving). */
function runCliAsync(args, { token, env = {}, timeout = 120000 } = {}) {
  return new Promise(resolve =>
    execFile(
      process.execPath,
      [BIN, ...args],
      { env: { ...process.env, MODEL_HUB_TOKEN: token, ...env }, timeout },
      (error, out, err) =>
        resolve({ code: error ? error.code ?? 1 : 0, out, err }),
    ),
  );
}

module.exports = { runCli, runCliAsync };
