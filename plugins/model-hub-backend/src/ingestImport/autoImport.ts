import {
  AuthService,
  LoggerService,
  SchedulerService,
} from '@backstage/backend-plugin-api';
import { stringifyEntityRef } from '@backstage/catalog-model';
import { CATALOG_FILTER_EXISTS } from '@backstage/catalog-client';
import { CatalogService } from '@backstage/plugin-catalog-node';
import {
  importedVersionName,
  INGESTION_ANNOTATIONS,
  ingestionOrigin,
} from '@internal/plugin-model-hub-common';
import { ImportConfig, matchesAutoImport } from './config';
import { ImportStore } from './ImportStore';
import { ModelImporter } from './ModelImporter';

/** Id of the scheduled auto-import task. */
export const AUTO_IMPORT_TASK_ID = 'model-hub-auto-import';

/** The principal that auto-imports open, seal and are attributed to. */
export const AUTO_IMPORT_ACTOR = 'model-hub:auto-import';

/**
 * One pass of auto-import: every ingested Model whose upstream id or
 * entity name is on `modelHub.ingestion.import.autoImport` gets the
 * revision the catalog mirrors imported, unless that version was imported,
 * is being imported, or failed (a failure waits for someone to retry it
 * from the model page, so a refused file is not fetched every few minutes).
 * Returns how many imports ran.
 */
export async function runAutoImport(options: {
  config: ImportConfig;
  catalog: CatalogService;
  auth: AuthService;
  importer: ModelImporter;
  store: ImportStore;
  logger: LoggerService;
}): Promise<{ imported: number; failed: number }> {
  const { config, catalog, importer, store, logger } = options;
  const outcome = { imported: 0, failed: 0 };
  if (config.autoImport.length === 0) return outcome;
  const { items } = await catalog.getEntities(
    {
      filter: {
        kind: 'model',
        [`metadata.annotations.${INGESTION_ANNOTATIONS.source}`]:
          CATALOG_FILTER_EXISTS,
      },
    },
    { credentials: await options.auth.getOwnServiceCredentials() },
  );
  for (const entity of items) {
    const origin = ingestionOrigin(entity);
    if (!origin?.revision || !importer.canImport(entity)) continue;
    if (
      !matchesAutoImport(config.autoImport, origin.remoteId) &&
      !matchesAutoImport(config.autoImport, entity.metadata.name)
    ) {
      continue;
    }
    const entityRef = stringifyEntityRef(entity).toLocaleLowerCase('en-US');
    const version = importedVersionName(origin.source, origin.revision);
    if (!version || (await store.get(entityRef, version))) continue;
    try {
      await importer.importVersion({
        entity,
        entityRef,
        requestedBy: AUTO_IMPORT_ACTOR,
      });
      outcome.imported += 1;
    } catch (e) {
      // Recorded as failed by the importer; the next model goes on.
      outcome.failed += 1;
      logger.warn(
        `Auto-import of ${entityRef} failed: ${(e as Error).message}`,
      );
    }
  }
  return outcome;
}

/** Schedules {@link runAutoImport} on one replica at a time (`scope: 'global'`). */
export async function scheduleAutoImport(
  options: Parameters<typeof runAutoImport>[0] & {
    scheduler: SchedulerService;
  },
): Promise<void> {
  if (options.config.autoImport.length === 0) return;
  await options.scheduler.scheduleTask({
    id: AUTO_IMPORT_TASK_ID,
    ...options.config.schedule,
    scope: 'global',
    fn: async () => {
      const { imported, failed } = await runAutoImport(options);
      if (imported + failed > 0) {
        options.logger.info(
          `Auto-import: ${imported} version(s) imported, ${failed} failed`,
        );
      }
    },
  });
}
