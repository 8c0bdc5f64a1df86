import { createApiRef } from '@backstage/core-plugin-api';
import {
  AuditQuery,
  AuditRecord,
  WebhookDelivery,
} from '@internal/plugin-model-hub-common';

/** The hub's admin views: audit trail and webhook deliveries (governance group). */
export interface AdminApi {
  /** Audit records matching the filters, newest first. */
  listAudit(query: AuditQuery): Promise<AuditRecord[]>;
  /** The CSV export of the same filters. */
  downloadAuditCsv(query: AuditQuery): Promise<Blob>;
  /** The latest webhook delivery attempts. */
  listDeliveries(): Promise<WebhookDelivery[]>;
}

/** API reference for the {@link AdminApi}. */
export const adminApiRef = createApiRef<AdminApi>({
  id: 'plugin.model-hub.admin',
});
