import { DiscoveryApi, FetchApi } from '@backstage/core-plugin-api';
import { ResponseError } from '@backstage/errors';
import {
  AccessTokenInfo,
  CreateAccessTokenRequest,
  CreatedAccessToken,
  modelHubTokenPaths,
} from '@internal/plugin-model-hub-common';
import { AccessTokensApi } from './AccessTokensApi';

/** Talks to the hub's token routes (`/api/model-hub/v1/tokens`) as the signed-in user. */
export class AccessTokensClient implements AccessTokensApi {
  private readonly discoveryApi: DiscoveryApi;
  private readonly fetchApi: FetchApi;

  constructor(options: { discoveryApi: DiscoveryApi; fetchApi: FetchApi }) {
    this.discoveryApi = options.discoveryApi;
    this.fetchApi = options.fetchApi;
  }

  async listTokens(): Promise<AccessTokenInfo[]> {
    const { items } = await this.call<{ items: AccessTokenInfo[] }>(
      modelHubTokenPaths.tokens,
    );
    return items;
  }

  async createToken(
    request: CreateAccessTokenRequest,
  ): Promise<CreatedAccessToken> {
    return this.call(modelHubTokenPaths.tokens, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify(request),
    });
  }

  async revokeToken(id: string): Promise<AccessTokenInfo> {
    return this.call(modelHubTokenPaths.token(id), { method: 'DELETE' });
  }

  private async call<T>(path: string, init?: RequestInit): Promise<T> {
    const baseUrl = await this.discoveryApi.getBaseUrl('model-hub');
    const response = await this.fetchApi.fetch(`${baseUrl}${path}`, init);
    if (!response.ok) {
      throw await ResponseError.fromResponse(response);
    }
    return (await response.json()) as T;
  }
}
