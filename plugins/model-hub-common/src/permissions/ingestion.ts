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

/**
 * Importing an upstream version of an ingested model into the hub's store
 * (fetched from the source, then published like an upload). Acts on the
 * model. Default policy: the model's owners and the governance group.
 */
export const modelVersionImportPermission = createPermission({
  name: 'model-hub.version.import',
  attributes: { action: 'create' },
  resourceType: 'model-hub-model',
});
