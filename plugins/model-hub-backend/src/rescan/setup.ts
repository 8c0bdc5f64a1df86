import {
  AuditorService,
  DatabaseService,
  LoggerService,
  SchedulerService,
} from '@backstage/backend-plugin-api';
import { ArtifactStore } from '../artifacts/ArtifactStore';
import { FileScanner } from '../artifacts/FileScanner';
import { ScannerConfig } from './config';
import {
  Rescanner,
  VerdictChangeListener,
  VerdictConfirmedListener,
} from './Rescanner';
import { RescanStore } from './RescanStore';

/** Id of the scheduled rescan task. */
export const RESCAN_TASK_ID = 'model-hub-rescan';

/**
 * Schedules the background rescan through the scheduler service, on one
 * replica at a time (`scope: 'global'`). Each run continues the rescan for
 * the running scanner version from its stored cursor and returns at once
 * when it is finished.
 */
export async function setupRescan(options: {
  config: ScannerConfig['rescan'];
  database: DatabaseService;
  scheduler: SchedulerService;
  logger: LoggerService;
  auditor: AuditorService;
  artifacts: ArtifactStore;
  scanner: FileScanner;
  onVerdictChanged: VerdictChangeListener;
  onVerdictConfirmed?: VerdictConfirmedListener;
}): Promise<Rescanner | undefined> {
  const { config, logger } = options;
  if (!config.enabled) {
    logger.info(
      'Rescans of stored files are disabled (modelHub.scanner.rescan.enabled)',
    );
    return undefined;
  }
  const rescanner = new Rescanner({
    store: await RescanStore.create({ database: options.database }),
    artifacts: options.artifacts,
    scanner: options.scanner,
    batchSize: config.batchSize,
    logger,
    auditor: options.auditor,
    onVerdictChanged: options.onVerdictChanged,
    onVerdictConfirmed: options.onVerdictConfirmed,
  });
  await options.scheduler.scheduleTask({
    id: RESCAN_TASK_ID,
    ...config.schedule,
    scope: 'global',
    fn: async () => {
      await rescanner.run();
    },
  });
  return rescanner;
}
