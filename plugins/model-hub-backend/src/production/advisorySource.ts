import fs from 'node:fs/promises';
import path from 'node:path';
import { Config } from '@backstage/config';
import {
  loadAdvisoryDatabase,
  readAdvisoryDirectory,
} from '@internal/plugin-model-hub-node';

/**
 * A file that marks an advisory directory as demo data (the excerpt in
 * `examples/advisories`). Demo data declares itself, so a production config
 * that silently falls back to it is caught no matter which path it came from.
 */
export const DEMO_ADVISORIES_MARKER = '.model-hub-demo-data';

/**
 * True when the directory, after following symlinks, or any directory above
 * it holds the demo marker: pointing at `examples/advisories/PyPI` or at a
 * link to the excerpt is the excerpt all the same.
 */
async function insideDemoData(directory: string): Promise<boolean> {
  let current = await fs.realpath(directory);
  for (;;) {
    const marked = await fs
      .access(path.join(current, DEMO_ADVISORIES_MARKER))
      .then(() => true)
      .catch(() => false);
    if (marked) return true;
    const parent = path.dirname(current);
    if (parent === current) return false;
    current = parent;
  }
}

/** The key that makes a real advisory source mandatory at start-up. */
export const ADVISORIES_REQUIRED_KEY =
  'modelHub.gauntlet.security.advisoriesRequired';

/**
 * Whether the backend must refuse to start without a real advisory source:
 * `modelHub.gauntlet.security.advisoriesRequired`, which defaults to true
 * when `NODE_ENV` is `production`.
 */
export function advisoriesRequired(
  config: Config,
  env: string | undefined = process.env.NODE_ENV,
): boolean {
  return (
    config.getOptionalBoolean(ADVISORIES_REQUIRED_KEY) ?? env === 'production'
  );
}

/**
 * Refuses to start (throws a one-line error with a hint) when a real advisory
 * source is required and the configured one is missing, unreadable, holds no
 * OSV record, or is the demo excerpt. Without this, a production portal whose
 * `MODEL_HUB_ADVISORY_DIRECTORY` is unset inherits the demo directory from
 * app-config.yaml (an unset variable drops the key, and the base file's value
 * shows through) and passes every dependency as "no known advisories".
 */
export async function assertAdvisorySource(
  config: Config,
  env: string | undefined = process.env.NODE_ENV,
): Promise<void> {
  if (!advisoriesRequired(config, env)) return;
  const hint = `set modelHub.gauntlet.security.advisoryDirectory to a directory of OSV records (e.g. the PyPI export of osv.dev), or set ${ADVISORIES_REQUIRED_KEY}: false`;
  const configured = readAdvisoryDirectory(config);
  if (!configured) {
    throw new Error(
      `Model Hub refuses to start: no advisory source is configured; ${hint}`,
    );
  }
  const directory = path.resolve(configured);
  const stat = await fs.stat(directory).catch(() => undefined);
  if (!stat?.isDirectory()) {
    throw new Error(
      `Model Hub refuses to start: the advisory directory ${directory} does not exist or is not a directory; ${hint}`,
    );
  }
  if (await insideDemoData(directory)) {
    throw new Error(
      `Model Hub refuses to start: the advisory directory ${directory} is the demo excerpt; ${hint}`,
    );
  }
  const db = await loadAdvisoryDatabase(directory);
  if (db.records === 0) {
    throw new Error(
      `Model Hub refuses to start: the advisory directory ${directory} holds no OSV record; ${hint}`,
    );
  }
}
