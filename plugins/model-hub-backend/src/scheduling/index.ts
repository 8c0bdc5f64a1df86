export { TaskRunStore } from './TaskRunStore';
export type { TaskRun } from './TaskRunStore';
export {
  replicaName,
  TASK_RUN_RETENTION_DAYS,
  withTaskRunLog,
} from './withTaskRunLog';
