import { DiscoveryApi, FetchApi } from '@backstage/core-plugin-api';
import { ResponseError } from '@backstage/errors';
import {
  ModelImport,
  ModelImportsResponse,
  modelHubApiPaths,
  UpstreamModelCard,
} from '@internal/plugin-model-hub-common';
import { ImportApi } from './ImportApi';

/** Talks to the hub's import routes as the signed-in user. */
export class ImportClient implements ImportApi {
  constructor(
    private readonly options: {
      discoveryApi: DiscoveryApi;
      fetchApi: FetchApi;
    },
  ) {}

  listImports(entityRef: string): Promise<ModelImportsResponse> {
    return this.call(modelHubApiPaths.imports(entityRef));
  }

  importVersion(entityRef: string, version?: string): Promise<ModelImport> {
    return this.call(modelHubApiPaths.importVersion(entityRef), {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify(version ? { version } : {}),
    });
  }

  readUpstreamCard(entityRef: string): Promise<UpstreamModelCard> {
    return this.call(modelHubApiPaths.upstreamCard(entityRef));
  }

  private async call<T>(path: string, init?: RequestInit): Promise<T> {
    const baseUrl = await this.options.discoveryApi.getBaseUrl('model-hub');
    const response = await this.options.fetchApi.fetch(
      `${baseUrl}${path}`,
      init,
    );
    if (!response.ok) {
      const error = await ResponseError.fromResponse(response);
      // The hub's own one-line reason, not the generic status line.
      throw new Error(error.body?.error?.message ?? error.message);
    }
    return (await response.json()) as T;
  }
}
