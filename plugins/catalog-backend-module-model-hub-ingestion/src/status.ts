/**
 * The health of one ingestion source, as the last sync left it. `degraded`
 * means the source refused our credentials (401/403): its entities stay
 * as they were until it answers again.
 */
export interface SourceStatus {
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
