/**
 * Which way is better for a metric. Shared by the performance check (which
 * turns a threshold into a minimum or a maximum) and by every view that
 * colours a change between versions.
 */

/** Metric names compare case- and punctuation-insensitively (`latency_p95_ms` = `latencyP95Ms`). */
export function metricKey(name: string): string {
  return name.toLowerCase().replace(/[^a-z0-9]/g, '');
}

/** Lower-is-better metrics: latencies, durations in ms, losses and error rates. */
export function isLowerBetter(metric: string): boolean {
  const k = metricKey(metric);
  return /latency|ms$|loss|error|^(wer|cer|mae|mse|rmse|perplexity)$/.test(k);
}
