import { createArtifactStore, readArtifactsConfig } from '../artifacts/config';
import { createDirectTransfers } from '../artifacts/directTransfersConfig';
import { createFileScanner } from '../artifacts/FileScanner';
import { UploadStaging } from '../artifacts/UploadStaging';
import { ModelChangeFeed } from '../database/ModelChangeFeed';
import { readRecoveryConfig, scheduleRecovery } from '../recovery';
import { readScannerConfig } from '../rescan';
import { ModelVersionService } from '../versions/ModelVersionService';
import { VersionStore } from '../versions/VersionStore';
import { ModelHubPluginDeps } from './deps';
import { ModelHubPlatform } from './platform';

/**
 * Versions and their files: the artifact store (and presigned S3
 * transfers), upload staging, the version store with its change feed and
 * recovery, the file scanner, and the version service that tells
 * `sealedListeners` of every seal.
 */
export async function wireVersionStorage(
  deps: ModelHubPluginDeps,
  platform: Pick<ModelHubPlatform, 'scheduler'>,
) {
  const { logger, config, database } = deps;
  const { scheduler } = platform;
  const artifactsConfig = readArtifactsConfig(config);
  const artifacts = createArtifactStore(artifactsConfig);
  logger.info(
    artifactsConfig.store.type === 's3'
      ? `Artifacts are stored in S3 bucket ${artifactsConfig.store.bucket}`
      : `Artifacts are stored in ${artifactsConfig.store.directory}`,
  );
  // Presigned S3 uploads and downloads (issue #16), when configured.
  const directTransfers = createDirectTransfers(
    config,
    artifactsConfig,
    artifacts,
  );
  const staging = new UploadStaging({
    directory: artifactsConfig.stagingDirectory,
    maxBytes: artifactsConfig.maxUploadBytes,
  });
  // Everything that reacts to a sealed version (the gauntlet, the
  // stewardship engine) subscribes here; a listener's failure is logged
  // and never undoes the seal.
  const sealedListeners: Array<
    (entityRef: string, version: string) => Promise<void>
  > = [];
  const versionStore = await VersionStore.create({ database });
  // Every write of a model's versions or gauntlet state is an event
  // (database triggers); the replica's read caches drop on them.
  const modelChanges = new ModelChangeFeed({
    db: await database.getClient(),
  });
  // Staging debris, abandoned seals and orphan blobs: at start-up and
  // on a schedule (src/recovery).
  await scheduleRecovery({
    scheduler,
    logger,
    config: readRecoveryConfig(config),
    versions: versionStore,
    artifacts,
    stagingDirectory: artifactsConfig.stagingDirectory,
  });
  const scannerConfig = readScannerConfig(config);
  const fileScanner = createFileScanner(scannerConfig.scanOptions);
  const versions = new ModelVersionService({
    store: versionStore,
    artifacts,
    staging,
    scanner: fileScanner,
    logger,
    onSealed: async (entityRef, version) => {
      for (const listener of sealedListeners) {
        try {
          await listener(entityRef, version);
        } catch (e) {
          logger.error(
            `Reacting to the seal of ${entityRef}@${version} failed: ${e}`,
          );
        }
      }
    },
  });
  return {
    artifacts,
    artifactsConfig,
    directTransfers,
    staging,
    sealedListeners,
    versionStore,
    modelChanges,
    scannerConfig,
    fileScanner,
    versions,
  };
}

/** What {@link wireVersionStorage} gives the other subsystems. */
export type ModelHubVersionStorage = Awaited<
  ReturnType<typeof wireVersionStorage>
>;
