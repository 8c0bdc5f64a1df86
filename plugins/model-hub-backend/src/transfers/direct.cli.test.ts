import { execFile } from 'node:child_process';
import fs from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { mockCredentials } from '@backstage/backend-test-utils';
import { artifactKey } from '../artifacts/ArtifactStore';
import { startDirectBackend } from '../__testUtils__/directBackend';
import { safetensors, sha256 } from '../__testUtils__/fixtures';
import { RecordingProxy } from '../__testUtils__/recordingProxy';
import { startTestS3Server, TestS3Server } from '../__testUtils__/s3';
import { ALICE, MODEL_REF } from '../__testUtils__/transfersBackend';

jest.setTimeout(180_000);

/** The real `model-hub` CLI of this repository, run as a process. */
const CLI = path.resolve(__dirname, '../../../../packages/cli/bin/model-hub');
const MiB = 1024 * 1024;

describe('model-hub publish and pull with direct S3 transfers (the real CLI, through the shared transfer module)', () => {
  let s3: TestS3Server;
  let tmp: string;
  let hub: string;
  let hubLog: RecordingProxy;
  let s3Log: RecordingProxy;
  let stopBackend: () => Promise<void>;

  beforeAll(async () => {
    s3 = await startTestS3Server();
    tmp = await fs.mkdtemp(path.join(os.tmpdir(), 'model-hub-direct-cli-'));
    const started = await startDirectBackend(s3, path.join(tmp, 'hub'));
    ({ hub, hubLog, s3Log } = started);
    stopBackend = () => started.backend.stop();
  });

  afterAll(async () => {
    await stopBackend();
    await hubLog.close();
    await s3Log.close();
    await s3.stop();
    await fs.rm(tmp, { recursive: true, force: true });
  });

  function cli(args: string[]) {
    return new Promise<{ code: number; stdout: string; stderr: string }>(
      resolve => {
        execFile(
          process.execPath,
          [CLI, ...args],
          {
            timeout: 120_000,
            env: {
              ...process.env,
              HOME: tmp,
              MODEL_HUB_PORTAL_URL: hub,
              MODEL_HUB_TOKEN: mockCredentials.user.token(ALICE),
            },
          },
          (error, stdout, stderr) =>
            resolve({
              code: error ? Number(error.code ?? 1) : 0,
              stdout,
              stderr,
            }),
        );
      },
    );
  }

  it('sends the parts of a large file straight to S3, pulls it from S3, and resumes a pull with Range', async () => {
    // A valid safetensors file of ~2.3 MiB (three 1 MiB parts), so the scan passes.
    const big = safetensors(
      Array.from({ length: 600_000 }, (_, i) => Math.sin(i)),
    );
    const dir = path.join(tmp, 'model');
    await fs.mkdir(dir, { recursive: true });
    await fs.writeFile(path.join(dir, 'model.safetensors'), big);
    await fs.writeFile(path.join(dir, 'config.json'), '{"layers":2}');

    const hubBefore = hubLog.requests.length;
    const published = await cli([
      'publish',
      dir,
      '--model',
      MODEL_REF,
      '--version',
      '1.0.0',
      '--part-size',
      '1',
      '--json',
    ]);
    expect(published.stderr).toBe('');
    expect(published.code).toBe(0);
    expect(JSON.parse(published.stdout).files).toEqual(
      expect.arrayContaining([
        expect.objectContaining({
          path: 'model.safetensors',
          sha256: sha256(big),
          outcome: 'uploaded',
        }),
      ]),
    );
    // The large file never passed through the hub: no part PUTs, and all
    // request bodies together are a sliver of it (JSON and config.json).
    const toHub = hubLog.requests.slice(hubBefore);
    expect(
      toHub.filter(r => r.method === 'PUT' && r.url.includes('/uploads/')),
    ).toEqual([]);
    expect(toHub.reduce((n, r) => n + r.bodyBytes, 0)).toBeLessThan(64 * 1024);
    const partPuts = s3Log.requests.filter(
      r => r.method === 'PUT' && r.url.includes('partNumber='),
    );
    expect(partPuts.map(r => r.bodyBytes).sort((a, b) => a - b)).toEqual([
      big.length - 2 * MiB,
      MiB,
      MiB,
    ]);

    // Pull: the bytes come from S3 through the presigned redirect.
    const out = path.join(tmp, 'out');
    const pulled = await cli([
      'pull',
      `${MODEL_REF}@1.0.0`,
      '--output',
      out,
      '--json',
    ]);
    expect(pulled.stderr).not.toMatch(/refused|cannot|failure/i);
    expect(pulled.code).toBe(0);
    expect(sha256(await fs.readFile(path.join(out, 'model.safetensors')))).toBe(
      sha256(big),
    );
    const contentGets = () =>
      s3Log.requests.filter(
        r =>
          r.method === 'GET' &&
          r.url.split('?')[0] === `/${s3.bucket}/${artifactKey(sha256(big))}`,
      );
    expect(contentGets().map(r => r.status)).toEqual([200]);

    // An interrupted pull resumes from its .part with a Range sent to S3.
    const again = path.join(tmp, 'again');
    await fs.mkdir(again, { recursive: true });
    await fs.writeFile(
      path.join(again, 'model.safetensors.part'),
      big.subarray(0, MiB),
    );
    const resumed = await cli([
      'pull',
      `${MODEL_REF}@1.0.0`,
      '--output',
      again,
    ]);
    expect(resumed.code).toBe(0);
    expect(resumed.stdout).toContain('resumed at');
    expect(contentGets().slice(1)).toEqual([
      expect.objectContaining({ status: 206, range: `bytes=${MiB}-` }),
    ]);
    expect(
      sha256(await fs.readFile(path.join(again, 'model.safetensors'))),
    ).toBe(sha256(big));
  });
});
