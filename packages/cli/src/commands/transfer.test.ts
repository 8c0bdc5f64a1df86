import { createHash } from 'node:crypto';
import fs from 'node:fs/promises';
import http from 'node:http';
import { AddressInfo } from 'node:net';
import os from 'node:os';
import path from 'node:path';
import { runCli } from '../__testUtils__/runCli';
// Only the transfer module: the package index would load the scanner and
// gauntlet too, slowing every CLI start.
// eslint-disable-next-line @backstage/no-forbidden-package-imports
import { sha256OfRange } from '@internal/plugin-model-hub-node/src/transfer';
import { listFiles, sha256File } from '../lib/files';

jest.setTimeout(60_000);

const sha256 = (b: Buffer) => createHash('sha256').update(b).digest('hex');

let tmp: string;
beforeEach(async () => {
  tmp = await fs.realpath(
    await fs.mkdtemp(path.join(os.tmpdir(), 'mh-transfer-')),
  );
});
afterEach(async () => {
  await fs.rm(tmp, { recursive: true, force: true });
});

/** `models--org--name/{blobs,refs,snapshots/<rev>}` as huggingface_hub writes it. */
async function hfCache() {
  const repo = path.join(tmp, 'hub', 'models--acme--tiny');
  const snapshot = path.join(repo, 'snapshots', 'abc123');
  await fs.mkdir(path.join(repo, 'blobs'), { recursive: true });
  await fs.mkdir(path.join(snapshot, 'onnx'), { recursive: true });
  const weights = Buffer.from('weights');
  const config = Buffer.from('{"model_type":"bert"}');
  await fs.writeFile(path.join(repo, 'blobs', sha256(weights)), weights);
  await fs.writeFile(path.join(repo, 'blobs', sha256(config)), config);
  await fs.symlink(
    `../../blobs/${sha256(config)}`,
    path.join(snapshot, 'config.json'),
  );
  await fs.symlink(
    `../../../blobs/${sha256(weights)}`,
    path.join(snapshot, 'onnx', 'model.bin'),
  );
  await fs.writeFile(path.join(snapshot, 'README.md'), 'plain file');
  return { snapshot, weights, config };
}

