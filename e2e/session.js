/*
 * The browser preamble the page specs share: once `ready` (what the spec
 * waits for in the portal) has resolved, launch Chromium and sign in as the
 * guest; close the browser after the spec. Registers the node:test hooks of
 * the calling spec file and returns the session they fill in.
 */
'use strict';

const { before, after } = require('node:test');
const { launchBrowser, newSignedInPage } = require('./portal');

/**
 * A guest session for one spec: `session.page` is the signed-in page (and
 * `session.browser` its browser) from the spec's first test on.
 */
function guestSession(baseUrl, { ready } = {}) {
  const session = { browser: undefined, page: undefined };
  before(async () => {
    if (ready) await ready();
    session.browser = await launchBrowser();
    session.page = await newSignedInPage(session.browser, baseUrl);
  });
  after(async () => {
    await session.browser?.close();
  });
  return session;
}

module.exports = { guestSession };
