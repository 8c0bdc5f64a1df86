import { DiscoveryApi, FetchApi } from '@backstage/core-plugin-api';
import { ResponseError } from '@backstage/errors';
import {
  AuditQuery,
  AuditRecord,
  modelHubAdminPaths,
  WebhookDelivery,
} from '@internal/plugin-model-hub-common';
import { AdminApi } from './AdminApi';

/** Talks to the hub's admin routes as the signed-in user. */
export class AdminClient implements AdminApi {
  private readonly discoveryApi: DiscoveryApi;
  private readonly fetchApi: FetchApi;

  constructor(options: { discoveryApi: DiscoveryApi; fetchApi: FetchApi }) {
    this.discoveryApi = options.discoveryApi;
    this.fetchApi = options.fetchApi;
  }

  async listAudit(query: AuditQuery): Promise<AuditRecord[]> {
    const res = await this.get(modelHubAdminPaths.audit(query));
    return ((await res.json()) as { items: AuditRecord[] }).items;
  }

  async downloadAuditCsv(query: AuditQuery): Promise<Blob> {
    return (await this.get(modelHubAdminPaths.audit(query, 'csv'))).blob();
  }

  async listDeliveries(): Promise<WebhookDelivery[]> {
    const res = await this.get(modelHubAdminPaths.deliveries);
    return ((await res.json()) as { items: WebhookDelivery[] }).items;
  }

  private async get(path: string): Promise<Response> {
    const baseUrl = await this.discoveryApi.getBaseUrl('model-hub');
    const response = await this.fetchApi.fetch(`${baseUrl}${path}`);
    if (!response.ok) {
      throw await ResponseError.fromResponse(response);
    }
    return response;
  }
}
