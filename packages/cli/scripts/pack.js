#!/usr/bin/env node
/*
 * Makes `npm pack` in packages/cli produce a CLI that installs and runs
 * without this repository:
 *
 *   prepack   bundles src/index.ts and each src/commands/*.ts with esbuild
 *             into dist/ (our workspace packages and pure-JS dependencies are
 *             inlined), copies the worker scripts that run in child
 *             processes (HDF5 reader, ONNX evaluator) to dist/assets/, and
 *             swaps package.json for the published manifest: no workspace
 *             packages, only the dependencies the bundle leaves external.
 *   postpack  restores package.json (the same dance `backstage-cli package
 *             prepack/postpack` does for Backstage's own packages).
 *
 * Inside the repository the CLI keeps running from its TypeScript sources
 * (bin/model-hub uses dist/ only when src/ is absent, as in the tarball).
 */
'use strict';

const fs = require('node:fs');
const path = require('node:path');

const CLI_DIR = path.resolve(__dirname, '..');
const DIST = path.join(CLI_DIR, 'dist');
const MANIFEST = path.join(CLI_DIR, 'package.json');
const BACKUP = path.join(CLI_DIR, 'package.json-prepack');
const NODE_PKG = path.dirname(
  require.resolve('@internal/plugin-model-hub-node/package.json'),
);

/**
 * Left out of the bundle: h5wasm loads its WebAssembly from its own folder,
 * and onnxruntime-node is a native addon (optional: only `model-hub check`
 * of an ONNX model's claimed metrics needs it).
 */
const EXTERNAL = {
  dependencies: ['h5wasm'],
  optionalDependencies: ['onnxruntime-node'],
};

/** Files the node package runs in child processes, relative to its root. */
const ASSETS = [
  'workers/hdf5Reader.mjs',
  'src/gauntlet/checks/performance/onnxWorker.js',
];

function commandEntries() {
  const dir = path.join(CLI_DIR, 'src', 'commands');
  return fs
    .readdirSync(dir)
    .filter(f => /^[a-z][a-z0-9-]*\.ts$/.test(f) && !f.endsWith('.test.ts'))
    .map(f => path.join(dir, f));
}

/** The range the node package declares, so the tarball asks for what the repo tests. */
function declaredRange(name) {
  const { dependencies = {} } = require(path.join(NODE_PKG, 'package.json'));
  if (!dependencies[name]) {
    throw new Error(
      `@internal/plugin-model-hub-node does not depend on ${name}`,
    );
  }
  return dependencies[name];
}

async function bundle() {
  const esbuild = require('esbuild');
  fs.rmSync(DIST, { recursive: true, force: true });
  const allExternal = Object.values(EXTERNAL).flat();
  await esbuild.build({
    entryPoints: [path.join(CLI_DIR, 'src', 'index.ts'), ...commandEntries()],
    outbase: path.join(CLI_DIR, 'src'),
    outdir: DIST,
    bundle: true,
    platform: 'node',
    target: 'node20',
    format: 'cjs',
    // The package.json lookup is the from-sources branch of packageAssetPath,
    // dead in the bundle (the define below selects dist/assets).
    external: [...allExternal, '@internal/plugin-model-hub-node/package.json'],
    // Commands are bundled to dist/commands/*.js; their assets sit in dist/assets.
    define: { __MODEL_HUB_NODE_ASSETS__: JSON.stringify('../assets') },
    legalComments: 'linked',
    logLevel: 'warning',
  });
  for (const rel of ASSETS) {
    const to = path.join(DIST, 'assets', rel);
    fs.mkdirSync(path.dirname(to), { recursive: true });
    fs.copyFileSync(path.join(NODE_PKG, rel), to);
  }
}

function publishManifest(source) {
  const deps = kind =>
    Object.fromEntries(EXTERNAL[kind].map(name => [name, declaredRange(name)]));
  return {
    name: source.name,
    version: source.version,
    description: source.description,
    license: source.license,
    engines: { node: '>=20' },
    bin: source.bin,
    files: ['bin', 'dist'],
    dependencies: deps('dependencies'),
    optionalDependencies: deps('optionalDependencies'),
  };
}

async function prepack() {
  if (fs.existsSync(BACKUP)) {
    throw new Error(
      `${BACKUP} exists: a previous pack did not finish; restore it with "node scripts/pack.js postpack" first`,
    );
  }
  await bundle();
  const source = fs.readFileSync(MANIFEST, 'utf8');
  fs.writeFileSync(BACKUP, source);
  fs.writeFileSync(
    MANIFEST,
    `${JSON.stringify(publishManifest(JSON.parse(source)), null, 2)}\n`,
  );
}

function postpack() {
  if (fs.existsSync(BACKUP)) fs.renameSync(BACKUP, MANIFEST);
  fs.rmSync(DIST, { recursive: true, force: true });
}

const step = process.argv[2];
(step === 'prepack' ? prepack() : Promise.resolve(postpack())).catch(e => {
  // Never leave the published manifest in place of the real one.
  postpack();
  process.stderr.write(`pack: ${e.message}\n`);
  process.exitCode = 1;
});
