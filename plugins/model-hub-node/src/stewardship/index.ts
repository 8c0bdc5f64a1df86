/**
 * Stewardship rules of the Model Hub: a pure engine that turns a snapshot of
 * models, catalog, activity and compliance into conditions (future tasks),
 * plus the task-store diff and the daily team digest.
 */
export * from './types';
export * from './config';
export { createStewardshipCatalog, isDepartedUser } from './catalog';
export { stewardshipDedupKey } from './condition';
export {
  assessStaleness,
  effectiveLifecycle,
  type Staleness,
  type StalenessState,
} from './lifecycle';
export { evaluateStewardship, readModelCardField } from './evaluate';
export {
  diffTasks,
  type StoredTask,
  type TaskCloseReason,
  type TaskDiff,
} from './diff';
export {
  digestByTeam,
  type DigestOptions,
  type DigestPlan,
  type TeamDigest,
} from './digest';
export { addMonthsUtc } from './time';
