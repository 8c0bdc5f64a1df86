import {
  AuditorService,
  AuthService,
  DatabaseService,
  HttpAuthService,
  LoggerService,
  PermissionsService,
  SchedulerService,
} from '@backstage/backend-plugin-api';
import { Config } from '@backstage/config';
import { CatalogService } from '@backstage/plugin-catalog-node';
import express from 'express';
import { UploadStaging } from '../artifacts/UploadStaging';
import { ModelVersionService } from '../versions/ModelVersionService';
import { scheduleAutoImport } from './autoImport';
import { createImportSources, readImportConfig } from './config';
import { ImportStore } from './ImportStore';
import { ModelImporter } from './ModelImporter';
import { createImportRouter } from './router';
import { SourceFetch } from './sourceHttp';

/**
 * Import of ingested models' upstream versions (issue #20): the sources
 * from `modelHub.ingestion`, the import routes and, when
 * `modelHub.ingestion.import.autoImport` names models, the scheduled
 * auto-import.
 */
export async function setupImports(options: {
  config: Config;
  database: DatabaseService;
  scheduler: SchedulerService;
  logger: LoggerService;
  auth: AuthService;
  httpAuth: HttpAuthService;
  permissions: PermissionsService;
  catalog: CatalogService;
  auditor: AuditorService;
  versions: ModelVersionService;
  staging: UploadStaging;
  /** Tests may route source requests elsewhere. */
  fetch?: SourceFetch;
}): Promise<{ router: express.Router; importer: ModelImporter }> {
  const store = await ImportStore.create({ database: options.database });
  const sources = createImportSources(options.config, options.fetch);
  const importer = new ModelImporter({
    versions: options.versions,
    staging: options.staging,
    store,
    sources,
    logger: options.logger,
  });
  await scheduleAutoImport({
    config: readImportConfig(options.config),
    scheduler: options.scheduler,
    catalog: options.catalog,
    auth: options.auth,
    importer,
    store,
    logger: options.logger,
  });
  return {
    importer,
    router: createImportRouter({
      httpAuth: options.httpAuth,
      permissions: options.permissions,
      catalog: options.catalog,
      auditor: options.auditor,
      importer,
      store,
    }),
  };
}
