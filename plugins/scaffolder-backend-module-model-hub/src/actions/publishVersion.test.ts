import fs from 'node:fs/promises';
import path from 'node:path';
import { catalogServiceMock } from '@backstage/plugin-catalog-node/testUtils';
import {
  actionContext,
  ALICE,
  BOB,
  dataUrl,
  EXAMPLE_DIR,
  fakeUrlReader,
  FLAKY_URL,
  sha256,
  startTestHub,
  testEntities,
  TestHub,
} from '../__testUtils__/hub';
import { createPublishModelVersionAction } from './publishVersion';

jest.setTimeout(60_000);

const MODEL = 'model:default/sentiment-classifier';

describe('model-hub:publish-version against the real hub', () => {
  let hub: TestHub;
  let onnx: Buffer;
  let benchmark: Buffer;
  let action: ReturnType<typeof createPublishModelVersionAction>;
  const readme = Buffer.from('# Sentiment classifier\n\nBinary sentiment.\n');

  beforeAll(async () => {
    onnx = await fs.readFile(path.join(EXAMPLE_DIR, 'model.onnx'));
    benchmark = await fs.readFile(path.join(EXAMPLE_DIR, 'benchmark.csv'));
    hub = await startTestHub({ maxUploadBytes: 64 * 1024 });
    action = createPublishModelVersionAction({
      client: hub.client,
      catalog: catalogServiceMock({ entities: testEntities }),
      urlReader: fakeUrlReader({
        'https://files.example.com/models/sentiment/model.onnx': onnx,
        'https://files.example.com/models/sentiment/benchmark.csv': benchmark,
        'https://files.example.com/big.bin': Buffer.alloc(100 * 1024, 7),
      }),
      gauntletPollIntervalMs: 100,
    });
  });

  afterAll(async () => {
    await hub?.stop();
  });

  it('publishes URL and uploaded files as a sealed version, sets aliases and reports the gauntlet', async () => {
    const ctx = actionContext({
      model: MODEL,
      version: '1.0.0',
      description: 'First release',
      artifacts: [
        'https://files.example.com/models/sentiment/model.onnx',
        {
          url: dataUrl('README.md', readme, 'text/markdown'),
          path: 'docs/README.md',
        },
      ],
      evaluationPredictions:
        'https://files.example.com/models/sentiment/benchmark.csv',
      aliases: ['latest', 'champion'],
      waitForGauntletSeconds: 30,
    });
    await action.handler(ctx as any);

    const out = ctx.outputs;
    expect(out).toMatchObject({
      entityRef: MODEL,
      version: '1.0.0',
      pullCommand: `model-hub pull ${MODEL}@1.0.0`,
      modelPath: '/catalog/default/model/sentiment-classifier',
      versionsPath: '/catalog/default/model/sentiment-classifier/versions',
      gauntletPath: '/catalog/default/model/sentiment-classifier/gauntlet',
    });
    expect(out.files).toEqual(
      expect.arrayContaining([
        {
          path: 'model.onnx',
          size: onnx.length,
          sha256: sha256(onnx),
          scanVerdict: 'safe',
        },
        {
          path: 'docs/README.md',
          size: readme.length,
          sha256: sha256(readme),
          scanVerdict: expect.any(String),
        },
        {
          path: 'benchmark.csv',
          size: benchmark.length,
          sha256: sha256(benchmark),
          scanVerdict: expect.any(String),
        },
      ]),
    );
    expect((out.files as unknown[]).length).toBe(3);
    // The gauntlet finished for this version within the wait: the real
    // example model with its benchmark earns the community tier it asks for.
    expect(out).toMatchObject({
      gauntletStatus: 'passed',
      effectiveTier: 'community',
      gauntletReason: 'community gate passed for version 1.0.0',
    });

    // The hub really holds the bytes, sealed, with the aliases, created by alice.
    const credentials = { credentials: await ctx.getInitiatorCredentials() };
    const stored = await hub.client.getVersion(MODEL, '1.0.0', credentials);
    expect(stored).toMatchObject({
      state: 'sealed',
      createdBy: ALICE,
      description: 'First release',
    });
    expect(stored!.aliases.sort()).toEqual(['champion', 'latest']);
    expect(out.scanVerdict).toBe(stored!.scanVerdict);
    expect(sha256(await hub.download(MODEL, '1.0.0', 'model.onnx'))).toBe(
      sha256(onnx),
    );
    expect(await hub.download(MODEL, '1.0.0', 'docs/README.md')).toEqual(
      readme,
    );
    expect(sha256(await hub.download(MODEL, 'champion', 'benchmark.csv'))).toBe(
      sha256(benchmark),
    );
    const gauntlet = await hub.client.getGauntlet(MODEL, credentials);
    expect(gauntlet.activeRuns).toEqual([]);
    expect(gauntlet.version).toBe('1.0.0');
    expect(out.gauntletStatus).toBe(gauntlet.status);
  });

  it('does not publish twice when a resumed task replays the step', async () => {
    const checkpoints = new Map<string, unknown>();
    const input = {
      model: MODEL,
      version: '1.1.0',
      artifacts: [dataUrl('model.onnx', onnx)],
      waitForGauntletSeconds: 0,
    };
    const first = actionContext(input, { checkpoints });
    await action.handler(first as any);
    const replay = actionContext(input, { checkpoints });
    await action.handler(replay as any);
    expect(replay.outputs).toEqual(first.outputs);
    expect(replay.outputs).toMatchObject({ version: '1.1.0' });

    // Without the task's checkpoints it is a second publish, and refused.
    await expect(action.handler(actionContext(input) as any)).rejects.toThrow(
      'version 1.1.0 of model:default/sentiment-classifier is already published',
    );
  });

  it('refuses to publish a version that is already published', async () => {
    const ctx = actionContext({
      model: MODEL,
      version: '1.0.0',
      artifacts: ['https://files.example.com/models/sentiment/model.onnx'],
    });
    await expect(action.handler(ctx as any)).rejects.toThrow(
      'version 1.0.0 of model:default/sentiment-classifier is already published; publish a new version',
    );
    expect(ctx.output).not.toHaveBeenCalled();
  });

  it('fails clearly for an unknown model', async () => {
    const ctx = actionContext({
      model: 'model:default/does-not-exist',
      version: '1.0.0',
      artifacts: ['https://files.example.com/models/sentiment/model.onnx'],
    });
    await expect(action.handler(ctx as any)).rejects.toThrow(
      /Model model:default\/does-not-exist is not in the catalog/,
    );
  });

  it('waits a while for a model registered with the hub to reach the catalog, then says so', async () => {
    const credentials = await actionContext({}).getInitiatorCredentials();
    await hub.client.registerModel(
      {
        apiVersion: 'modelhub.io/v1alpha1',
        kind: 'Model',
        metadata: { name: 'fresh-model', namespace: 'default' },
        spec: {
          type: 'classifier',
          task: 'text-classification',
          owner: 'group:default/marketing',
          steward: 'user:default/alice',
          lifecycle: 'experimental',
          tier: 'community',
          license: 'MIT',
        },
      },
      { credentials },
    );
    const catalog = catalogServiceMock({ entities: testEntities });
    const lookups = jest.spyOn(catalog, 'getEntityByRef');
    const impatient = createPublishModelVersionAction({
      client: hub.client,
      catalog,
      urlReader: fakeUrlReader({}),
      gauntletPollIntervalMs: 50,
      catalogWaitMs: 300,
    });
    const ctx = actionContext({
      model: 'fresh-model',
      version: '1.0.0',
      artifacts: [dataUrl('model.onnx', onnx)],
    });
    await expect(impatient.handler(ctx as any)).rejects.toThrow(
      'Model model:default/fresh-model is registered with the hub but the catalog does not show it yet; run the template again in a minute',
    );
    expect(lookups.mock.calls.length).toBeGreaterThan(2);
  });

  it('names the URL and the reason when the url reader may not read it, and seals nothing', async () => {
    const ctx = actionContext({
      model: MODEL,
      version: '2.0.0',
      artifacts: ['https://evil.example.org/model.onnx'],
      waitForGauntletSeconds: 0,
    });
    await expect(action.handler(ctx as any)).rejects.toThrow(
      "Could not read artifact https://evil.example.org/model.onnx: Reading from 'https://evil.example.org/model.onnx' is not allowed",
    );
    const stored = await hub.client.getVersion(MODEL, '2.0.0', {
      credentials: await ctx.getInitiatorCredentials(),
    });
    expect(stored?.state).toBe('draft');
  });

  it('completes the draft a failed attempt left behind when run again', async () => {
    const ctx = actionContext({
      model: MODEL,
      version: '2.0.0',
      artifacts: [
        { url: 'https://files.example.com/models/sentiment/model.onnx' },
      ],
      waitForGauntletSeconds: 0,
    });
    await action.handler(ctx as any);
    expect(ctx.outputs).toMatchObject({ version: '2.0.0' });
    expect(['pending', 'passed', 'failed']).toContain(
      ctx.outputs.gauntletStatus,
    );
    const stored = await hub.client.getVersion(MODEL, '2.0.0', {
      credentials: await ctx.getInitiatorCredentials(),
    });
    expect(stored?.state).toBe('sealed');
    expect(stored?.files.map(f => f.path)).toEqual(['model.onnx']);
  });

  it('names the URL when the download breaks off half-way, and leaves the version unsealed', async () => {
    const ctx = actionContext({
      model: MODEL,
      version: '7.0.0',
      artifacts: [FLAKY_URL],
    });
    await expect(action.handler(ctx as any)).rejects.toThrow(
      `Could not read artifact ${FLAKY_URL}: connection reset by peer; version 7.0.0 stays an unsealed draft`,
    );
    const stored = await hub.client.getVersion(MODEL, '7.0.0', {
      credentials: await ctx.getInitiatorCredentials(),
    });
    expect(stored).toMatchObject({ state: 'draft', files: [] });
  });

  it('refuses to seal a draft holding files this publish would not replace', async () => {
    const call = {
      credentials: await actionContext({}).getInitiatorCredentials(),
    };
    await hub.client.createVersion(MODEL, { version: '6.0.0' }, call);
    await hub.client.uploadFile(
      MODEL,
      '6.0.0',
      'stale.bin',
      Buffer.from('old'),
      call,
    );
    const ctx = actionContext({
      model: MODEL,
      version: '6.0.0',
      artifacts: ['https://files.example.com/models/sentiment/model.onnx'],
    });
    await expect(action.handler(ctx as any)).rejects.toThrow(
      'version 6.0.0 of model:default/sentiment-classifier is a draft left by an earlier attempt holding files this publish does not replace (stale.bin)',
    );
    expect((await hub.client.getVersion(MODEL, '6.0.0', call))?.state).toBe(
      'draft',
    );
  });

  it('names the URL when it does not exist', async () => {
    const ctx = actionContext({
      model: MODEL,
      version: '2.1.0',
      artifacts: ['https://files.example.com/missing/model.onnx'],
    });
    await expect(action.handler(ctx as any)).rejects.toThrow(
      'Could not read artifact https://files.example.com/missing/model.onnx: could not read https://files.example.com/missing/model.onnx, 404 Not Found',
    );
  });

  it('rejects a malformed data URL before creating anything', async () => {
    const ctx = actionContext({
      model: MODEL,
      version: '3.0.0',
      artifacts: [
        'data:application/octet-stream;name=model.bin;base64,@@not-base64@@',
      ],
    });
    await expect(action.handler(ctx as any)).rejects.toThrow(
      'artifacts[0] is not a valid data URL: its base64 data is malformed',
    );
    expect(
      await hub.client.getVersion(MODEL, '3.0.0', {
        credentials: await ctx.getInitiatorCredentials(),
      }),
    ).toBeUndefined();
  });

  it('rejects two artifacts stored at the same path', async () => {
    const ctx = actionContext({
      model: MODEL,
      version: '3.0.0',
      artifacts: [
        'https://files.example.com/models/sentiment/model.onnx',
        { url: dataUrl('other.onnx', onnx), path: 'model.onnx' },
      ],
    });
    await expect(action.handler(ctx as any)).rejects.toThrow(
      /Two artifacts would be stored at the same path "model.onnx"/,
    );
  });

  it('rejects evaluation predictions for a model that declares no evaluation file', async () => {
    const ctx = actionContext({
      model: 'no-evaluation',
      version: '1.0.0',
      artifacts: ['https://files.example.com/models/sentiment/model.onnx'],
      evaluationPredictions:
        'https://files.example.com/models/sentiment/benchmark.csv',
    });
    await expect(action.handler(ctx as any)).rejects.toThrow(
      'model:default/no-evaluation declares no spec.evaluation.file',
    );
  });

  it('requires at least one artifact', async () => {
    const ctx = actionContext({
      model: MODEL,
      version: '3.0.0',
      artifacts: [],
    });
    await expect(action.handler(ctx as any)).rejects.toThrow(
      'Nothing to publish: give at least one artifact',
    );
  });

  it("keeps the hub's message when a file is larger than the hub accepts", async () => {
    const ctx = actionContext({
      model: MODEL,
      version: '4.0.0',
      artifacts: ['https://files.example.com/big.bin'],
    });
    await expect(action.handler(ctx as any)).rejects.toThrow(
      /^Could not upload big\.bin to version 4\.0\.0 of model:default\/sentiment-classifier: .*maxUploadBytes/,
    );
  });

  it('publishes on behalf of the user, so the hub refuses a user who does not own the model', async () => {
    const ctx = actionContext(
      {
        model: MODEL,
        version: '5.0.0',
        artifacts: [dataUrl('model.onnx', onnx)],
      },
      { user: BOB },
    );
    await expect(action.handler(ctx as any)).rejects.toThrow(
      /^Could not create version 5\.0\.0 of model:default\/sentiment-classifier: Not allowed/,
    );
  });
});
