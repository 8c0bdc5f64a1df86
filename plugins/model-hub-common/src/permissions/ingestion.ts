import { createPermission } from '@backstage/plugin-permission-common';

/**
 * Starting a sync of an ingestion source now ("sync now" on the sources
 * status page), instead of waiting for its schedule. Not tied to a model.
 * Default policy: the governance group.
 */
export const modelHubIngestionSyncPermission = createPermission({
  name: 'model-hub.ingestion.sync',
  attributes: { action: 'update' },
});
