// The keys live in -common: the hub backend (import) and the front end read them too.
export { INGESTION_ANNOTATIONS } from '@internal/plugin-model-hub-common';
