import { createHash } from 'node:crypto';
import { Readable } from 'node:stream';
import { setFlagsFromString } from 'node:v8';
import { runInNewContext } from 'node:vm';
import { mockServices } from '@backstage/backend-test-utils';
import { catalogServiceMock } from '@backstage/plugin-catalog-node/testUtils';
import {
  actionContext,
  startTestHub,
  testEntities,
  TestHub,
} from '../__testUtils__/hub';
import { createPublishModelVersionAction } from './publishVersion';

jest.setTimeout(180_000);

const MODEL = 'model:default/sentiment-classifier';
const MiB = 1024 * 1024;
const SIZE = 300 * MiB + 321;
const URL_BIG = 'https://files.example.com/llm/model.safetensors';
const URL_COPY = 'https://files.example.com/llm/copy-of-model.safetensors';

/** 1 MiB chunks of deterministic, incompressible-looking bytes, made lazily. */
function generated(size: number): Readable {
  let offset = 0;
  return new Readable({
    read() {
      if (offset >= size) {
        this.push(null);
        return;
      }
      const n = Math.min(MiB, size - offset);
      const chunk = Buffer.allocUnsafe(n);
      const seed = createHash('sha256').update(String(offset)).digest();
      for (let i = 0; i < n; i += 32)
        seed.copy(chunk, i, 0, Math.min(32, n - i));
      offset += n;
      this.push(chunk);
    },
  });
}

async function sha256Of(stream: Readable): Promise<string> {
  const hash = createHash('sha256');
  for await (const chunk of stream) hash.update(chunk as Buffer);
  return hash.digest('hex');
}

/**
 * A full garbage collection. Jest does not start Node with `--expose-gc`, so
 * the flag is set at run time and `gc` taken from a fresh context.
 */
function collector(): () => void {
  setFlagsFromString('--expose-gc');
  return runInNewContext('gc');
}

/**
 * Samples this process's Buffer memory every 10 ms while `fn` runs and
 * returns the peak growth of what it *holds*. A sample at or above
 * `collectAbove` may be garbage from parts already sent (CI once saw 168 MiB
 * of it), so it counts only after a full collection, at most one a second:
 * collecting on every sample starved the upload on CI, whose workers carry
 * large heaps. A buffered artifact stays held for the seconds the upload
 * takes, so a collection finds it.
 */
async function peakHeldBufferGrowth(
  fn: () => Promise<void>,
  collectAbove: number,
): Promise<number> {
  const gc = collector();
  gc();
  const base = process.memoryUsage().arrayBuffers;
  let peak = 0;
  let lastCollection = 0;
  const timer = setInterval(() => {
    let growth = process.memoryUsage().arrayBuffers - base;
    if (growth >= collectAbove) {
      if (Date.now() - lastCollection < 1000) return;
      gc();
      lastCollection = Date.now();
      growth = process.memoryUsage().arrayBuffers - base;
    }
    peak = Math.max(peak, growth);
  }, 10);
  try {
    await fn();
  } finally {
    clearInterval(timer);
  }
  return peak;
}

describe('model-hub:publish-version with artifacts larger than its memory', () => {
  let hub: TestHub;
  let action: ReturnType<typeof createPublishModelVersionAction>;
  let expected: string;

  beforeAll(async () => {
    hub = await startTestHub({ maxUploadBytes: 400 * MiB });
    expected = await sha256Of(generated(SIZE));
    action = createPublishModelVersionAction({
      client: hub.client,
      catalog: catalogServiceMock({ entities: testEntities }),
      urlReader: mockServices.urlReader.mock({
        async readUrl(url: string) {
          if (url !== URL_BIG && url !== URL_COPY) throw new Error(url);
          return {
            buffer: async () => {
              throw new Error('the action must stream, not buffer');
            },
            stream: () => generated(SIZE),
          };
        },
      }),
      gauntletPollIntervalMs: 100,
    });
  });

  afterAll(async () => {
    await hub?.stop();
  });

  // A failed expectation must not leave a spy counting the next test's calls.
  afterEach(() => jest.restoreAllMocks());

  it('streams a 300 MB artifact in hashed parts, holding far less than the file in memory', async () => {
    const parts = jest.spyOn(hub.client, 'transport');
    const ctx = actionContext({
      model: MODEL,
      version: '30.0.0',
      artifacts: [URL_BIG],
    });
    const growth = await peakHeldBufferGrowth(
      () => action.handler(ctx as any),
      64 * MiB,
    );
    expect(ctx.outputs.files).toEqual([
      expect.objectContaining({
        path: 'model.safetensors',
        size: SIZE,
        sha256: expected,
      }),
    ]);
    // The action, the hub and the HTTP stack all run in this process: 4 parts
    // of 8 MiB in flight on each side, plus their sockets' buffers. A buffered
    // artifact alone would hold 300 MiB.
    expect(growth).toBeLessThan(100 * MiB);
    expect(parts).toHaveBeenCalled();
  });

  it('adds content the hub already holds by reference, sending none of its bytes', async () => {
    const byContent = jest.spyOn(hub.client, 'addFileByContent');
    const sent = jest.spyOn(hub.client, 'transport');
    const ctx = actionContext({
      model: MODEL,
      version: '30.1.0',
      artifacts: [URL_COPY],
    });
    await action.handler(ctx as any);
    expect(byContent).toHaveBeenCalledTimes(1);
    expect(sent).not.toHaveBeenCalled();
    expect(ctx.outputs.files).toEqual([
      expect.objectContaining({
        path: 'copy-of-model.safetensors',
        size: SIZE,
        sha256: expected,
      }),
    ]);
  });
});
