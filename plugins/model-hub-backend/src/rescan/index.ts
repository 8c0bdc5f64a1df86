/**
 * Background rescans: when the backend starts with a newer scanner, stored
 * files are rescanned in batches through the scheduler, and versions whose
 * verdicts changed are reported (gauntlet re-run, stewardship).
 */
export { readScannerConfig, DEFAULT_RESCAN_SCHEDULE } from './config';
export type { ScannerConfig } from './config';
export { needsRescan, RESCAN_ACTOR, Rescanner } from './Rescanner';
export type {
  RescanSummary,
  VerdictChange,
  VerdictChangeListener,
  VerdictConfirmedListener,
} from './Rescanner';
export { RescanStore } from './RescanStore';
export { InlineRescan } from './inlineRescan';
export { RESCAN_TASK_ID, setupRescan } from './setup';
