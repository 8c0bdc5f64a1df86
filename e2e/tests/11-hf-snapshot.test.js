/*
 * A Hugging Face cache snapshot, published and pulled as a user would: a
 * model is registered through the hub and awaited in the catalog, a
 * directory laid out like `~/.cache/huggingface/hub` (`blobs/<sha>`,
 * `refs/main`, `snapshots/<rev>/…` symlinks into the blobs, nested folders)
 * is published from `snapshots/<rev>` with the real CLI, its largest file in
 * resumable parts, and the sealed version is pulled into an empty directory
 * (the first pull loses its connection mid-file and the second resumes it)
 * whose tree must equal the snapshot byte for byte, as plain files.
 */
'use strict';

const { test } = require('node:test');
const assert = require('node:assert/strict');
const { runCli, runCliAsync } = require('../cli');
const crypto = require('node:crypto');
const fs = require('node:fs');
const net = require('node:net');
const os = require('node:os');
const path = require('node:path');
const { baseUrl, token, logFile } = require('../env');
const { waitFor } = require('../portal');
const { guestToken, userApi } = require('../scaffolder');

const NAME = 'hf-snapshot-llm';
const MODEL = `model:default/${NAME}`;
const VERSION = '1.0.0';
const MiB = 1024 * 1024;

const sha256 = buf => crypto.createHash('sha256').update(buf).digest('hex');

const cli = (args, portal = baseUrl) =>
  runCli([...args, '--portal', portal], { token, timeout: 180000 });

/** The CLI without blocking this process (a proxy here must keep serving). */
const cliAsync = (args, portal) =>
  runCliAsync([...args, '--portal', portal], { token, timeout: 180000 });

/**
 * A TCP proxy to the portal that cuts the connection carrying the answer in
 * which the total bytes sent back pass `cutAfter`, once: a network drop in
 * the middle of a download.
 */
function cuttingProxy(cutAfter) {
  const { hostname, port } = new URL(baseUrl);
  let received = 0;
  let cut = false;
  const server = net.createServer(client => {
    const upstream = net.connect(Number(port), hostname);
    const close = () => {
      client.destroy();
      upstream.destroy();
    };
    client.on('error', close).on('close', close);
    upstream.on('error', close).on('close', close);
    upstream.on('data', d => {
      received += d.length;
      if (!cut && received > cutAfter) {
        cut = true;
        close();
      }
    });
    client.pipe(upstream);
    upstream.pipe(client);
  });
  return new Promise(resolve =>
    server.listen(0, '127.0.0.1', () =>
      resolve({
        url: `http://127.0.0.1:${server.address().port}`,
        close: () => new Promise(r => server.close(r)),
      }),
    ),
  );
}

/** A valid safetensors file: one U8 tensor of `n` random bytes. */
function safetensors(n) {
  const header = JSON.stringify({
    __metadata__: { format: 'pt' },
    'lm_head.weight': { dtype: 'U8', shape: [n], data_offsets: [0, n] },
  });
  const padded = header.padEnd(Math.ceil(header.length / 8) * 8, ' ');
  const len = Buffer.alloc(8);
  len.writeBigUInt64LE(BigInt(padded.length));
  return Buffer.concat([len, Buffer.from(padded), crypto.randomBytes(n)]);
}

/**
 * `models--acme--hf-snapshot-llm` as huggingface_hub writes it. Returns the
 * snapshot directory and the content expected under each relative path.
 */
function hfCache(root) {
  const repo = path.join(root, 'hub', `models--acme--${NAME}`);
  const rev = crypto.randomBytes(20).toString('hex');
  const snapshot = path.join(repo, 'snapshots', rev);
  const files = {
    // Larger than the 5 MiB part size below, so it goes up in parts (the
    // e2e portal caps a file at 8 MiB).
    'model.safetensors': safetensors(7 * MiB),
    'config.json': Buffer.from('{"model_type":"llama","hidden_size":64}\n'),
    'generation_config.json': Buffer.from('{"max_new_tokens":32}\n'),
    'tokenizer/tokenizer.json': Buffer.from('{"version":"1.0","vocab":{}}\n'),
    'tokenizer/special/added_tokens.txt': Buffer.from('<s>\n</s>\n'),
  };
  fs.mkdirSync(path.join(repo, 'blobs'), { recursive: true });
  fs.mkdirSync(path.join(repo, 'refs'), { recursive: true });
  fs.writeFileSync(path.join(repo, 'refs', 'main'), rev);
  for (const [rel, content] of Object.entries(files)) {
    const blob = path.join(repo, 'blobs', sha256(content));
    fs.writeFileSync(blob, content);
    const link = path.join(snapshot, ...rel.split('/'));
    fs.mkdirSync(path.dirname(link), { recursive: true });
    fs.symlinkSync(path.relative(path.dirname(link), blob), link);
  }
  return { snapshot, files };
}

/** Relative path → bytes of every file under `dir`, failing on symlinks. */
function readTree(dir) {
  const out = {};
  const walk = rel => {
    for (const e of fs.readdirSync(path.join(dir, rel), {
      withFileTypes: true,
    })) {
      const p = rel ? `${rel}/${e.name}` : e.name;
      if (e.isDirectory()) walk(p);
      else {
        assert.ok(e.isFile(), `${p} is not a plain file`);
        out[p] = fs.readFileSync(path.join(dir, p));
      }
    }
  };
  walk('');
  return out;
}

