import { DiscoveryApi, FetchApi } from '@backstage/core-plugin-api';
import { ResponseError } from '@backstage/errors';
import {
  INGESTION_SOURCES_PATH,
  IngestionSourcesResponse,
} from '@internal/plugin-model-hub-common';
import { IngestionApi } from './IngestionApi';

/** Talks to the ingestion module's routes (under the catalog plugin) as the signed-in user. */
export class IngestionClient implements IngestionApi {
  constructor(
    private readonly options: {
      discoveryApi: DiscoveryApi;
      fetchApi: FetchApi;
    },
  ) {}

  async listSources(): Promise<IngestionSourcesResponse> {
    const res = await this.call(INGESTION_SOURCES_PATH);
    const body = (await res.json()) as Partial<IngestionSourcesResponse>;
    return { items: body.items ?? [], canSync: body.canSync === true };
  }

  async syncSource(source: string): Promise<void> {
    await this.call(
      `${INGESTION_SOURCES_PATH}/${encodeURIComponent(source)}/sync`,
      { method: 'POST' },
    );
  }

  private async call(path: string, init?: RequestInit): Promise<Response> {
    const baseUrl = await this.options.discoveryApi.getBaseUrl('catalog');
    const res = await this.options.fetchApi.fetch(`${baseUrl}${path}`, init);
    if (!res.ok) throw await ResponseError.fromResponse(res);
    return res;
  }
}
