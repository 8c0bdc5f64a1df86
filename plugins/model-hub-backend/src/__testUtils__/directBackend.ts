import path from 'node:path';
import { AddressInfo } from 'node:net';
import { mockServices, startTestBackend } from '@backstage/backend-test-utils';
import { startRecordingProxy } from './recordingProxy';
import { TestS3Server } from './s3';
import { transfersTestFeatures } from './transfersBackend';

/** The smallest part size of {@link startDirectBackend}'s hub. */
export const DIRECT_MIN_PART = 1024;

/**
 * A test backend storing artifacts in `s3` with direct transfers on, behind
 * a request log (`hubLog`, base URL `hub`); S3 is reached through another
 * request log (`s3Log`), so a test sees which bytes went where.
 */
export async function startDirectBackend(
  s3: TestS3Server,
  dataDir: string,
  options: { direct?: object; transfers?: object; extra?: any[] } = {},
) {
  const s3Log = await startRecordingProxy(s3.endpoint);
  const backend = await startTestBackend({
    features: [
      ...transfersTestFeatures(),
      ...(options.extra ?? []),
      mockServices.rootConfig.factory({
        data: {
          permission: { enabled: true },
          modelHub: {
            artifacts: {
              maxUploadBytes: 16 * 1024 * 1024,
              stagingDirectory: path.join(dataDir, 'staging'),
              s3: {
                bucket: s3.bucket,
                endpoint: s3Log.url,
                forcePathStyle: true,
                ...s3.credentials,
                directTransfers: { enabled: true, ...options.direct },
              },
            },
            transfers: {
              minPartBytes: DIRECT_MIN_PART,
              maxPartBytes: 8 * 1024 * 1024,
              ...options.transfers,
            },
          },
        },
      }),
    ],
  });
  const { port } = backend.server.address() as AddressInfo;
  const hubLog = await startRecordingProxy(`http://127.0.0.1:${port}`);
  return { hub: hubLog.url, hubLog, s3Log, backend };
}
