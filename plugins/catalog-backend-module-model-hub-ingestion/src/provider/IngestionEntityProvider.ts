import {
  LoggerService,
  SchedulerService,
  SchedulerServiceTaskScheduleDefinition,
} from '@backstage/backend-plugin-api';
import { Entity } from '@backstage/catalog-model';
import {
  EntityProvider,
  EntityProviderConnection,
} from '@backstage/plugin-catalog-node';
import { DeltaTracker } from '../delta/DeltaTracker';
import { markUpstreamDrift } from '../drift/markUpstreamDrift';
import { IngestionStateStore } from '../delta/IngestionStateStore';
import { RetryOptions, SourceAuthError } from '../http/fetchWithRetry';
import { SourceStatus } from '../status';

/** The kinds of source, as they appear in names, task ids and annotations. */
export type IngestionSourceKind = 'mlflow' | 'huggingface';

/** What one complete read of a source found. */
export interface SourceListing {
  /** Remote id → the entity it maps to now. */
  current: Map<string, Entity>;
  /**
   * Set when part of the source refused access (401/403) while the rest was
   * read: the sync applies what it read and the source is `degraded`.
   */
  partialRefusal?: string;
}

/** What every ingestion provider is built from. */
export interface IngestionEntityProviderOptions {
  kind: IngestionSourceKind;
  /** Human name of the kind, for logs: `MLflow`, `Hugging Face`. */
  label: string;
  sourceId: string;
  schedule: SchedulerServiceTaskScheduleDefinition;
  logger: LoggerService;
  scheduler: SchedulerService;
  /** Where the delta memory lives; in memory when omitted. */
  state?: IngestionStateStore;
  now?: () => Date;
}

/** What a concrete provider is built from: its source and the services it runs with. */
export interface SourceProviderOptions<
  S extends {
    sourceId: string;
    schedule: SchedulerServiceTaskScheduleDefinition;
  },
> {
  source: S;
  logger: LoggerService;
  scheduler: SchedulerService;
  /** Where the delta memory lives (the catalog database in the module). */
  state?: IngestionStateStore;
  /** HTTP overrides (fetch, sleep, retries) for tests. */
  http?: Omit<RetryOptions, 'headers'>;
  /** Parallel per-model reads; default 4. */
  concurrency?: number;
  /** Clock for the removed-upstream stamp. */
  now?: () => Date;
}

/**
 * The sync loop every ingestion source shares: on its schedule (global scope,
 * so one replica syncs at a time) read the whole source ({@link list}),
 * apply a delta mutation of what changed since the last emission (kept
 * across restarts by the state store), re-emit models gone upstream as
 * deprecated, record upstream drift on changed models, and keep a
 * {@link SourceStatus}. A 401/403 marks the source
 * degraded and leaves the catalog untouched; sync never throws.
 */
export abstract class IngestionEntityProvider implements EntityProvider {
  protected readonly logger: LoggerService;
  protected readonly tracker: DeltaTracker;
  protected readonly now: () => Date;
  private readonly options: IngestionEntityProviderOptions;
  private connection?: EntityProviderConnection;
  private status: SourceStatus;

  protected constructor(
    kind: IngestionSourceKind,
    label: string,
    provider: SourceProviderOptions<{
      sourceId: string;
      schedule: SchedulerServiceTaskScheduleDefinition;
    }>,
  ) {
    const options: IngestionEntityProviderOptions = {
      kind,
      label,
      sourceId: provider.source.sourceId,
      schedule: provider.source.schedule,
      logger: provider.logger,
      scheduler: provider.scheduler,
      state: provider.state,
      now: provider.now,
    };
    this.options = options;
    this.logger = options.logger;
    this.now = options.now ?? (() => new Date());
    this.tracker = new DeltaTracker(
      `model-hub-ingestion:${options.kind}:${options.sourceId}`,
      options.state,
    );
    this.status = {
      source: `${options.kind}:${options.sourceId}`,
      state: 'never-synced',
      entityCount: 0,
      lastEmitted: 0,
    };
  }

  /** Reads the whole source; throws {@link SourceAuthError} on 401/403. */
  protected abstract list(): Promise<SourceListing>;

  /** {@inheritDoc @backstage/plugin-catalog-node#EntityProvider.getProviderName} */
  getProviderName(): string {
    return `model-hub-${this.options.kind}-${this.options.sourceId}`;
  }

  /** The scheduler task that syncs this source (also run by "sync now"). */
  getTaskId(): string {
    return `model-hub-ingestion-${this.options.kind}-${this.options.sourceId}`;
  }

  /** Where the last sync left this source. */
  getStatus(): SourceStatus {
    return { ...this.status };
  }

  /** Schedules the sync of this source. */
  async connect(connection: EntityProviderConnection): Promise<void> {
    this.connection = connection;
    await this.options.scheduler.scheduleTask({
      id: this.getTaskId(),
      scope: 'global',
      ...this.options.schedule,
      fn: async () => {
        await this.sync();
      },
    });
  }

  /** Reads the whole source and applies what changed; never throws. */
  async sync(): Promise<SourceStatus> {
    if (!this.connection) {
      throw new Error(
        `${this.getProviderName()} is not connected to the catalog`,
      );
    }
    const started = this.now();
    try {
      await this.tracker.ready();
      const { current, partialRefusal } = await this.list();
      for (const [remoteId, entity] of current) {
        current.set(
          remoteId,
          markUpstreamDrift(
            this.tracker.previous(remoteId),
            entity,
            started.toISOString(),
          ),
        );
      }
      const plan = this.tracker.plan(current, started.toISOString());
      if (plan.added.length > 0) {
        await this.connection.applyMutation({
          type: 'delta',
          added: plan.added,
          removed: [],
        });
      }
      await plan.commit();
      if (plan.removedUpstream.length > 0) {
        this.logger.warn(
          `${plan.removedUpstream.length} ${this.options.label} models of ${
            this.status.source
          } disappeared upstream and are now deprecated: ${plan.removedUpstream
            .slice(0, 10)
            .join(', ')}`,
        );
      }
      const end = this.now().toISOString();
      this.status = {
        ...this.status,
        state: partialRefusal ? 'degraded' : 'ok',
        lastSyncAt: end,
        lastSuccessAt: end,
        entityCount: this.tracker.size,
        lastEmitted: plan.added.length,
        lastError: partialRefusal,
      };
      if (partialRefusal) this.logger.warn(partialRefusal);
    } catch (error) {
      const message = (error as Error)?.message ?? String(error);
      const degraded = error instanceof SourceAuthError;
      this.logger.warn(
        `${this.options.label} source ${this.status.source} ${
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
