import {
  readSchedulerServiceTaskScheduleDefinitionFromConfig,
  SchedulerServiceTaskScheduleDefinition,
} from '@backstage/backend-plugin-api';
import { Config } from '@backstage/config';
import { Entity } from '@backstage/catalog-model';
import { mapConcurrent } from '../mapConcurrent';
import {
  IngestionEntityProvider,
  SourceListing,
  SourceProviderOptions,
} from '../provider/IngestionEntityProvider';
import { MlflowAuth, MlflowClient } from './MlflowClient';
import { readMlflowConnection } from '@internal/plugin-model-hub-node';
import { mapMlflowModel, MlflowMappingOptions } from './mapMlflowModel';

/** One `modelHub.ingestion.mlflow[]` entry, read and checked. */
export interface MlflowSourceConfig
  extends Omit<MlflowMappingOptions, 'modelPageUrl'> {
  baseUrl: string;
  auth: MlflowAuth;
  filter?: string;
  pageSize?: number;
  schedule: SchedulerServiceTaskScheduleDefinition;
}

/** The schedule when a source sets none: every 30 minutes, 10 minutes at most. */
export const DEFAULT_INGESTION_SCHEDULE: SchedulerServiceTaskScheduleDefinition =
  { frequency: { minutes: 30 }, timeout: { minutes: 10 } };

/** Reads one MLflow source from config; throws a one-line error naming the key. */
export function readMlflowSourceConfig(config: Config): MlflowSourceConfig {
  const { sourceId: id, baseUrl, auth } = readMlflowConnection(config);
  return {
    sourceId: id,
    baseUrl,
    auth,
    filter: config.getOptionalString('filter'),
    pageSize: config.getOptionalNumber('pageSize'),
    defaultOwner: config.getString('defaultOwner'),
    ownerTag: config.getOptionalString('ownerTag') ?? 'owner',
    deprecationTag: config.getOptionalString('deprecationTag') ?? 'deprecated',
    defaultLicense: config.getOptionalString('defaultLicense') ?? 'NOASSERTION',
    namespace: config.getOptionalString('namespace') ?? 'default',
    schedule: config.has('schedule')
      ? readSchedulerServiceTaskScheduleDefinitionFromConfig(
          config.getConfig('schedule'),
        )
      : DEFAULT_INGESTION_SCHEDULE,
  };
}

/** Options of {@link MlflowEntityProvider}. */
export type MlflowEntityProviderOptions =
  SourceProviderOptions<MlflowSourceConfig>;

/**
 * Entity provider of one MLflow Model Registry: lists every registered model
 * and its versions (the shared sync loop of {@link IngestionEntityProvider}
 * applies what changed).
 */
export class MlflowEntityProvider extends IngestionEntityProvider {
  private readonly source: MlflowSourceConfig;
  private readonly client: MlflowClient;
  private readonly concurrency: number;

  constructor(options: MlflowEntityProviderOptions) {
    super('mlflow', 'MLflow', options);
    this.source = options.source;
    this.client = new MlflowClient({
      ...options.http,
      baseUrl: options.source.baseUrl,
      auth: options.source.auth,
      pageSize: options.source.pageSize,
    });
    this.concurrency = options.concurrency ?? 4;
  }

  protected async list(): Promise<SourceListing> {
    const models = await this.client.searchRegisteredModels(this.source.filter);
    const named = models.filter(
      (m): m is typeof m & { name: string } =>
        typeof m?.name === 'string' && m.name.length > 0,
    );
    const entities = await mapConcurrent(named, this.concurrency, async m => {
      const versions = await this.client.searchModelVersions(m.name);
      return [
        m.name,
        mapMlflowModel(m, versions, {
          ...this.source,
          modelPageUrl: name => this.client.modelPageUrl(name),
        }),
      ] as const;
    });
    return { current: new Map<string, Entity>(entities) };
  }
}
