/* Connection details of the portal started by e2e/run.js, for the tests. */
'use strict';

const baseUrl = process.env.MODEL_HUB_E2E_BASE_URL;
const token = process.env.MODEL_HUB_E2E_TOKEN;
if (!baseUrl || !token) {
  throw new Error('run the end-to-end tests through `npm run test:e2e`');
}

/** Calls the portal's HTTP API with the e2e static token. */
async function api(p, init = {}) {
  return fetch(`${baseUrl}${p}`, {
    ...init,
    headers: { authorization: `Bearer ${token}`, ...(init.headers ?? {}) },
  });
}

module.exports = {
  baseUrl,
  token,
  dataDir: process.env.MODEL_HUB_E2E_DATA_DIR,
  logFile: process.env.MODEL_HUB_E2E_LOG_FILE,
  /** A read-only HTTP server over examples/artifacts, on the reading allow-list. */
  artifactsUrl: process.env.MODEL_HUB_E2E_ARTIFACTS_URL,
  api,
};
