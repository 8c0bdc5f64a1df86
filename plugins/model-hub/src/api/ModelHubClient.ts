import { DiscoveryApi, FetchApi } from '@backstage/core-plugin-api';
import { ResponseError } from '@backstage/errors';
import {
  ListResponse,
  ModelSearchQuery,
  ModelSearchResponse,
  ModelVersion,
  modelHubApiPaths,
  modelSearchParams,
} from '@internal/plugin-model-hub-common';
import { readFileRange } from './readFileRange';
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

/** Talks to the Model Hub backend (`/api/model-hub`) over HTTP. */
export class ModelHubClient implements ModelHubApi {
  private readonly discoveryApi: DiscoveryApi;
  private readonly fetchApi: FetchApi;

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
    options: { maxBytes: number },
  ): Promise<VersionFileContent> {
    return readFileRange(
      await this.fetch(modelHubApiPaths.file(entityRef, versionOrAlias, path), {
        headers: { Range: `bytes=0-${Math.max(0, options.maxBytes - 1)}` },
      }),
      options.maxBytes,
    );
  }

  async getTasks(options: { owner: string }): Promise<StewardshipTasksResult> {
    const query = new URLSearchParams({ owner: options.owner });
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

  async searchModels(query: ModelSearchQuery): Promise<ModelSearchResponse> {
    return this.getJson<ModelSearchResponse>(
      `${modelHubApiPaths.models()}?${modelSearchParams(query)}`,
    );
  }

  private async fetch(path: string, init?: RequestInit): Promise<Response> {
    const baseUrl = await this.discoveryApi.getBaseUrl('model-hub');
    return this.fetchApi.fetch(`${baseUrl}${path}`, init);
  }

  private async getJson<T>(path: string): Promise<T> {
    const response = await this.fetch(path);
    if (!response.ok) {
      throw await ResponseError.fromResponse(response);
    }
    return (await response.json()) as T;
  }
}