describe('publishing a Hugging Face cache snapshot', () => {
  it('follows symlinks into the cache blobs and keeps the snapshot paths', async () => {
    const { snapshot, weights, config } = await hfCache();
    const files = await listFiles(snapshot);
    expect(files.map(f => [f.relPath, f.size])).toEqual([
      ['config.json', config.length],
      ['onnx/model.bin', weights.length],
      ['README.md', 10],
    ]);
    expect(files[0].absPath).toBe(
      path.join(tmp, 'hub', 'models--acme--tiny', 'blobs', sha256(config)),
    );
  });

  it.each([
    [
      'outside the directory and its cache root',
      async (snapshot: string) => {
        await fs.writeFile(path.join(tmp, 'secret.txt'), 'x');
        await fs.symlink(
          '../../../../secret.txt',
          path.join(snapshot, 'leak.txt'),
        );
      },
      /refusing leak\.txt: its symbolic link leads outside .* and its cache root/,
    ],
    [
      'at a directory',
      async (snapshot: string) => {
        await fs.symlink('../../blobs', path.join(snapshot, 'dir-link'));
      },
      /refusing dir-link: its symbolic link points at a directory/,
    ],
    [
      'nowhere',
      async (snapshot: string) => {
        await fs.symlink('../../blobs/missing', path.join(snapshot, 'broken'));
      },
      /refusing broken: it is a broken symbolic link/,
    ],
  ])(
    'refuses a symlink pointing %s, in one line, through the CLI',
    async (_name, plant, message) => {
      const { snapshot } = await hfCache();
      await plant(snapshot);
      const run = await runCli([
        'publish',
        snapshot,
        '--model',
        'model:default/tiny',
        '--version',
        '1.0.0',
        '--portal',
        'http://127.0.0.1:9',
      ]);
      expect(run.code).toBe(4);
      expect(run.stderr).toMatch(message);
      expect(run.stderr.trim().split('\n')).toHaveLength(1);
    },
  );

  it('refuses a symlink leaving a plain directory (no cache root)', async () => {
    const dir = path.join(tmp, 'plain');
    await fs.mkdir(dir);
    await fs.writeFile(path.join(tmp, 'outside.bin'), 'x');
    await fs.symlink('../outside.bin', path.join(dir, 'w.bin'));
    await expect(listFiles(dir)).rejects.toThrow(
      /refusing w\.bin: its symbolic link leads outside .*plain \(to /,
    );
  });
});

describe('hashing for uploads', () => {
  it('hashes a whole file, and any byte range of it, in large chunks', async () => {
    const bytes = Buffer.alloc(10 * 1024 * 1024 + 3);
    for (let i = 0; i < bytes.length; i += 4093) bytes[i] = i % 256;
    const file = path.join(tmp, 'w.bin');
    await fs.writeFile(file, bytes);
    const seen: number[] = [];
    expect(await sha256File(file, d => seen.push(d))).toBe(sha256(bytes));
    expect(seen[seen.length - 1]).toBe(bytes.length);
    expect(await sha256OfRange(file, 3, 5 * 1024 * 1024)).toBe(
      sha256(bytes.subarray(3, 5 * 1024 * 1024 + 1)),
    );
  });
});

/**
 * A portal double for one sealed version: serves the version JSON and the
 * file with the real route's Range/If-Range semantics, and can cut the
 * first download after `cutAfter` bytes.
 */
async function portalWithFile(
  content: Buffer,
  verdict = 'safe',
  served = content,
  /** The version's file paths, each with `content` (a hostile hub may repeat one). */
  paths = ['weights/model.bin'],
) {
  const seen: Array<string | undefined> = [];
  let cutAfter: number | undefined = Math.floor(content.length / 2);
  const sha = sha256(content);
  const version = {
    entityRef: 'model:default/tiny',
    version: '1.0.0',
    state: 'sealed',
    scanVerdict: verdict,
    aliases: [],
    files: paths.map(p => ({
      path: p,
      size: content.length,
      sha256: sha,
      format: 'unknown',
      scan: {
        verdict,
        findings: verdict === 'unsafe' ? [{ rule: 'pickle-global' }] : [],
      },
    })),
  };
  const server = http.createServer((req, res) => {
    if (req.url!.endsWith('/versions/1.0.0')) {
      res.setHeader('content-type', 'application/json');
      res.end(JSON.stringify(version));
      return;
    }
    seen.push(req.headers.range);
    const match = /^bytes=(\d+)-$/.exec(req.headers.range ?? '');
    const start =
      match && req.headers['if-range'] === `"${sha}"` ? Number(match[1]) : 0;
    res.writeHead(start ? 206 : 200, {
      etag: `"${sha}"`,
      'content-length': String(content.length - start),
    });
    if (cutAfter !== undefined) {
      // Cut once the first half is in the kernel's send buffer (never
      // before, however slow the machine): the client receives all of it,
      // then the connection closes short of content-length.
      res.write(served.subarray(start, cutAfter), () => res.socket?.destroy());
      cutAfter = undefined;
      return;
    }
    res.end(served.subarray(start));
  });
  await new Promise<void>(r => server.listen(0, '127.0.0.1', r));
  const url = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  return { url, seen, close: () => new Promise(r => server.close(r)) };
}

/** `model-hub pull` of the test version into `out`. */
const pullArgs = (out: string, portalUrl: string) => [
  'pull',
  'model:default/tiny@1.0.0',
  '-o',
  out,
  '--portal',
  portalUrl,
];

describe('model-hub pull', () => {
  it('resumes an interrupted download with Range from its .part and verifies it', async () => {
    const content = Buffer.alloc(3 * 1024 * 1024 + 17);
    for (let i = 0; i < content.length; i += 997) content[i] = i % 251;
    const portal = await portalWithFile(content);
    try {
      const out = path.join(tmp, 'out');
      const args = pullArgs(out, portal.url);
      const first = await runCli(args);
      expect(first.code).toBe(1);
      expect(first.stderr).toMatch(
        /interrupted after \d+ of \d+ bytes.*run the same command again to resume/,
      );
      // Every byte received is on disk, and the message counts them.
      const part = await fs.stat(path.join(out, 'weights', 'model.bin.part'));
      expect(part.size).toBe(Math.floor(content.length / 2));
      expect(first.stderr).toContain(
        `interrupted after ${part.size} of ${content.length} bytes`,
      );

      const second = await runCli([...args, '--json']);
      expect(second.code).toBe(0);
      expect(portal.seen).toEqual([undefined, `bytes=${part.size}-`]);
      const summary = JSON.parse(second.stdout);
      expect(summary.files[0]).toMatchObject({
        path: 'weights/model.bin',
        resumedFrom: part.size,
      });
      const got = await fs.readFile(path.join(out, 'weights', 'model.bin'));
      expect(got.equals(content)).toBe(true);
      await expect(
        fs.stat(path.join(out, 'weights', 'model.bin.part')),
      ).rejects.toThrow();
    } finally {
      await portal.close();
    }
  });

  it('deletes the .part and fails when the bytes on disk do not match the SHA-256', async () => {
    const content = Buffer.alloc(20 * 1024 * 1024 + 5, 7);
    // One byte differs, in the second half (after the resume point) and
    // past the first hash batch.
    const served = Buffer.from(content);
    served[served.length - 3] ^= 1;
    const portal = await portalWithFile(content, 'safe', served);
    try {
      const out = path.join(tmp, 'out');
      const args = pullArgs(out, portal.url);
      const first = await runCli(args);
      expect(first.stderr).toMatch(/interrupted after/);
      const second = await runCli(args);
      expect(second.code).toBe(1);
      expect(second.stderr).toContain(
        `INTEGRITY FAILURE for weights/model.bin: expected sha256 ${sha256(
          content,
        )}`,
      );
      expect(second.stderr).toContain(
        `received sha256 ${sha256(served)} (${content.length} bytes)`,
      );
      await expect(
        fs.stat(path.join(out, 'weights', 'model.bin.part')),
      ).rejects.toThrow();
      await expect(
        fs.stat(path.join(out, 'weights', 'model.bin')),
      ).rejects.toThrow();
    } finally {
      await portal.close();
    }
  });

  it('never writes through a symlink planted at a .part or a parent directory', async () => {
    const content = Buffer.alloc(64 * 1024, 3);
    const portal = await portalWithFile(content);
    try {
      const out = path.join(tmp, 'out');
      const victim = path.join(tmp, 'victim');
      await fs.writeFile(victim, 'precious');
      await fs.mkdir(path.join(out, 'weights'), { recursive: true });
      const part = path.join(out, 'weights', 'model.bin.part');
      await fs.symlink(victim, part);
      const planted = await runCli(pullArgs(out, portal.url));
      expect(await fs.readFile(victim, 'utf8')).toBe('precious');
      expect(planted.code).toBe(1);
      expect(planted.stderr.trim().split('\n')).toHaveLength(1);
      expect(planted.stderr).toContain(
        `refusing to write weights/model.bin: ${part} is a symlink`,
      );
      expect(portal.seen).toEqual([]);

      // A symlinked directory would carry the file (and its .part) elsewhere.
      await fs.rm(path.join(out, 'weights'), { recursive: true });
      const elsewhere = path.join(tmp, 'elsewhere');
      await fs.mkdir(elsewhere);
      await fs.symlink(elsewhere, path.join(out, 'weights'));
      const linkedDir = await runCli(pullArgs(out, portal.url));
      expect(linkedDir.code).toBe(1);
      expect(linkedDir.stderr).toContain(
        `${path.join(out, 'weights')} is not a directory`,
      );
      expect(await fs.readdir(elsewhere)).toEqual([]);
    } finally {
      await portal.close();
    }
  });

  it('refuses a file list from a hub in which two entries are one file on disk, before downloading', async () => {
    const content = Buffer.alloc(64 * 1024, 5);
    for (const [a, b] of [
      ['weights/model.bin', 'weights/model.bin'],
      ['weights/model.bin', 'Weights/MODEL.bin'],
      ['weights/model.bin', 'weights/model.bin/x'],
      ['caf\u00e9.bin', 'cafe\u0301.bin'],
    ]) {
      const portal = await portalWithFile(content, 'safe', content, [a, b]);
      try {
        const out = path.join(tmp, `out-${portal.url.split(':').pop()}`);
        const run = await runCli(pullArgs(out, portal.url));
        expect(run.code).toBe(1);
        expect(run.stderr.trim().split('\n')).toHaveLength(1);
        expect(run.stderr).toContain(
          `the hub lists ${JSON.stringify(a)} and ${JSON.stringify(
            b,
          )}, which are the same file on disk`,
        );
        // Nothing was asked for: before, two downloads wrote one .part.
        expect(portal.seen).toEqual([]);
      } finally {
        await portal.close();
      }
    }
  });

  it('prints an unexpected error in one line, and its stack with --debug', async () => {
    const portal = await portalWithFile(Buffer.from('x'.repeat(100)));
    try {
      const notADir = path.join(tmp, 'file');
      await fs.writeFile(notADir, 'x');
      const args = pullArgs(notADir, portal.url);
      const run = await runCli(args);
      expect(run.code).toBe(1);
      expect(run.stderr.trim().split('\n')).toHaveLength(1);
      expect(run.stderr).toMatch(
        /^model-hub: EEXIST.*\(run again with --debug for details\)$/m,
      );
      const debug = await runCli([...args, '--debug']);
      expect(debug.code).toBe(1);
      expect(debug.stderr).toMatch(/\n\s+at /);
    } finally {
      await portal.close();
    }
  });

  it('refuses a version with an unsafe file unless --allow-unsafe, naming the file', async () => {
    const portal = await portalWithFile(Buffer.from('x'.repeat(100)), 'unsafe');
    try {
      const out = path.join(tmp, 'out');
      const run = await runCli(pullArgs(out, portal.url));
      expect(run.code).toBe(1);
      expect(run.stderr.trim().split('\n')).toHaveLength(1);
      expect(run.stderr).toMatch(
        /weights\/model\.bin unsafe \(pickle-global\); pass --allow-unsafe/,
      );
      expect(portal.seen).toEqual([]);
    } finally {
      await portal.close();
    }
  });
});
