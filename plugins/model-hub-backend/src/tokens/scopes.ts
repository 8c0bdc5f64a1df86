import { AccessTokenScope } from '@internal/plugin-model-hub-common';

const SEG = '[^/]+';
const MODEL = `/v1/models/${SEG}/${SEG}`;

/**
 * The mutations a `publish` token may make: an allowlist of the owners'
 * publishing routes. Every other mutation (governance decisions, waivers,
 * deprecation, deletion, token management, and any route added later) needs
 * `admin` until it is listed here.
 */
const PUBLISH_ROUTES: Array<{ method: string; path: RegExp }> = [
  { method: 'POST', path: new RegExp(`^/v1/registered-models$`) },
  { method: 'POST', path: new RegExp(`^${MODEL}/versions$`) },
  { method: 'PUT', path: new RegExp(`^${MODEL}/versions/${SEG}/files/.+$`) },
  { method: 'POST', path: new RegExp(`^${MODEL}/versions/${SEG}/seal$`) },
  { method: 'PUT', path: new RegExp(`^${MODEL}/aliases/${SEG}$`) },
  {
    method: 'POST',
    path: new RegExp(`^${MODEL}/versions/${SEG}/gauntlet/runs$`),
  },
  { method: 'POST', path: new RegExp(`^${MODEL}/promotion-requests$`) },
  // Resumable multipart uploads and content dedupe (src/transfers).
  { method: 'POST', path: new RegExp(`^/v1/blobs/exists$`) },
  {
    method: 'POST',
    path: new RegExp(`^${MODEL}/versions/${SEG}/files-by-content$`),
  },
  { method: 'POST', path: new RegExp(`^${MODEL}/versions/${SEG}/uploads$`) },
  {
    method: 'PUT',
    path: new RegExp(`^${MODEL}/versions/${SEG}/uploads/${SEG}/parts/${SEG}$`),
  },
  {
    method: 'POST',
    path: new RegExp(`^${MODEL}/versions/${SEG}/uploads/${SEG}/complete$`),
  },
];

const READ_METHODS = new Set(['GET', 'HEAD', 'OPTIONS']);

/** POST routes that only read (the Hugging Face `paths-info` lookup). */
const READ_POST_ROUTES = [
  new RegExp(`^/hf/api/models/${SEG}/${SEG}/paths-info/${SEG}$`),
];

/** True for methods that change nothing. */
export function isReadMethod(method: string): boolean {
  return READ_METHODS.has(method.toUpperCase());
}

/**
 * The scope a personal access token needs for `method` on `path` (relative
 * to the plugin's base URL, e.g. `/v1/models/default/x/versions`).
 */
export function requiredScope(method: string, path: string): AccessTokenScope {
  const m = method.toUpperCase();
  if (READ_METHODS.has(m)) {
    return 'read';
  }
  if (m === 'POST' && READ_POST_ROUTES.some(r => r.test(path))) {
    return 'read';
  }
  return PUBLISH_ROUTES.some(r => r.method === m && r.path.test(path))
    ? 'publish'
    : 'admin';
}
