import { createHash } from 'node:crypto';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import http from 'node:http';
import { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { runCli } from '../__testUtils__/runCli';

jest.setTimeout(60_000);

const MiB = 1024 * 1024;
const sha256 = (b: Buffer) => createHash('sha256').update(b).digest('hex');

/**
 * A stand-in portal speaking the multipart protocol: it checks each part
 * against its declared SHA-256 and length, keeps the parts across runs (as
 * the hub does), and can cut the connection when a given part arrives.
 */
function multipartPortal(size: number, partSize: number) {
  const parts = new Map<number, Buffer>();
  const sent: number[][] = [];
  let cutAtPart: number | undefined;
  let declared: { path: string; sha256: string; size: number } | undefined;
  const server = http.createServer((req, res) => {
    const url = req.url!;
    const reply = (status: number, json: unknown) => {
      res.writeHead(status, { 'content-type': 'application/json' });
      res.end(JSON.stringify(json));
    };
    const part = /\/uploads\/u1\/parts\/(\d+)$/.exec(url);
    if (req.method === 'PUT' && part) {
      const n = Number(part[1]);
      sent[sent.length - 1].push(n);
      if (n === cutAtPart) {
        cutAtPart = undefined;
        req.once('data', () => req.socket.destroy());
        return;
      }
    }
    const chunks: Buffer[] = [];
    req.on('data', c => chunks.push(c));
    req.on('end', () => {
      const body = Buffer.concat(chunks);
      const file = () => ({
        ...declared,
        format: 'unknown',
        scan: { verdict: 'unsupported', findings: [] },
      });
      const version = (state: string) => ({
        entityRef: 'model:default/m',
        version: '1.0.0',
        state,
        files: state === 'sealed' ? [file()] : [],
        aliases: [],
        scanVerdict: 'unsupported',
      });
      if (url.endsWith('/v1/blobs/exists')) {
        reply(200, { present: [] });
      } else if (req.method === 'POST' && url.endsWith('/versions')) {
        sent.push([]);
        [declared] = JSON.parse(body.toString()).files;
        reply(201, version('draft'));
      } else if (url.endsWith('/uploads')) {
        const start = JSON.parse(body.toString());
        // The CLI offers to PUT parts to S3; this hub does not take it up.
        expect(start).toEqual({ ...declared, partSize, direct: true });
        reply(201, {
          uploadId: 'u1',
          partCount: Math.ceil(size / partSize),
          parts: [...parts].map(([number, b]) => ({
            number,
            size: b.length,
            sha256: sha256(b),
          })),
        });
      } else if (part) {
        const n = Number(part[1]);
        if (
          req.headers['x-model-hub-sha256'] !== sha256(body) ||
          Number(req.headers['content-length']) !== body.length
        ) {
          reply(400, { error: { message: `part ${n} does not match` } });
          return;
        }
        parts.set(n, body);
        reply(201, { number: n, size: body.length, sha256: sha256(body) });
      } else if (url.endsWith('/uploads/u1/complete')) {
        const whole = Buffer.concat(
          [...parts.keys()].sort((a, b) => a - b).map(n => parts.get(n)!),
        );
        expect(sha256(whole)).toBe(declared!.sha256);
        reply(201, file());
      } else if (url.endsWith('/seal')) {
        reply(200, version('sealed'));
      } else {
        reply(404, { error: { message: `no route ${url}` } });
      }
    });
  });
  return {
    server,
    parts,
    sent,
    cutAt(n: number) {
      cutAtPart = n;
    },
  };
}

describe('model-hub publish of a large file (real process)', () => {
  it('sends resumable hashed parts, and a re-run after a cut sends only the missing ones', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'model-hub-multipart-'));
    const bytes = Buffer.alloc(4 * 5 * MiB + 12345);
    for (let i = 0; i < bytes.length; i += 4099) bytes[i] = i % 253;
    writeFileSync(join(dir, 'model.bin'), bytes);
    const portal = multipartPortal(bytes.length, 5 * MiB);
    await new Promise<void>(r => portal.server.listen(0, '127.0.0.1', r));
    const { port } = portal.server.address() as AddressInfo;
    const args = [
      'publish',
      dir,
      '--model',
      'model:default/m',
      '--version',
      '1.0.0',
      '--part-size',
      '5',
      '--portal',
      `http://127.0.0.1:${port}`,
    ];
    try {
      portal.cutAt(3);
      const first = await runCli([...args, '--parallel', '1']);
      expect(first.code).toBe(1);
      expect(first.stderr.trim().split('\n')).toHaveLength(1);
      expect(first.stderr).toMatch(
        /upload was interrupted, run the same command again to resume it/,
      );
      expect([...portal.parts.keys()].sort()).toEqual([1, 2]);

      const second = await runCli([...args, '--parallel', '3']);
      expect(second.code).toBe(0);
      expect(portal.sent[0]).toEqual([1, 2, 3]);
      expect(portal.sent[1].sort()).toEqual([3, 4, 5]);
      expect(second.stdout).toContain('sealed model:default/m@1.0.0');
    } finally {
      portal.server.close();
      rmSync(dir, { recursive: true, force: true });
    }
  });
});