test('a Hugging Face cache snapshot published with the CLI pulls back as the same tree', async () => {
  // Register the model as the guest (ML Platform) and wait for the catalog,
  // where the hub looks models up before it accepts a version.
  // The guest's membership reaches the catalog a little after it starts:
  // retry until the hub sees the guest in ML Platform.
  let refusal = '';
  await waitFor(
    'the guest to register a model for ML Platform',
    async () => {
      // A fresh sign-in each time: a token carries the memberships of its day.
      const registered = await fetch(
        `${baseUrl}/api/model-hub/v1/registered-models`,
        {
          method: 'POST',
          headers: {
            'content-type': 'application/json',
            authorization: `Bearer ${await guestToken(baseUrl)}`,
          },
          body: JSON.stringify({
            entity: {
              apiVersion: 'modelhub.io/v1alpha1',
              kind: 'Model',
              metadata: {
                name: NAME,
                description: 'A snapshot from the Hugging Face cache.',
              },
              spec: {
                type: 'llm',
                task: 'text-generation',
                owner: 'group:default/ml-platform',
                steward: 'user:default/tom.becker',
                lifecycle: 'experimental',
                tier: 'community',
                license: 'Apache-2.0',
              },
            },
          }),
        },
      );
      if (registered.status === 201) return true;
      refusal = `${registered.status} ${await registered.text()}`;
      assert.equal(registered.status, 403, refusal);
      return false;
    },
    { timeoutMs: 120000, intervalMs: 2000 },
  ).catch(e => {
    throw new Error(`${e.message}; last answer ${refusal}`);
  });
  await waitFor(
    `${MODEL} in the catalog`,
    async () =>
      (
        await fetch(
          `${baseUrl}/api/catalog/entities/by-name/model/default/${NAME}`,
          { headers: { authorization: `Bearer ${token}` } },
        )
      ).ok,
    { timeoutMs: 120000, intervalMs: 1000 },
  );

  const tmp = fs.mkdtempSync(path.join(os.tmpdir(), 'model-hub-hf-'));
  try {
    const { snapshot, files } = hfCache(tmp);
    const pub = cli([
      'publish',
      snapshot,
      '--model',
      MODEL,
      '--version',
      VERSION,
      '--part-size',
      '5',
      '--json',
    ]);
    assert.equal(pub.code, 0, `publish failed:\n${pub.out}\n${pub.err}`);
    const summary = JSON.parse(pub.out);
    assert.deepEqual(
      summary.files.map(f => [f.path, f.sha256, f.outcome]).sort(),
      Object.entries(files)
        .map(([p, c]) => [p, sha256(c), 'uploaded'])
        .sort(),
    );
    // The large file went up in two parts through the multipart routes.
    const log = fs.readFileSync(logFile, 'utf8');
    for (const n of [1, 2]) {
      assert.match(
        log,
        new RegExp(
          `"PUT /api/model-hub/v1/models/default/${NAME}/versions/${VERSION}/uploads/[0-9a-f]{32}/parts/${n} HTTP/1.1" 201`,
        ),
      );
    }

    const version = await waitFor(
      `${MODEL}@${VERSION} to be sealed`,
      async () => {
        const res = await userApi(
          `/api/model-hub/v1/models/default/${NAME}/versions/${VERSION}`,
        );
        const body = res.ok ? await res.json() : undefined;
        return body?.state === 'sealed' ? body : undefined;
      },
      { timeoutMs: 60000, intervalMs: 1000 },
    );
    assert.equal(version.files.length, Object.keys(files).length);

    // The first pull loses its connection in the middle of the large file.
    const out = path.join(tmp, 'pulled');
    fs.mkdirSync(out);
    const proxy = await cuttingProxy(3 * MiB);
    let dropped;
    try {
      dropped = await cliAsync(
        ['pull', `${MODEL}@${VERSION}`, '-o', out, '--parallel', '1'],
        proxy.url,
      );
    } finally {
      await proxy.close();
    }
    assert.equal(dropped.code, 1, dropped.out);
    assert.doesNotMatch(dropped.err, /\n\s+at /);
    assert.match(
      `\n${dropped.err}`,
      // One error line (after the scan-verdict warning), no stack.
      /\nmodel-hub: download of model\.safetensors was interrupted after \d+ of \d+ bytes.*run the same command again to resume\n$/,
    );
    const partial = fs.statSync(path.join(out, 'model.safetensors.part')).size;
    assert.ok(partial > 0 && partial < files['model.safetensors'].length);

    // Run again: it continues from the .part with Range and verifies it.
    const pulled = cli(['pull', `${MODEL}@${VERSION}`, '-o', out, '--json']);
    assert.equal(pulled.code, 0, `pull failed:\n${pulled.out}\n${pulled.err}`);
    const resumed = JSON.parse(pulled.out).files.find(
      f => f.path === 'model.safetensors',
    );
    assert.equal(resumed.resumedFrom, partial);

    const expected = readTreeFollowingLinks(snapshot);
    const got = readTree(out);
    assert.deepEqual(Object.keys(got).sort(), Object.keys(expected).sort());
    for (const [rel, content] of Object.entries(expected)) {
      assert.ok(got[rel].equals(content), `${rel} differs after the pull`);
      assert.ok(content.equals(files[rel]));
    }
  } finally {
    fs.rmSync(tmp, { recursive: true, force: true });
  }
});

/** Relative path → bytes under a snapshot, reading through its symlinks. */
function readTreeFollowingLinks(dir) {
  const out = {};
  const walk = rel => {
    for (const name of fs.readdirSync(path.join(dir, rel))) {
      const p = rel ? `${rel}/${name}` : name;
      if (fs.statSync(path.join(dir, p)).isDirectory()) walk(p);
      else out[p] = fs.readFileSync(path.join(dir, p));
    }
  };
  walk('');
  return out;
}
