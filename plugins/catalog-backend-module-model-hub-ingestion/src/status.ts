import { IngestionSourceStatus } from '@internal/plugin-model-hub-common';

/**
 * The health of one ingestion source, as the last sync left it (the shape
 * the sources route serves, shared with the front end).
 */
export type SourceStatus = IngestionSourceStatus;
