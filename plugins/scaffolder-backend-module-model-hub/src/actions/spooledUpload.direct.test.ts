import { createHash } from 'node:crypto';
import { Readable } from 'node:stream';
import { mockServices } from '@backstage/backend-test-utils';
import { catalogServiceMock } from '@backstage/plugin-catalog-node/testUtils';
// Tests only: a real S3-protocol server and request logs from the hub's test utilities.
// eslint-disable-next-line @backstage/no-mixed-plugin-imports, @backstage/no-forbidden-package-imports
import {
  RecordingProxy,
  startRecordingProxy,
} from '@internal/plugin-model-hub-backend/src/__testUtils__/recordingProxy';
// eslint-disable-next-line @backstage/no-mixed-plugin-imports, @backstage/no-forbidden-package-imports
import {
  startTestS3Server,
  TestS3Server,
} from '@internal/plugin-model-hub-backend/src/__testUtils__/s3';
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
/** Three automatic (8 MiB) parts, the last one short. */
const SIZE = 20 * MiB + 123;
const URL_BIG = 'https://files.example.com/llm/adapter.safetensors';

/** Deterministic bytes, 1 MiB chunks. */
function bytes(size: number): Buffer {
  const out = Buffer.allocUnsafe(size);
  for (let i = 0; i < size; i += 32) {
    createHash('sha256')
      .update(String(i))
      .digest()
      .copy(out, i, 0, Math.min(32, size - i));
  }
  return out;
}

describe('model-hub:publish-version on a hub that stores artifacts in S3 with direct transfers', () => {
  let s3: TestS3Server;
  let s3Log: RecordingProxy;
  let hubLog: RecordingProxy | undefined;
  let hub: TestHub;
  const content = bytes(SIZE);
  const expected = createHash('sha256').update(content).digest('hex');

  beforeAll(async () => {
    s3 = await startTestS3Server('scaffolder-direct');
    s3Log = await startRecordingProxy(s3.endpoint);
    hub = await startTestHub({
      maxUploadBytes: 64 * MiB,
      s3: {
        bucket: s3.bucket,
        endpoint: s3Log.url,
        forcePathStyle: true,
        ...s3.credentials,
        directTransfers: { enabled: true },
      },
      through: async origin => {
        hubLog = await startRecordingProxy(origin);
        return hubLog.url;
      },
    });
  });

  afterAll(async () => {
    await hub?.stop();
    await hubLog?.close();
    await s3Log?.close();
    await s3?.stop();
  });

  it('sends the parts of a large artifact straight to S3, and the hub verifies and serves them', async () => {
    const action = createPublishModelVersionAction({
      client: hub.client,
      catalog: catalogServiceMock({ entities: testEntities }),
      urlReader: mockServices.urlReader.mock({
        async readUrl(url: string) {
          if (url !== URL_BIG) throw new Error(url);
          return {
            buffer: async () => {
              throw new Error('the action must stream, not buffer');
            },
            stream: () =>
              Readable.from(
                Array.from({ length: Math.ceil(SIZE / MiB) }, (_, i) =>
                  content.subarray(i * MiB, (i + 1) * MiB),
                ),
              ),
          };
        },
      }),
      gauntletPollIntervalMs: 100,
    });
    const hubBefore = hubLog!.requests.length;
    const ctx = actionContext({
      model: MODEL,
      version: '40.0.0',
      artifacts: [URL_BIG],
    });
    await action.handler(ctx as any);
    expect(ctx.outputs.files).toEqual([
      expect.objectContaining({
        path: 'adapter.safetensors',
        size: SIZE,
        sha256: expected,
      }),
    ]);

    // The bytes went to S3 in three part PUTs; the hub saw only JSON.
    const partPuts = s3Log.requests.filter(
      r => r.method === 'PUT' && r.url.includes('partNumber='),
    );
    expect(partPuts.map(r => r.bodyBytes).sort((a, b) => a - b)).toEqual([
      SIZE - 16 * MiB,
      8 * MiB,
      8 * MiB,
    ]);
    const toHub = hubLog!.requests.slice(hubBefore);
    expect(
      toHub.filter(r => r.method === 'PUT' && r.url.includes('/uploads/')),
    ).toEqual([]);
    expect(toHub.reduce((n, r) => n + r.bodyBytes, 0)).toBeLessThan(64 * 1024);
    expect(
      toHub.filter(r => r.method === 'POST' && r.url.endsWith('/direct-parts')),
    ).toHaveLength(3);

    // The hub sealed what it verified: the stored file is the artifact.
    const stored = await hub.download(MODEL, '40.0.0', 'adapter.safetensors');
    expect(createHash('sha256').update(stored).digest('hex')).toBe(expected);
  });
});
