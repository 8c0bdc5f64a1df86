/**
 * The pure stewardship rules from `@internal/plugin-model-hub-node`, in one
 * place so the rest of this folder has a single import path for them.
 */
export {
  createStewardshipCatalog,
  diffTasks,
  digestByTeam,
  effectiveLifecycle,
  assessStaleness,
  evaluateStewardship,
  readStewardshipConfig,
  resolveStewardshipConfig,
  STEWARDSHIP_SEVERITIES,
} from '@internal/plugin-model-hub-node';
export type {
  ModelActivity,
  ModelCompliance,
  StewardshipCondition,
  StewardshipConditionKind,
  StewardshipConfig,
  StewardshipJsonObject,
  StewardshipSeverity,
  StoredTask,
  TeamDigest,
} from '@internal/plugin-model-hub-node';
