export { computeFairness } from './computeFairness';
export type {
  ComputeFairnessOptions,
  FairnessRecords,
} from './computeFairness';
export { FairnessInputError } from './dictionary';
export {
  DEFAULT_MIN_GROUP_SIZE,
  MAX_SENSITIVE_ATTRIBUTES,
  fairnessGroupKey,
  fairnessReportToJson,
} from './metrics';
export type {
  FairnessGroupMetrics,
  FairnessGroupingSummary,
  FairnessOptions,
  FairnessReport,
} from './metrics';
export {
  evaluationFileFormat,
  readCsvRecords,
  readJsonlRecords,
  readRows,
} from './rows';
export type { ByteSource, EvaluationFileFormat } from './rows';
export {
  DEFAULT_FAIRNESS_THRESHOLDS,
  fairnessCheck,
  readFairnessThresholds,
} from './fairnessCheck';
export type { FairnessThresholds } from './fairnessCheck';
