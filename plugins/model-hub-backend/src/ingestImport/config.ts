import {
  readSchedulerServiceTaskScheduleDefinitionFromConfig,
  SchedulerServiceTaskScheduleDefinition,
} from '@backstage/backend-plugin-api';
import { Config } from '@backstage/config';
import { readIngestionConnections } from '@internal/plugin-model-hub-node';
import { HuggingFaceImportSource } from './HuggingFaceImportSource';
import { ImportSource } from './ImportSource';
import { MlflowImportSource } from './MlflowImportSource';
import { SourceFetch } from './sourceHttp';

/** What the backend reads from `modelHub.ingestion.import`. */
export interface ImportConfig {
  /** Upstream ids or entity names (exact, or globs with `*`) imported on sync. */
  autoImport: string[];
  /** How often the auto-import task looks for new mirrored versions. */
  schedule: SchedulerServiceTaskScheduleDefinition;
}

/** Default: look every 10 minutes, first a minute after start; an hour at most per run. */
export const DEFAULT_AUTO_IMPORT_SCHEDULE: SchedulerServiceTaskScheduleDefinition =
  {
    frequency: { minutes: 10 },
    timeout: { hours: 1 },
    initialDelay: { minutes: 1 },
  };

/** Reads `modelHub.ingestion.import`, with defaults. */
export function readImportConfig(config: Config): ImportConfig {
  const c = config.getOptionalConfig('modelHub.ingestion.import');
  const schedule = c?.getOptionalConfig('schedule');
  const autoImport = c?.getOptionalStringArray('autoImport') ?? [];
  for (const pattern of autoImport) {
    if (!/^[\w.*@:'" /-]+$/.test(pattern) || pattern.trim() === '') {
      throw new Error(
        `modelHub.ingestion.import.autoImport entry "${pattern}" must be a model name or a glob with *`,
      );
    }
  }
  return {
    autoImport,
    schedule: schedule
      ? readSchedulerServiceTaskScheduleDefinitionFromConfig(schedule)
      : DEFAULT_AUTO_IMPORT_SCHEDULE,
  };
}

/**
 * The sources versions can be imported from: every enabled
 * `modelHub.ingestion.mlflow[]` entry and `modelHub.ingestion.huggingFace`,
 * read by the same code as the catalog module's providers.
 */
export function createImportSources(
  config: Config,
  fetch?: SourceFetch,
): Map<string, ImportSource> {
  const sources = new Map<string, ImportSource>();
  for (const [name, connection] of readIngestionConnections(config)) {
    sources.set(
      name,
      connection.kind === 'mlflow'
        ? new MlflowImportSource(connection, fetch)
        : new HuggingFaceImportSource(connection, fetch),
    );
  }
  return sources;
}

/** True when `value` matches the exact name or the glob (`*`: any run of characters but `/`). */
export function matchesAutoImport(patterns: string[], value: string): boolean {
  return patterns.some(pattern => {
    if (!pattern.includes('*')) return pattern === value;
    const re = new RegExp(
      `^${pattern
        .split('*')
        .map(part => part.replace(/[.*+?^${}()|[\]\\]/g, '\\$&'))
        .join('[^/]*')}$`,
      's',
    );
    return re.test(value);
  });
}
