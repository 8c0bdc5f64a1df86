export {
  BENCHMARK_ANNOTATIONS,
  DEFAULT_METRIC_TOLERANCE,
  isLowerBetter,
  metricKey,
  performanceCheck,
  readBenchmarkDeclaration,
  readMetricTolerance,
  readPerformanceThresholds,
} from './performanceCheck';
export type { BenchmarkDeclaration, MetricThreshold } from './performanceCheck';
export { BenchmarkInputError, evaluateOnnxClassifier } from './onnxEvaluation';
export type {
  OnnxEvaluationOptions,
  OnnxEvaluationResult,
} from './onnxEvaluation';
