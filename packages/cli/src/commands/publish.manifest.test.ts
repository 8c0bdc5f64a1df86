import { createHash } from 'node:crypto';
import { mkdtempSync, writeFileSync } from 'node:fs';
import http from 'node:http';
import { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { runCli } from '../__testUtils__/runCli';

const sha256 = (b: Buffer) => createHash('sha256').update(b).digest('hex');

/**
 * A stand-in portal that records what the CLI declares and answers the seal
 * with the files it was told to: what it received, or a tampered list.
 */
function fakePortal(tamper: (files: any[]) => any[]) {
  const declared: any[] = [];
  const received: any[] = [];
  const server = http.createServer((req, res) => {
    const chunks: Buffer[] = [];
    req.on('data', c => chunks.push(c));
    req.on('end', () => {
      const body = Buffer.concat(chunks);
      const reply = (status: number, json: unknown) => {
        res.writeHead(status, { 'content-type': 'application/json' });
        res.end(JSON.stringify(json));
      };
      const version = (files: any[], state: string) => ({
        entityRef: 'model:default/m',
        version: '1.0.0',
        state,
        files,
        aliases: [],
        scanVerdict: 'safe',
        createdBy: 'user:default/me',
        createdAt: new Date().toISOString(),
      });
      if (req.method === 'POST' && req.url!.endsWith('/v1/blobs/exists')) {
        // Dedupe: this portal holds none of the contents yet.
        reply(200, { present: [] });
      } else if (req.method === 'POST' && req.url!.endsWith('/versions')) {
        declared.push(...JSON.parse(body.toString()).files);
        reply(201, version([], 'draft'));
      } else if (req.method === 'PUT') {
        const path = decodeURIComponent(req.url!.split('/files/')[1]);
        const file = {
          path,
          size: body.length,
          sha256: sha256(body),
          format: 'unknown',
          scan: { verdict: 'unsupported', findings: [] },
        };
        received.push(file);
        reply(201, file);
      } else if (req.url!.endsWith('/seal')) {
        reply(200, version(tamper(received), 'sealed'));
      } else {
        reply(404, { error: { message: 'no such route' } });
      }
    });
  });
  return { server, declared };
}

describe('model-hub publish verifies the sealed manifest (real process)', () => {
  jest.setTimeout(60_000);
  let dir: string;
  const a = Buffer.from('weights of a');
  const b = Buffer.from('config of b');

  beforeAll(() => {
    dir = mkdtempSync(join(tmpdir(), 'model-hub-publish-'));
    writeFileSync(join(dir, 'a.bin'), a);
    writeFileSync(join(dir, 'b.json'), b);
  });

  async function publishTo(tamper: (files: any[]) => any[]) {
    const portal = fakePortal(tamper);
    await new Promise<void>(r => portal.server.listen(0, '127.0.0.1', r));
    const { port } = portal.server.address() as AddressInfo;
    try {
      const run = await runCli([
        'publish',
        dir,
        '--model',
        'model:default/m',
        '--version',
        '1.0.0',
        '--portal',
        `http://127.0.0.1:${port}`,
      ]);
      return { ...run, declared: portal.declared };
    } finally {
      portal.server.close();
    }
  }

  it('declares path, size and SHA-256 of every file and accepts a matching seal', async () => {
    const run = await publishTo(files => files);
    expect(run.code).toBe(0);
    expect(run.declared).toEqual([
      { path: 'a.bin', sha256: sha256(a), size: a.length },
      { path: 'b.json', sha256: sha256(b), size: b.length },
    ]);
    expect(run.stdout).toContain('sealed model:default/m@1.0.0: 2 file(s)');
  });

  it.each([
    [
      'a file missing',
      (files: any[]) => files.filter(f => f.path !== 'b.json'),
      /sealed model:default\/m@1.0.0 without b.json/,
    ],
    [
      'a file from another publish',
      (files: any[]) => [...files, { ...files[0], path: 'z.bin' }],
      /with z.bin, which this publish did not send/,
    ],
    [
      'other content',
      (files: any[]) =>
        files.map(f =>
          f.path === 'a.bin' ? { ...f, sha256: sha256(Buffer.from('x')) } : f,
        ),
      /with a.bin as 12 bytes sha256:[0-9a-f]{64}, but it was 12 bytes/,
    ],
  ])(
    'fails with one line when the portal sealed %s',
    async (_, tamper, why) => {
      const run = await publishTo(tamper);
      expect(run.code).not.toBe(0);
      const line = run.stderr.trim().split('\n').pop()!;
      expect(line).toMatch(why);
      expect(run.stderr).not.toMatch(/\n\s+at /);
    },
  );
});
