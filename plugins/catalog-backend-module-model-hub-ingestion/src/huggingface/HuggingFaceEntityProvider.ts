import {
  readSchedulerServiceTaskScheduleDefinitionFromConfig,
  SchedulerServiceTaskScheduleDefinition,
} from '@backstage/backend-plugin-api';
import { Config } from '@backstage/config';
import { Entity } from '@backstage/catalog-model';
import { readHuggingFaceConnection } from '@internal/plugin-model-hub-node';
import { SourceAuthError } from '../http/fetchWithRetry';
import { mapConcurrent } from '../mapConcurrent';
import { DEFAULT_INGESTION_SCHEDULE } from '../mlflow/MlflowEntityProvider';
import {
  IngestionEntityProvider,
  SourceListing,
  SourceProviderOptions,
} from '../provider/IngestionEntityProvider';
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
  /** Collection slugs (`namespace/title-slug-<id>`) whose models are mirrored. */
  collections: string[];
  schedule: SchedulerServiceTaskScheduleDefinition;
}

const COLLECTION_SLUG =
  /^[A-Za-z0-9][A-Za-z0-9._-]*\/[A-Za-z0-9][A-Za-z0-9._-]*$/;
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
  const collections = config.getOptionalStringArray('collections') ?? [];
  for (const slug of collections) {
    if (!COLLECTION_SLUG.test(slug)) {
      throw new Error(
        `modelHub.ingestion.huggingFace.collections entry "${slug}" must be a collection slug like org/my-picks-65f0c0ffee0123456789abcd`,
      );
    }
  }
  const { sourceId, endpoint, token } = readHuggingFaceConnection(config, env);
  return {
    sourceId,
    endpoint,
    token,
    owner: config.getString('owner'),
    defaultLicense: config.getOptionalString('defaultLicense') ?? 'NOASSERTION',
    namespace: config.getOptionalString('namespace') ?? 'default',
    models,
    globs,
    collections,
    schedule: config.has('schedule')
      ? readSchedulerServiceTaskScheduleDefinitionFromConfig(
          config.getConfig('schedule'),
        )
      : DEFAULT_INGESTION_SCHEDULE,
  };
}

/** Options of {@link HuggingFaceEntityProvider}. */
export type HuggingFaceEntityProviderOptions =
  SourceProviderOptions<HuggingFaceSourceConfig>;

/**
 * Entity provider of allow-listed Hugging Face models (exact ids,
 * `org/prefix-*` globs and the models of named collections): lists, reads each model's details and security
 * status (the shared sync loop of {@link IngestionEntityProvider} applies
 * what changed). A 401/403 on the listing degrades the source and changes
 * nothing; a 401/403 on one (gated) repo keeps that repo's last entity and
 * degrades the source.
 */
export class HuggingFaceEntityProvider extends IngestionEntityProvider {
  private readonly source: HuggingFaceSourceConfig;
  private readonly client: HuggingFaceClient;
  private readonly concurrency: number;

  constructor(options: HuggingFaceEntityProviderOptions) {
    super('huggingface', 'Hugging Face', options);
    this.source = options.source;
    this.client = new HuggingFaceClient({
      ...options.http,
      endpoint: options.source.endpoint,
      token: options.source.token,
    });
    this.concurrency = options.concurrency ?? 4;
  }

  protected async list(): Promise<SourceListing> {
    const refused: string[] = [];
    const ids = new Set(this.source.models);
    for (const glob of this.source.globs) {
      for (const id of await this.client.listGlob(glob)) ids.add(id);
    }
    for (const slug of this.source.collections) {
      for (const id of await this.client.collectionModels(slug)) {
        if (REPO_ID.test(id)) ids.add(id);
      }
    }
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
          // A refused repo seen before keeps its entity; one never seen is not known.
          return [id, this.tracker.previous(id)] as const;
        }
      },
    );
    const current = new Map<string, Entity>();
    for (const [id, entity] of results) if (entity) current.set(id, entity);
    return {
      current,
      partialRefusal:
        refused.length > 0
          ? `access refused (401/403) to ${refused.length} repos, e.g. ${refused[0]}; request access or check the token`
          : undefined,
    };
  }
}
