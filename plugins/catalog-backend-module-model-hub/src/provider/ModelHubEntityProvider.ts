import {
  AuthService,
  DiscoveryService,
  LoggerService,
  RootConfigService,
  SchedulerService,
} from '@backstage/backend-plugin-api';
import {
  ANNOTATION_LOCATION,
  ANNOTATION_ORIGIN_LOCATION,
  Entity,
  stringifyEntityRef,
} from '@backstage/catalog-model';
import {
  EntityProvider,
  EntityProviderConnection,
} from '@backstage/plugin-catalog-node';
import {
  isModelEntity,
  MODEL_HUB_ANNOTATIONS,
  MODEL_HUB_LOCATION_TYPE,
  modelHubApiPaths,
  RegisteredModel,
} from '@internal/plugin-model-hub-common';
import { assertOk, getFromHub } from '../hub/getFromHub';

/** The default of `modelHub.catalog.registeredModelsRefreshSeconds`. */
export const DEFAULT_REGISTERED_MODELS_REFRESH_SECONDS = 5;

/** Options of {@link ModelHubEntityProvider}. */
export interface ModelHubEntityProviderOptions {
  discovery: DiscoveryService;
  auth: AuthService;
  logger: LoggerService;
  scheduler: SchedulerService;
  /** Seconds between two reads of the registered models; default 5. */
  refreshSeconds?: number;
  /** Timeout of one read; default 10 s. */
  timeoutMs?: number;
  /** The fetch implementation; default the global `fetch`. */
  fetch?: typeof globalThis.fetch;
}

/**
 * Parses the hub's `GET /v1/registered-models` response. Anything not shaped
 * as documented (no items array, an item without a Model entity, or an
 * entity whose ref differs from the item's) rejects the whole response, so a
 * broken answer never shrinks the catalog.
 */
export function parseRegisteredModels(body: unknown): RegisteredModel[] {
  const items = (body as { items?: unknown } | null)?.items;
  if (!Array.isArray(items)) {
    throw new Error('response has no "items" array');
  }
  return items.map((item: unknown, i) => {
    const v = item as Partial<RegisteredModel> | null;
    if (
      !v ||
      typeof v !== 'object' ||
      typeof v.entityRef !== 'string' ||
      typeof v.createdBy !== 'string' ||
      !v.entity ||
      typeof v.entity !== 'object' ||
      typeof v.entity.metadata?.name !== 'string' ||
      !isModelEntity(v.entity)
    ) {
      throw new Error(
        `items[${i}] must have a string entityRef, a string createdBy and a Model entity`,
      );
    }
    const actual = stringifyEntityRef(v.entity).toLocaleLowerCase('en-US');
    if (actual !== v.entityRef.toLocaleLowerCase('en-US')) {
      throw new Error(
        `items[${i}] claims ${v.entityRef} but holds the entity ${actual}`,
      );
    }
    return v as RegisteredModel;
  });
}

/**
 * The location the hub serves a registered model from, e.g.
 * `model-hub:http://localhost:7007/api/model-hub/v1/registered-models/default/foo`.
 * The hub recognises its own models by the `model-hub:` prefix.
 */
export function registeredModelLocation(
  hubBaseUrl: string,
  entityRef: string,
): string {
  return `${MODEL_HUB_LOCATION_TYPE}:${hubBaseUrl}${modelHubApiPaths.registeredModel(
    entityRef,
  )}`;
}

/** The catalog entity of a registered model: its location and who registered it. */
export function toCatalogEntity(
  model: RegisteredModel,
  hubBaseUrl: string,
): Entity {
  const location = registeredModelLocation(hubBaseUrl, model.entityRef);
  return {
    ...model.entity,
    metadata: {
      ...model.entity.metadata,
      annotations: {
        ...model.entity.metadata.annotations,
        [ANNOTATION_LOCATION]: location,
        [ANNOTATION_ORIGIN_LOCATION]: location,
        [MODEL_HUB_ANNOTATIONS.registeredBy]: model.createdBy,
      },
    },
  };
}

