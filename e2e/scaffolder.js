/*
 * Running scaffolder templates in the portal started by e2e/run.js, as the
 * guest user (a member of ML Platform), the way the portal's form does:
 * create a task through the scaffolder's HTTP API, wait for it to end, and
 * collect its log and output.
 */
'use strict';

const { baseUrl } = require('./env');
const { waitFor } = require('./portal');

let cachedToken;

/** Signs in to the portal at `portalUrl` as guest; resolves to the user's token. */
async function guestToken(portalUrl) {
  const res = await fetch(`${portalUrl}/api/auth/guest/refresh`, {
    headers: { 'x-requested-with': 'XMLHttpRequest' },
  });
  if (!res.ok) {
    throw new Error(`guest sign-in failed: ${res.status} ${await res.text()}`);
  }
  const body = await res.json();
  return body.backstageIdentity.token;
}

/** A Backstage token of the signed-in guest user (not the service token). */
async function userToken() {
  cachedToken ??= await guestToken(baseUrl);
  return cachedToken;
}

/** Calls the portal's HTTP API as the guest user. */
async function userApi(p, init = {}) {
  return fetch(`${baseUrl}${p}`, {
    ...init,
    headers: {
      authorization: `Bearer ${await userToken()}`,
      ...(init.headers ?? {}),
    },
  });
}

/**
 * Runs `template:default/<name>` with `values` and waits until the task ends.
 * Resolves to { id, status, output, log } where `log` joins every log line.
 */
async function runTemplate(name, values, { timeoutMs = 180000 } = {}) {
  const res = await userApi('/api/scaffolder/v2/tasks', {
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify({ templateRef: `template:default/${name}`, values }),
  });
  const created = await res.json();
  if (res.status !== 201) {
    throw new Error(
      `creating a ${name} task failed: ${res.status} ${JSON.stringify(
        created,
      )}`,
    );
  }
  const task = await waitFor(
    `the ${name} task to end`,
    async () => {
      const t = await (
        await userApi(`/api/scaffolder/v2/tasks/${created.id}`)
      ).json();
      return ['completed', 'failed', 'cancelled'].includes(t.status)
        ? t
        : undefined;
    },
    { timeoutMs, intervalMs: 1000 },
  );
  const events = await (
    await userApi(`/api/scaffolder/v2/tasks/${created.id}/events`)
  ).json();
  const log = events
    .map(e => e.body?.message)
    .filter(Boolean)
    .join('\n');
  const completion = events.find(e => e.type === 'completion');
  return {
    id: created.id,
    status: task.status,
    output: completion?.body?.output ?? {},
    log,
  };
}

module.exports = { guestToken, runTemplate, userApi, userToken };
