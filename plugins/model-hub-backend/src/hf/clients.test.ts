import { execFile } from 'node:child_process';
import fs from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { promisify } from 'node:util';
import {
  downloadFile,
  downloadFileToCacheDir,
  listFiles,
  listModels,
  modelInfo,
} from '@huggingface/hub';
import { resolvePackagePath } from '@backstage/backend-plugin-api';
import {
  HF_ALICE,
  hfModel,
  HfTestBackend,
  startHfTestBackend,
} from '../__testUtils__/hfBackend';
import { sha256 } from '../__testUtils__/fixtures';

jest.setTimeout(180_000);

/** The tiny text classifier built by fixtures/hf-tiny-classifier/build.js. */
const MODEL_DIR = resolvePackagePath(
  '@internal/plugin-model-hub-backend',
  'fixtures/hf-tiny-classifier',
);
const FILES = [
  'config.json',
  'tokenizer.json',
  'tokenizer_config.json',
  'onnx/model.onnx',
];
const REPO = 'ml-team/tiny-sentiment';
const TRANSFORMERS_CLIENT = resolvePackagePath(
  '@internal/plugin-model-hub-backend',
  'src/__testUtils__/transformersClient.mjs',
);
const execFileAsync = promisify(execFile);

describe('real Hugging Face clients against the hub', () => {
  let hub: HfTestBackend;
  let token: string;
  let cacheDir: string;
  const bytes: Record<string, Buffer> = {};
  /** Every URL the clients fetched. */
  const fetched: string[] = [];

  /** fetch as the clients call it, recording the URL. */
  const recordingFetch: typeof fetch = (input, init) => {
    fetched.push(String(input instanceof Request ? input.url : input));
    return fetch(input, init);
  };

  beforeAll(async () => {
    for (const f of FILES)
      bytes[f] = await fs.readFile(path.join(MODEL_DIR, f));
    hub = await startHfTestBackend({
      entities: [hfModel('tiny-sentiment', { tags: ['demo'] })],
    });
    await hub.publish('model:default/tiny-sentiment', '1.0.0', bytes, [
      'latest',
    ]);
    token = await hub.hfToken(HF_ALICE);
    cacheDir = await fs.mkdtemp(path.join(os.tmpdir(), 'model-hub-hf-cache-'));
  });

  afterAll(async () => {
    await hub?.stop();
    if (cacheDir) await fs.rm(cacheDir, { recursive: true, force: true });
  });

  const common = () => ({
    hubUrl: hub.hubUrl,
    accessToken: token as `hf_${string}`,
    fetch: recordingFetch,
  });

  it('@huggingface/hub lists, describes and lists the files of the model', async () => {
    const models = [];
    for await (const m of listModels({
      ...common(),
      search: { owner: 'ml-team' },
    })) {
      models.push(m);
    }
    expect(models.map(m => m.name)).toEqual([REPO]);
    expect(models[0].task).toBe('text-classification');
    expect(models[0].private).toBe(true);

    const info = await modelInfo({
      ...common(),
      name: REPO,
      additionalFields: ['sha', 'cardData', 'filePaths', 'library_name'],
    });
    expect(info.name).toBe(REPO);
    expect(info.sha).toMatch(/^[0-9a-f]{40}$/);
    expect(info.filePaths.sort()).toEqual([...FILES].sort());
    expect(info.library_name).toBe('onnx');
    expect(info.updatedAt.getTime()).not.toBeNaN();

    const files = [];
    for await (const f of listFiles({
      ...common(),
      repo: REPO,
      recursive: true,
    })) {
      files.push(f);
    }
    expect(
      files
        .filter(f => f.type === 'file')
        .map(f => f.path)
        .sort(),
    ).toEqual([...FILES].sort());
    const onnx = files.find(f => f.path === 'onnx/model.onnx')!;
    expect(onnx.lfs?.oid).toBe(sha256(bytes['onnx/model.onnx']));
  });

  it('@huggingface/hub downloads a file, and into the HF cache layout by commit', async () => {
    const blob = await downloadFile({
      ...common(),
      repo: REPO,
      path: 'config.json',
    });
    expect(Buffer.from(await blob!.arrayBuffer())).toEqual(
      bytes['config.json'],
    );

    const { sha } = await modelInfo({
      ...common(),
      name: REPO,
      additionalFields: ['sha'],
    });
    const pointer = await downloadFileToCacheDir({
      ...common(),
      repo: REPO,
      path: 'onnx/model.onnx',
      revision: '1.0.0',
      cacheDir,
    });
    expect(pointer).toBe(
      path.join(
        cacheDir,
        'models--ml-team--tiny-sentiment',
        'snapshots',
        sha,
        'onnx',
        'model.onnx',
      ),
    );
    expect(await fs.readFile(pointer)).toEqual(bytes['onnx/model.onnx']);
    const blobPath = await fs.realpath(pointer);
    expect(path.basename(blobPath)).toBe(sha256(bytes['onnx/model.onnx']));

    const missing = await downloadFile({
      ...common(),
      repo: REPO,
      path: 'nope.bin',
    });
    expect(missing).toBeNull();
  });

  it('transformers.js loads the published classifier through the HF endpoints only and runs it', async () => {
    const { stdout } = await execFileAsync(
      process.execPath,
      [TRANSFORMERS_CLIENT, 'What a great movie', 'an awful, boring film'],
      {
        cwd: path.dirname(TRANSFORMERS_CLIENT),
        timeout: 120_000,
        env: {
          PATH: process.env.PATH,
          HUB_URL: hub.hubUrl,
          HF_REPO: REPO,
          MODEL_HUB_TOKEN: token,
          CACHE_DIR: path.join(cacheDir, 'transformers'),
        },
      },
    );
    const { results, urls } = JSON.parse(stdout.trim().split('\n').pop()!);
    expect(results.map((r: { label: string }) => r.label)).toEqual([
      'POSITIVE',
      'NEGATIVE',
    ]);
    expect(results[0].score).toBeCloseTo(0.8808, 3);
    // Offline: every request went to the hub's HF resolve route.
    expect(urls.length).toBeGreaterThan(0);
    expect(
      urls.every((u: string) =>
        u.startsWith(`${hub.hubUrl}/${REPO}/resolve/main/`),
      ),
    ).toBe(true);
    expect(hub.downloads.map(d => d.path)).toEqual(
      expect.arrayContaining([
        'config.json',
        'tokenizer.json',
        'onnx/model.onnx',
      ]),
    );
  });

  it('every request of the clients stayed on the hub', () => {
    expect(fetched.length).toBeGreaterThan(0);
    expect(fetched.every(u => u.startsWith(hub.hubUrl))).toBe(true);
  });
});
