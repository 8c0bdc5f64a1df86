export { setupUsage, USAGE_RETENTION_TASK_ID } from './setup';
export { UsageStore } from './UsageStore';
export type { PullEvent, FirstConsumer } from './PullWrites';
export { PullRecorder } from './PullRecorder';
export type { FileDownload } from './PullRecorder';
export { readUsageConfig } from './config';
export { seedExamplePulls } from './seedPulls';
