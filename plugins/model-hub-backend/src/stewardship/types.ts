/*
 * The stewardship wire types are shared with the front end through
 * model-hub-common; re-exported here for this folder's single import path.
 */
export type {
  StewardshipTask,
  StewardshipTaskCounts,
  StewardshipTaskEvent,
  StewardshipTaskState,
  StewardshipTaskWithHistory,
} from '@internal/plugin-model-hub-common';
