import { createApiRef } from '@backstage/core-plugin-api';
import {
  ModelImport,
  ModelImportsResponse,
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
}

/** API reference for the {@link ImportApi}. */
export const importApiRef = createApiRef<ImportApi>({
  id: 'plugin.model-hub.import',
});
