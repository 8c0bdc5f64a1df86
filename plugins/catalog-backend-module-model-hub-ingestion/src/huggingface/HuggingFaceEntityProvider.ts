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
import { DEFAULT_INGESTION_SCHEDULE } from '../mlflow/MlflowEntityProvider';
import { SourceStatus } from '../status';
import {
  HuggingFaceClient,
  parseRepoGlob,
  RepoGlob,
} from './HuggingFaceClient';
import {
  HuggingFaceMappingOptions,
  mapHuggingFaceModel,
} from './mapHuggingFaceModel';

/** `modelHub.ingestion.huggingFace`, read and checked. */
export interface HuggingFaceSourceConfig extends HuggingFaceMappingOptions {
  token?: string;
  /** Exact repo ids (allow-list). */
  models: string[];
  globs: RepoGlob[];
  schedule: SchedulerServiceTaskScheduleDefinition;
}

const REPO_ID = /^[A-Za-z0-9][A-Za-z0-9._-]*\/[A-Za-z0-9][A-Za-z0-9._-]*$/;

/** Reads `modelHub.ingestion.huggingFace`; the token falls back to `HF_TOKEN`. */
export function readHuggingFaceSourceConfig(
  config: Config,
  env: NodeJS.ProcessEnv = process.env,
): HuggingFaceSourceConfig {
  const models = config.getOptionalStringArray('models') ?? [];
  for (const id of models) {
    if (!REPO_ID.test(id)) {
      throw new Error(
        `modelHub.ingestion.huggingFace.models entry "${id}" must be an exact repo id like org/name`,
      );
    }
  }
  const globs = (config.getOptionalStringArray('globs') ?? []).map(
    parseRepoGlob,
  );
  const sourceId = config.getOptionalString('id') ?? 'hf';
  if (!/^[a-z0-9]+(?:-[a-z0-9]+)*$/.test(sourceId) || sourceId.length > 20) {
    throw new Error(
      `modelHub.ingestion.huggingFace.id "${sourceId}" must be a short lowercase slug`,
    );
  }
  const endpoint =
    config.getOptionalString('endpoint') ?? 'https://huggingface.co';
  if (!/^https?:\/\//.test(endpoint)) {
    throw new Error(
      `modelHub.ingestion.huggingFace.endpoint must be an http(s) URL, got "${endpoint}"`,
    );
  }
  return {
    sourceId,
    endpoint,
    token: config.getOptionalString('token') ?? (env.HF_TOKEN || undefined),
    owner: config.getString('owner'),
    defaultLicense: config.getOptionalString('defaultLicense') ?? 'NOASSERTION',
    namespace: config.getOptionalString('namespace') ?? 'default',
    models,
    globs,
    schedule: config.has('schedule')
      ? readSchedulerServiceTaskScheduleDefinitionFromConfig(
          config.getConfig('schedule'),
        )
      : DEFAULT_INGESTION_SCHEDULE,
  };
}

/** Options of {@link HuggingFaceEntityProvider}. */
export interface HuggingFaceEntityProviderOptions {
  source: HuggingFaceSourceConfig;
  logger: LoggerService;
  scheduler: SchedulerService;
  http?: Omit<RetryOptions, 'headers'>;
  concurrency?: number;
  now?: () => Date;
}

/**
 * Entity provider of allow-listed Hugging Face models (exact ids and
 * `org/prefix-*` globs): on its schedule it lists, reads each model's
 * details and security status, and applies a delta mutation. A 401/403 on
 * the listing degrades the source and changes nothing; a 401/403 on one
 * (gated) repo keeps that repo's last entity and degrades the source.
 */
export class HuggingFaceEntityProvider implements EntityProvider {
  private readonly source: HuggingFaceSourceConfig;
  private readonly client: HuggingFaceClient;
  private readonly logger: LoggerService;
  private readonly scheduler: SchedulerService;
  private readonly tracker: DeltaTracker;
  private readonly concurrency: number;
  private readonly now: () => Date;
  private connection?: EntityProviderConnection;
  private status: SourceStatus;

  constructor(options: HuggingFaceEntityProviderOptions) {
    this.source = options.source;
    this.logger = options.logger;
    this.scheduler = options.scheduler;
    this.client = new HuggingFaceClient({
      ...options.http,
      endpoint: options.source.endpoint,
      token: options.source.token,
    });
    this.tracker = new DeltaTracker(
      `model-hub-ingestion:huggingface:${this.source.sourceId}`,
    );
    this.concurrency = options.concurrency ?? 4;
    this.now = options.now ?? (() => new Date());
    this.status = {
      source: `huggingface:${this.source.sourceId}`,
      state: 'never-synced',
      entityCount: 0,
      lastEmitted: 0,
    };
  }

  /** {@inheritDoc @backstage/plugin-catalog-node#EntityProvider.getProviderName} */
  getProviderName(): string {
    return `model-hub-huggingface-${this.source.sourceId}`;
  }

  /** Where the last sync left this source. */
  getStatus(): SourceStatus {
    return { ...this.status };
  }

  /** Schedules the sync. */
  async connect(connection: EntityProviderConnection): Promise<void> {
    this.connection = connection;
    await this.scheduler.scheduleTask({
      id: `model-hub-ingestion-huggingface-${this.source.sourceId}`,
      scope: 'global',
      ...this.source.schedule,
      fn: async () => {
        await this.sync();
      },
    });
  }

  /** Reads every allow-listed model and applies what changed; never throws. */
  async sync(): Promise<SourceStatus> {
    if (!this.connection) {
      throw new Error(
        `${this.getProviderName()} is not connected to the catalog`,
      );
    }
    const started = this.now();
    const refused: string[] = [];
    try {
      const ids = new Set(this.source.models);
      for (const glob of this.source.globs) {
        for (const id of await this.client.listGlob(glob)) ids.add(id);
      }
      const current = new Map<string, Entity>();
      const results = await mapConcurrent(
        [...ids].sort(),
        this.concurrency,
        async id => {
          try {
            const info = await this.client.modelInfo(id);
            const security = await this.client.securityStatus(id);
            return [
              id,
              mapHuggingFaceModel({ ...info, id }, security, this.source),
            ] as const;
          } catch (error) {
            if (!(error instanceof SourceAuthError)) throw error;
            refused.push(id);
            return [id, this.tracker.previous(id)] as const;
          }
        },
      );
      for (const [id, entity] of results) if (entity) current.set(id, entity);
      // A refused repo never seen before is not known; one seen before keeps its entity.
      for (const id of refused) {
        const prev = this.tracker.previous(id);
        if (prev) current.set(id, prev);
      }
      const plan = this.tracker.plan(current, started.toISOString());
      if (plan.added.length > 0) {
        await this.connection.applyMutation({
          type: 'delta',
          added: plan.added,
          removed: [],
        });
      }
      plan.commit();
      const end = this.now().toISOString();
      this.status = {
        ...this.status,
        state: refused.length > 0 ? 'degraded' : 'ok',
        lastSyncAt: end,
        lastSuccessAt: end,
        entityCount: this.tracker.size,
        lastEmitted: plan.added.length,
        lastError:
          refused.length > 0
            ? `access refused (401/403) to ${refused.length} repos, e.g. ${refused[0]}; request access or check the token`
            : undefined,
      };
      if (refused.length > 0) this.logger.warn(this.status.lastError!);
    } catch (error) {
      const message = (error as Error)?.message ?? String(error);
      const degraded = error instanceof SourceAuthError;
      this.logger.warn(
        `Hugging Face source ${this.status.source} ${
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
