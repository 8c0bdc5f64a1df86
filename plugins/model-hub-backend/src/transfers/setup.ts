import path from 'node:path';
import {
  DatabaseService,
  HttpAuthService,
  LoggerService,
  PermissionsService,
  RootConfigService,
  SchedulerService,
} from '@backstage/backend-plugin-api';
import { CatalogService } from '@backstage/plugin-catalog-node';
import { durationToMilliseconds } from '@backstage/types';
import { S3DirectTransfers } from '../artifacts/S3DirectTransfers';
import { ModelVersionService } from '../versions/ModelVersionService';
import { VersionStore } from '../versions/VersionStore';
import { readTransfersConfig } from './config';
import { ContentIndex } from './ContentIndex';
import { DirectUploads } from './DirectUploads';
import { MultipartUploads } from './MultipartUploads';
import { MultipartUploadStore } from './MultipartUploadStore';
import { createTransfersRouter } from './router';

/** The scheduler task id of the abandoned-upload collection. */
export const COLLECT_UPLOADS_TASK_ID = 'model-hub-collect-abandoned-uploads';

/**
 * Wires multipart uploads and dedupe: their store, the routes, and the
 * scheduled collection of abandoned uploads (one replica at a time).
 */
export async function setupTransfers(options: {
  config: RootConfigService;
  database: DatabaseService;
  scheduler: SchedulerService;
  logger: LoggerService;
  httpAuth: HttpAuthService;
  permissions: PermissionsService;
  catalog: CatalogService;
  versions: ModelVersionService;
  versionStore: VersionStore;
  stagingDirectory: string;
  maxUploadBytes: number;
  /** Direct S3 transfers, when `modelHub.artifacts.s3.directTransfers` is on. */
  directTransfers?: S3DirectTransfers;
}) {
  const settings = readTransfersConfig(options.config);
  const store = await MultipartUploadStore.create({
    database: options.database,
  });
  const uploads = new MultipartUploads({
    store,
    versions: options.versions,
    partsDirectory: path.join(options.stagingDirectory, 'parts'),
    limits: {
      maxFileBytes: options.maxUploadBytes,
      minPartBytes: settings.minPartBytes,
      maxPartBytes: settings.maxPartBytes,
    },
    logger: options.logger,
    direct:
      options.directTransfers &&
      new DirectUploads({
        s3: options.directTransfers,
        store,
        versions: options.versions,
        logger: options.logger,
      }),
  });
  const abandonedMs = durationToMilliseconds(settings.abandonedAfter);
  await options.scheduler.scheduleTask({
    id: COLLECT_UPLOADS_TASK_ID,
    frequency: settings.collectEvery,
    timeout: { minutes: 30 },
    initialDelay: settings.collectEvery,
    scope: 'global',
    fn: async () => {
      await uploads.collectIdle(new Date(Date.now() - abandonedMs));
    },
  });
  const router = await createTransfersRouter({
    partAuthorizationMs: settings.partAuthorizationMs,
    httpAuth: options.httpAuth,
    permissions: options.permissions,
    catalog: options.catalog,
    versions: options.versions,
    versionStore: options.versionStore,
    uploads,
    content: new ContentIndex({
      db: await options.database.getClient(),
      catalog: options.catalog,
    }),
  });
  return { uploads, router };
}
