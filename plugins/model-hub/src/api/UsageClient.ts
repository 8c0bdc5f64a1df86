import { DiscoveryApi, FetchApi } from '@backstage/core-plugin-api';
import { ResponseError } from '@backstage/errors';
import {
  DuplicateEffortReport,
  modelHubUsagePaths,
  usageDuplicatesPath,
  ModelUsage,
  TeamUsage,
  UsageRankBy,
  UsageTop,
  UsageWindow,
} from '@internal/plugin-model-hub-common';
import { UsageApi } from './UsageApi';
import { SharedGets } from './sharedGets';

/** Talks to the hub's usage routes as the signed-in user. */
export class UsageClient implements UsageApi {
  private readonly discoveryApi: DiscoveryApi;
  private readonly fetchApi: FetchApi;
  private readonly shared = new SharedGets();

  constructor(options: { discoveryApi: DiscoveryApi; fetchApi: FetchApi }) {
    this.discoveryApi = options.discoveryApi;
    this.fetchApi = options.fetchApi;
  }

  getModelUsage(entityRef: string): Promise<ModelUsage> {
    return this.call(modelHubUsagePaths.model(entityRef));
  }

  getTop(options: {
    window: UsageWindow;
    by: UsageRankBy;
    limit?: number;
  }): Promise<UsageTop> {
    return this.call(modelHubUsagePaths.top(options));
  }

  getTeamUsage(teamRef: string, window: UsageWindow): Promise<TeamUsage> {
    return this.call(modelHubUsagePaths.team(teamRef, window));
  }

  getDuplicates(window: UsageWindow): Promise<DuplicateEffortReport> {
    return this.call(usageDuplicatesPath(window));
  }

  private async call<T>(path: string): Promise<T> {
    return this.shared.get(path, async () => {
      const baseUrl = await this.discoveryApi.getBaseUrl('model-hub');
      const response = await this.fetchApi.fetch(`${baseUrl}${path}`);
      if (!response.ok) {
        throw await ResponseError.fromResponse(response);
      }
      return (await response.json()) as T;
    });
  }
}
