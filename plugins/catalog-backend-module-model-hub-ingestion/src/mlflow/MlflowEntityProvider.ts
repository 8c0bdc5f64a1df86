import {
  LoggerService,
  readSchedulerServiceTaskScheduleDefinitionFromConfig,
  SchedulerService,
  SchedulerServiceTaskScheduleDefinition,
} from '@backstage/backend-plugin-api';
import { Config } from '@backstage/config';
import { Entity } from '@backstage/catalog-model';
import {
  EntityProvider,
  EntityProviderConnection,
} from '@backstage/plugin-catalog-node';
import { DeltaTracker } from '../delta/DeltaTracker';
import { RetryOptions, SourceAuthError } from '../http/fetchWithRetry';
import { mapConcurrent } from '../mapConcurrent';
import { SourceStatus } from '../status';
import { MlflowAuth, MlflowClient } from './MlflowClient';
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

const ID = /^[a-z0-9]+(?:-[a-z0-9]+)*$/;

/** Reads one MLflow source from config; throws a one-line error naming the key. */
export function readMlflowSourceConfig(config: Config): MlflowSourceConfig {
  const id = config.getString('id');
  if (!ID.test(id) || id.length > 20) {
    throw new Error(
      `modelHub.ingestion.mlflow[].id "${id}" must be a short lowercase slug (a-z, 0-9, -), at most 20 characters`,
    );
  }
  const baseUrl = config.getString('baseUrl');
  try {
    const u = new URL(baseUrl);
    if (u.protocol !== 'http:' && u.protocol !== 'https:') throw new Error();
  } catch {
    throw new Error(
      `modelHub.ingestion.mlflow[${id}].baseUrl must be an http(s) URL, got "${baseUrl}"`,
    );
  }
  const authType = config.getOptionalString('auth.type') ?? 'none';
  let auth: MlflowAuth;
  if (authType === 'none') auth = { type: 'none' };
  else if (authType === 'basic') {
    auth = {
      type: 'basic',
      username: config.getString('auth.username'),
      password: config.getString('auth.password'),
    };
  } else if (authType === 'bearer') {
    auth = { type: 'bearer', token: config.getString('auth.token') };
  } else {
    throw new Error(
      `modelHub.ingestion.mlflow[${id}].auth.type must be none, basic or bearer, got "${authType}"`,
    );
  }
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
export interface MlflowEntityProviderOptions {
  source: MlflowSourceConfig;
  logger: LoggerService;
  scheduler: SchedulerService;
  /** HTTP overrides (fetch, sleep, retries) for tests. */
  http?: Omit<RetryOptions, 'headers'>;
  /** Parallel model-versions searches; default 4. */
  concurrency?: number;
  /** Clock for the removed-upstream stamp. */
  now?: () => Date;
}

/**
 * Entity provider of one MLflow Model Registry: on its schedule (global
 * scope, so one replica syncs) it lists every registered model and its
 * versions and applies a delta mutation of what changed since the last
 * sync. A model gone upstream is re-emitted as deprecated, never deleted;
 * when the registry refuses the credentials the source is marked degraded
 * and the catalog is left untouched.
 */
export class MlflowEntityProvider implements EntityProvider {
  private readonly source: MlflowSourceConfig;
  private readonly client: MlflowClient;
  private readonly logger: LoggerService;
  private readonly scheduler: SchedulerService;
  private readonly tracker: DeltaTracker;
  private readonly concurrency: number;
  private readonly now: () => Date;
  private connection?: EntityProviderConnection;
  private status: SourceStatus;

  constructor(options: MlflowEntityProviderOptions) {
    this.source = options.source;
    this.logger = options.logger;
    this.scheduler = options.scheduler;
    this.client = new MlflowClient({
      ...options.http,
      baseUrl: options.source.baseUrl,
      auth: options.source.auth,
      pageSize: options.source.pageSize,
    });
    this.tracker = new DeltaTracker(
      `model-hub-ingestion:mlflow:${this.source.sourceId}`,
    );
    this.concurrency = options.concurrency ?? 4;
    this.now = options.now ?? (() => new Date());
    this.status = {
      source: `mlflow:${this.source.sourceId}`,
      state: 'never-synced',
      entityCount: 0,
      lastEmitted: 0,
    };
  }

  /** {@inheritDoc @backstage/plugin-catalog-node#EntityProvider.getProviderName} */
  getProviderName(): string {
    return `model-hub-mlflow-${this.source.sourceId}`;
  }

  /** Where the last sync left this source. */
  getStatus(): SourceStatus {
    return { ...this.status };
  }

  /** Schedules the sync of this registry. */
  async connect(connection: EntityProviderConnection): Promise<void> {
    this.connection = connection;
    await this.scheduler.scheduleTask({
      id: `model-hub-ingestion-mlflow-${this.source.sourceId}`,
      scope: 'global',
      ...this.source.schedule,
      fn: async () => {
        await this.sync();
      },
    });
  }

  /**
   * Reads the whole registry and applies what changed. Never throws: the
   * outcome is in the returned (and kept) {@link SourceStatus}.
   */
  async sync(): Promise<SourceStatus> {
    if (!this.connection) {
      throw new Error(
        `${this.getProviderName()} is not connected to the catalog`,
      );
    }
    const started = this.now();
    try {
      const models = await this.client.searchRegisteredModels(
        this.source.filter,
      );
      const current = new Map<string, Entity>();
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
      for (const [name, entity] of entities) current.set(name, entity);

      const plan = this.tracker.plan(current, started.toISOString());
      if (plan.added.length > 0) {
        await this.connection.applyMutation({
          type: 'delta',
          added: plan.added,
          removed: [],
        });
      }
      plan.commit();
      if (plan.removedUpstream.length > 0) {
        this.logger.warn(
          `${plan.removedUpstream.length} MLflow models of ${
            this.status.source
          } disappeared upstream and are now deprecated: ${plan.removedUpstream
            .slice(0, 10)
            .join(', ')}`,
        );
      }
      const end = this.now().toISOString();
      this.status = {
        ...this.status,
        state: 'ok',
        lastSyncAt: end,
        lastSuccessAt: end,
        entityCount: this.tracker.size,
        lastEmitted: plan.added.length,
        lastError: undefined,
      };
    } catch (error) {
      const message = (error as Error)?.message ?? String(error);
      const degraded = error instanceof SourceAuthError;
      this.logger.warn(
        `MLflow source ${this.status.source} ${
          degraded ? 'is degraded' : 'failed to sync'
        }; its models stay as they are: ${message}`,
      );
      this.status = {
        ...this.status,
        state: degraded ? 'degraded' : 'error',
        lastSyncAt: this.now().toISOString(),
        lastEmitted: 0,
        lastError: message,
      };
    }
    return this.getStatus();
  }
}
