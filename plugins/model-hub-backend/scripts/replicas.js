#!/usr/bin/env node
/*
 * Runs the two-replica test (src/__tests__/twoReplicas.test.ts) with a
 * chosen load: `npm run test:replicas -- --ops 200`. Needs PostgreSQL
 * (BACKSTAGE_TEST_DATABASE_POSTGRES16_CONNECTION_STRING).
 */
const { spawnSync } = require('node:child_process');
const path = require('node:path');

const args = process.argv.slice(2);
const at = args.indexOf('--ops');
const ops = at >= 0 ? Number(args[at + 1]) : 200;
if (!Number.isInteger(ops) || ops < 1) {
  console.error('Usage: npm run test:replicas -- --ops <positive integer>');
  process.exit(2);
}
if (!process.env.BACKSTAGE_TEST_DATABASE_POSTGRES16_CONNECTION_STRING) {
  console.error(
    'Set BACKSTAGE_TEST_DATABASE_POSTGRES16_CONNECTION_STRING to a PostgreSQL server, e.g. postgresql://postgres:postgres@127.0.0.1:5432',
  );
  process.exit(2);
}
const result = spawnSync(
  'npx',
  ['backstage-cli', 'package', 'test', '--ci', 'src/__tests__/twoReplicas'],
  {
    cwd: path.resolve(__dirname, '..'),
    stdio: 'inherit',
    env: { ...process.env, CI: 'true', MODEL_HUB_REPLICAS_OPS: String(ops) },
  },
);
process.exit(result.status ?? 1);
