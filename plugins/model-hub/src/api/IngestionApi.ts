import { createApiRef } from '@backstage/core-plugin-api';
import { IngestionSourcesResponse } from '@internal/plugin-model-hub-common';

/** The federated ingestion sources (MLflow registries, Hugging Face) and "sync now". */
export interface IngestionApi {
  /** Each source's status, and whether the caller may start a sync. */
  listSources(): Promise<IngestionSourcesResponse>;
  /** Starts a sync of `source` (e.g. `huggingface:hf`) now; the status shows the outcome. */
  syncSource(source: string): Promise<void>;
}

/** API reference for the {@link IngestionApi}. */
export const ingestionApiRef = createApiRef<IngestionApi>({
  id: 'plugin.model-hub.ingestion',
});