/**
 * Entity provider of the models registered through the hub
 * (`POST /api/model-hub/v1/registered-models`): on a schedule (global, so one
 * replica at a time) it reads them from the hub as the catalog plugin and
 * replaces its whole set in the catalog. When the hub cannot be reached or
 * answers something malformed it logs a warning and changes nothing, so an
 * outage never removes registered models from the catalog.
 */
export class ModelHubEntityProvider implements EntityProvider {
  private readonly discovery: DiscoveryService;
  private readonly auth: AuthService;
  private readonly logger: LoggerService;
  private readonly scheduler: SchedulerService;
  private readonly refreshSeconds: number;
  private readonly timeoutMs: number;
  private readonly fetchImpl: typeof fetch;
  private connection?: EntityProviderConnection;

  /** Builds a provider whose schedule comes from `modelHub.catalog.registeredModelsRefreshSeconds`. */
  static fromConfig(
    config: RootConfigService,
    options: Omit<ModelHubEntityProviderOptions, 'refreshSeconds'>,
  ): ModelHubEntityProvider {
    const seconds =
      config.getOptionalNumber(
        'modelHub.catalog.registeredModelsRefreshSeconds',
      ) ?? DEFAULT_REGISTERED_MODELS_REFRESH_SECONDS;
    if (!Number.isFinite(seconds) || seconds <= 0) {
      throw new Error(
        `modelHub.catalog.registeredModelsRefreshSeconds must be a positive number, got ${seconds}`,
      );
    }
    return new ModelHubEntityProvider({ ...options, refreshSeconds: seconds });
  }

  constructor(options: ModelHubEntityProviderOptions) {
    this.discovery = options.discovery;
    this.auth = options.auth;
    this.logger = options.logger;
    this.scheduler = options.scheduler;
    this.refreshSeconds =
      options.refreshSeconds ?? DEFAULT_REGISTERED_MODELS_REFRESH_SECONDS;
    this.timeoutMs = options.timeoutMs ?? 10_000;
    this.fetchImpl = options.fetch ?? ((...args) => fetch(...args));
  }

  /** {@inheritDoc @backstage/plugin-catalog-node#EntityProvider.getProviderName} */
  getProviderName(): string {
    return 'model-hub';
  }

  /** Schedules the refresh of the registered models. */
  async connect(connection: EntityProviderConnection): Promise<void> {
    this.connection = connection;
    await this.scheduler.scheduleTask({
      id: 'model-hub-registered-models',
      scope: 'global',
      frequency: { seconds: this.refreshSeconds },
      timeout: { milliseconds: Math.max(this.timeoutMs * 3, 30_000) },
      fn: async () => {
        await this.refresh();
      },
    });
  }

  /**
   * Reads the registered models from the hub and applies them as a full
   * mutation. Returns the number of entities applied, or `undefined` when
   * the hub could not be read (nothing applied).
   */
  async refresh(): Promise<number | undefined> {
    if (!this.connection) {
      throw new Error('ModelHubEntityProvider is not connected to the catalog');
    }
    let baseUrl: string;
    let models: RegisteredModel[];
    try {
      const answer = await getFromHub(
        {
          discovery: this.discovery,
          auth: this.auth,
          fetch: this.fetchImpl,
          timeoutMs: this.timeoutMs,
        },
        modelHubApiPaths.registeredModels(),
      );
      baseUrl = answer.baseUrl;
      const res = answer.res;
      assertOk(res);
      models = parseRegisteredModels(await res.json());
    } catch (error) {
      this.logger.warn(
        `Could not read the registered models from the Model Hub; the catalog keeps the ones it has until the hub answers: ${
          (error as Error)?.message ?? String(error)
        }`,
      );
      return undefined;
    }
    await this.connection.applyMutation({
      type: 'full',
      entities: models.map(model => {
        const entity = toCatalogEntity(model, baseUrl);
        return {
          entity,
          locationKey: entity.metadata.annotations![ANNOTATION_LOCATION],
        };
      }),
    });
    this.logger.debug(
      `Applied ${models.length} models registered through the Model Hub`,
    );
    return models.length;
  }
}
