/**
 * The stewardship engine of the Model Hub backend: evaluates the rules of
 * `@internal/plugin-model-hub-node` on a schedule, keeps the task store,
 * notifies teams and serves tasks over HTTP.
 */
export { StewardshipTaskStore } from './StewardshipTaskStore';
export type { StewardshipTaskQuery } from './StewardshipTaskStore';
export { StewardshipEngine } from './StewardshipEngine';
export type {
  ModelLifecycleView,
  StewardshipDigestOptions,
  StewardshipEngineOptions,
  StewardshipRunSummary,
} from './StewardshipEngine';
export {
  DEFAULT_STEWARDSHIP_SCHEDULE,
  readStewardshipEngineConfig,
} from './config';
export type { StewardshipEngineConfig } from './config';
export {
  createStewardshipTrigger,
  scheduleStewardship,
  STEWARDSHIP_TASK_ID,
} from './schedule';
export { createStewardshipRouter } from './router';
export type { StewardshipRouterOptions } from './router';
export {
  createNotificationServiceNotifier,
  digestNotification,
  entityPagePath,
  NOTIFICATION_SEVERITY,
  STEWARDSHIP_DIGEST_TOPIC,
  STEWARDSHIP_TASK_TOPIC,
  taskOpenedNotification,
} from './notifier';
export type { StewardshipDigest, StewardshipNotifier } from './notifier';
export {
  createGauntletComplianceSource,
  createVersionActivitySource,
} from './sources';
export type {
  ComplianceSource,
  GauntletEvaluationLike,
  ModelActivitySource,
} from './sources';
export type {
  StewardshipTask,
  StewardshipTaskCounts,
  StewardshipTaskEvent,
  StewardshipTaskState,
  StewardshipTaskWithHistory,
} from './types';
export { setupStewardship } from './setup';
export type { StewardshipSetup, StewardshipSetupOptions } from './setup';
