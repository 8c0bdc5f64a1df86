/**
 * The health of one ingestion source, as its last sync left it. `degraded`
 * means the source refused our credentials (401/403): its entities stay as
 * they were until it answers again.
 */
export interface IngestionSourceStatus {
  /** `mlflow:<id>` or `huggingface:<id>`. */
  source: string;
  state: 'never-synced' | 'ok' | 'degraded' | 'error';
  /** ISO time the last sync ended (successfully or not). */
  lastSyncAt?: string;
  /** ISO time of the last complete sync. */
  lastSuccessAt?: string;
  /** Models known from this source (present and removed-upstream). */
  entityCount: number;
  /** Entities emitted by the last sync (0 when nothing changed). */
  lastEmitted: number;
  /** One-line reason of the last failure. */
  lastError?: string;
}

/** `GET /api/catalog/model-hub-ingestion/sources`. */
export interface IngestionSourcesResponse {
  items: IngestionSourceStatus[];
  /** Whether the caller may start a sync ("sync now"). */
  canSync: boolean;
}

/** Path of the sources routes under the catalog plugin's base URL. */
export const INGESTION_SOURCES_PATH = '/model-hub-ingestion/sources';
