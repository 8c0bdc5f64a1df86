import { DiscoveryApi, FetchApi } from '@backstage/core-plugin-api';
import { ResponseError } from '@backstage/errors';
import {
  ListResponse,
  ModelSearchFacetsResponse,
  ModelSearchQuery,
  ModelSearchResponse,
  ModelStewardshipOverrides,
  ModelVersion,
  modelHubApiPaths,
  modelHubSimilarPaths,
  modelSearchParams,
  SimilarModelsRequest,
  SimilarModelsResponse,
  StewardshipActionResult,
  FILE_PREVIEW_QUERY,
} from '@internal/plugin-model-hub-common';
import { readFileRange } from './readFileRange';
import { SharedGets } from './sharedGets';
import {
  GauntletRun,
  ModelGauntlet,
  ModelGauntletResult,
  ModelHubApi,
  StewardshipTask,
  VersionFileContent,
  StewardshipTasksResult,
} from './ModelHubApi';

/** Path of the planned stewardship tasks route (relative to the plugin base URL). */
export const STEWARDSHIP_TASKS_PATH = '/v1/stewardship/tasks';

/** `/v1/stewardship/models/:namespace/:name` of a model ref. */
function stewardshipModelPath(entityRef: string): string {
  return modelHubApiPaths
    .versions(entityRef)
    .replace(/^\/v1\/models\//, '/v1/stewardship/models/')
    .replace(/\/versions$/, '');
}

/** Talks to the Model Hub backend (`/api/model-hub`) over HTTP. */
export class ModelHubClient implements ModelHubApi {
  private readonly discoveryApi: DiscoveryApi;
  private readonly fetchApi: FetchApi;
  private readonly shared = new SharedGets();

  constructor(options: { discoveryApi: DiscoveryApi; fetchApi: FetchApi }) {
    this.discoveryApi = options.discoveryApi;
    this.fetchApi = options.fetchApi;
  }

  async listVersions(entityRef: string): Promise<ModelVersion[]> {
    const body = await this.getJson<ListResponse<ModelVersion>>(
      modelHubApiPaths.versions(entityRef),
    );
    return body.items;
  }

  async getFileDownloadUrl(
    entityRef: string,
    versionOrAlias: string,
    path: string,
  ): Promise<string> {
    const baseUrl = await this.discoveryApi.getBaseUrl('model-hub');
    return `${baseUrl}${modelHubApiPaths.file(
      entityRef,
      versionOrAlias,
      path,
    )}`;
  }

  async readFile(
    entityRef: string,
    versionOrAlias: string,
    path: string,
    options: { maxBytes: number; preview?: boolean },
  ): Promise<VersionFileContent> {
    const file = modelHubApiPaths.file(entityRef, versionOrAlias, path);
    const { name, value } = FILE_PREVIEW_QUERY;
    return readFileRange(
      await this.fetch(options.preview ? `${file}?${name}=${value}` : file, {
        headers: { Range: `bytes=0-${Math.max(0, options.maxBytes - 1)}` },
      }),
      options.maxBytes,
    );
  }

  async getTasks(
    options: { owner: string } | { entityRef: string },
  ): Promise<StewardshipTasksResult> {
    const query = new URLSearchParams(
      'owner' in options
        ? { owner: options.owner }
        : { entityRef: options.entityRef },
    );
    const response = await this.fetch(`${STEWARDSHIP_TASKS_PATH}?${query}`);
    if (response.status === 404) {
      return { available: false };
    }
    if (!response.ok) {
      throw await ResponseError.fromResponse(response);
    }
    const body = (await response.json()) as ListResponse<StewardshipTask>;
    return { available: true, items: body.items };
  }

  async getGauntlet(entityRef: string): Promise<ModelGauntletResult> {
    const response = await this.fetch(modelHubApiPaths.gauntlet(entityRef));
    if (response.status === 404) {
      return { available: false };
    }
    if (!response.ok) {
      throw await ResponseError.fromResponse(response);
    }
    return {
      available: true,
      gauntlet: (await response.json()) as ModelGauntlet,
    };
  }

  async getGauntletRuns(
    entityRef: string,
    version: string,
  ): Promise<GauntletRun[]> {
    const body = await this.getJson<ListResponse<GauntletRun>>(
      modelHubApiPaths.gauntletRuns(entityRef, version),
    );
    return body.items;
  }

  async searchModels(
    query: ModelSearchQuery,
    options?: { signal?: AbortSignal },
  ): Promise<ModelSearchResponse> {
    return this.getJson<ModelSearchResponse>(
      `${modelHubApiPaths.models()}?${modelSearchParams(query)}`,
      options?.signal,
    );
  }

  async searchModelFacets(
    query: ModelSearchQuery,
    options?: { signal?: AbortSignal },
  ): Promise<ModelSearchFacetsResponse> {
    const {
      cursor: _cursor,
      facets: _facets,
      limit: _limit,
      ...filter
    } = query;
    return this.getJson<ModelSearchFacetsResponse>(
      `${modelHubApiPaths.modelFacets()}?${modelSearchParams(filter)}`,
      options?.signal,
    );
  }

  async findSimilarModels(
    request: SimilarModelsRequest,
  ): Promise<SimilarModelsResponse> {
    return this.getJson(modelHubSimilarPaths.query(request));
  }

  async actOnTask(
    taskId: string,
    action:
      | { type: 'snooze'; until: string; reason?: string }
      | { type: 'request-waiver'; until: string; reason: string }
      | { type: 'approve-waiver' },
  ): Promise<StewardshipActionResult> {
    const base = `${STEWARDSHIP_TASKS_PATH}/${encodeURIComponent(taskId)}`;
    const { type, ...body } = action;
    const path = {
      snooze: `${base}/snooze`,
      'request-waiver': `${base}/waiver`,
      'approve-waiver': `${base}/waiver/approve`,
    }[type];
    return this.send('POST', path, body);
  }

  async reassignSteward(
    entityRef: string,
    steward: string,
  ): Promise<StewardshipActionResult> {
    return this.send('PUT', `${stewardshipModelPath(entityRef)}/steward`, {
      steward,
    });
  }

  async archiveModel(
    entityRef: string,
    reason: string,
  ): Promise<StewardshipActionResult> {
    return this.send('POST', `${stewardshipModelPath(entityRef)}/archive`, {
      reason,
    });
  }

  async withdrawPromotion(entityRef: string, requestId: number) {
    return this.send(
      'POST',
      `${modelHubApiPaths.promotionRequests(entityRef)}/${requestId}/withdraw`,
      {},
    );
  }

  async getModelOverrides(
    entityRef: string,
  ): Promise<ModelStewardshipOverrides> {
    return this.getJson(`${stewardshipModelPath(entityRef)}/overrides`);
  }

  /** Sends a JSON body; a refusal rejects with the hub's one-line message. */
  private async send<T>(method: string, path: string, body: object) {
    const baseUrl = await this.discoveryApi.getBaseUrl('model-hub');
    const response = await this.fetchApi.fetch(`${baseUrl}${path}`, {
      method,
      headers: { 'Content-Type': 'application/json' },
      body: JSON.stringify(body),
    });
    if (!response.ok) {
      const error = await ResponseError.fromResponse(response);
      throw new Error(error.body?.error?.message ?? error.message);
    }
    return (await response.json()) as T;
  }

  private async fetch(path: string, init?: RequestInit): Promise<Response> {
    const baseUrl = await this.discoveryApi.getBaseUrl('model-hub');
    return this.fetchApi.fetch(`${baseUrl}${path}`, init);
  }

  /** A GET shared with identical ones in flight, or, with a `signal`, its own (one caller may cancel it). */
  private async getJson<T>(path: string, signal?: AbortSignal): Promise<T> {
    const load = async () => {
      const response = await this.fetch(path, signal ? { signal } : undefined);
      if (!response.ok) {
        throw await ResponseError.fromResponse(response);
      }
      return (await response.json()) as T;
    };
    return signal ? load() : this.shared.get(path, load);
  }
}
