import { LoggerService, SchedulerService } from '@backstage/backend-plugin-api';
import { ArtifactStore } from '../artifacts/ArtifactStore';
import { VersionStore } from '../versions/VersionStore';
import { removeStaleStagingFiles } from './cleanStaging';
import { collectUnreferencedBlobs } from './collectBlobs';
import { RecoveryConfig, STALE_SEAL_MINUTES } from './config';

/** Task id of the per-replica staging sweep. */
export const STAGING_CLEANUP_TASK_ID = 'model-hub-staging-cleanup';
/** Task id of the cluster-wide blob collection. */
export const ARTIFACT_GC_TASK_ID = 'model-hub-artifact-gc';

/**
 * Schedules crash recovery, first at start-up and then every
 * `frequencyMinutes`: each replica sweeps its own staging directory
 * (`scope: 'local'`, the directory is on its disk), and one replica at a
 * time (`scope: 'global'`) returns abandoned seals to draft and collects
 * unreferenced blobs after the grace period.
 */
export async function scheduleRecovery(options: {
  scheduler: SchedulerService;
  logger: LoggerService;
  config: RecoveryConfig;
  versions: VersionStore;
  artifacts: ArtifactStore;
  stagingDirectory: string;
  /** The clock (tests). */
  clock?: () => Date;
}): Promise<void> {
  const { scheduler, logger, config, versions, artifacts } = options;
  const clock = options.clock ?? (() => new Date());
  const frequency = { minutes: config.frequencyMinutes };
  const timeout = { minutes: Math.max(5, config.frequencyMinutes) };

  await scheduler.scheduleTask({
    id: STAGING_CLEANUP_TASK_ID,
    scope: 'local',
    frequency,
    timeout,
    fn: async () => {
      const removed = await removeStaleStagingFiles({
        directory: options.stagingDirectory,
        maxAgeMs: config.stagingMaxAgeMinutes * 60_000,
        now: clock(),
      });
      if (removed.length > 0) {
        logger.info(
          `Removed ${removed.length} abandoned upload staging file(s) older than ${config.stagingMaxAgeMinutes} minutes`,
        );
      }
    },
  });

  await scheduler.scheduleTask({
    id: ARTIFACT_GC_TASK_ID,
    scope: 'global',
    frequency,
    timeout,
    fn: async () => {
      const now = clock();
      const reset = await versions.resetStaleSeals(
        new Date(now.getTime() - STALE_SEAL_MINUTES * 60_000),
      );
      if (reset > 0) {
        logger.warn(
          `Returned ${reset} version(s) whose seal never finished to draft`,
        );
      }
      const deleted = await collectUnreferencedBlobs({
        versions,
        artifacts,
        graceMs: config.gcGraceHours * 3_600_000,
        now,
        logger,
      });
      if (deleted.length > 0) {
        logger.info(
          `Collected ${deleted.length} artifact blob(s) no version referenced for ${config.gcGraceHours} hours`,
        );
      }
    },
  });
}
