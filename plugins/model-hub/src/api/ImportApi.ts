import { createApiRef } from '@backstage/core-plugin-api';
import {
  ModelImport,
  ModelImportsResponse,
  UpstreamModelCard,
} from '@internal/plugin-model-hub-common';

/** Import of ingested models' upstream versions into the hub. */
export interface ImportApi {
  /** The model's imports and whether the signed-in person may start one. */
  listImports(entityRef: string): Promise<ModelImportsResponse>;
  /**
   * Imports an upstream version (default: the revision the catalog mirrors).
   * Refusals reject with an Error whose message is the hub's one-line reason.
   */
  importVersion(entityRef: string, version?: string): Promise<ModelImport>;
  /**
   * The model card of an ingested model at the revision the catalog
   * mirrors, read by the hub from the source; rejects (404) when there is none.
   */
  readUpstreamCard(entityRef: string): Promise<UpstreamModelCard>;
}

/** API reference for the {@link ImportApi}. */
export const importApiRef = createApiRef<ImportApi>({
  id: 'plugin.model-hub.import',
});
