export {
  scheduleRecovery,
  STAGING_CLEANUP_TASK_ID,
  ARTIFACT_GC_TASK_ID,
} from './scheduleRecovery';
export { readRecoveryConfig } from './config';
export type { RecoveryConfig } from './config';
export { removeStaleStagingFiles } from './cleanStaging';
export { collectUnreferencedBlobs } from './collectBlobs';
