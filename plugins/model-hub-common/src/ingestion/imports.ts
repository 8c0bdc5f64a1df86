import { Entity } from '@backstage/catalog-model';
import { INGESTION_ANNOTATIONS } from './annotations';

/** Where an import stands: running, done (the hub version is sealed) or failed with a reason. */
export type ModelImportState = 'importing' | 'imported' | 'failed';

/** One import of an upstream version of an ingested model into the hub's store. */
export interface ModelImport {
  entityRef: string;
  /** The hub version it publishes, e.g. `3.0.0` (MLflow 3) or `0.0.0-g<sha>` (Hugging Face). */
  version: string;
  /** The ingestion source, e.g. `mlflow:prod` or `huggingface:hf`. */
  source: string;
  /** The upstream model id (MLflow name, Hugging Face repo id). */
  remoteId: string;
  /** The upstream version: an MLflow version number or a Hugging Face commit sha. */
  remoteVersion: string;
  state: ModelImportState;
  /** One line saying why it failed (state `failed`). */
  error?: string;
  /** Who asked for it: a user ref, or `model-hub:auto-import`. */
  requestedBy: string;
  startedAt: string;
  finishedAt?: string;
}

/** Body of `POST /v1/models/:ns/:name/import`. */
export interface ImportModelVersionRequest {
  /** The upstream version to import; default the revision the catalog mirrors. */
  version?: string;
}

/** Source, remote id and mirrored revision of an ingested entity, or undefined when it was not ingested. */
export function ingestionOrigin(
  entity: Entity,
): { source: string; remoteId: string; revision?: string } | undefined {
  const a = entity.metadata.annotations ?? {};
  const source = a[INGESTION_ANNOTATIONS.source];
  const remoteId = a[INGESTION_ANNOTATIONS.remoteId];
  if (!source || !remoteId) return undefined;
  return { source, remoteId, revision: a[INGESTION_ANNOTATIONS.revision] };
}

/**
 * The hub version an upstream version is imported as: MLflow's integer
 * versions become `N.0.0`; a Hugging Face commit becomes `0.0.0-g<sha>`
 * (a semver pre-release pinned to the commit, as `git describe` names it).
 * Undefined when the upstream version cannot be mapped.
 */
export function importedVersionName(
  source: string,
  remoteVersion: string,
): string | undefined {
  if (source.startsWith('mlflow:')) {
    return /^[1-9]\d{0,8}$/.test(remoteVersion)
      ? `${remoteVersion}.0.0`
      : undefined;
  }
  if (source.startsWith('huggingface:')) {
    return /^[0-9a-f]{40}$/.test(remoteVersion)
      ? `0.0.0-g${remoteVersion}`
      : undefined;
  }
  return undefined;
}

/** Answer of `GET /v1/models/:ns/:name/imports`. */
export interface ModelImportsResponse {
  /** Imports of the model, newest first. */
  items: ModelImport[];
  /** True when the model came from a configured source and the caller may import from it. */
  canImport: boolean;
}

/**
 * Answer of `GET /v1/models/:ns/:name/upstream-card`: the model card
 * (`README.md`) of an ingested model at the revision the catalog mirrors,
 * read by the hub from its source (untrusted Markdown: render it sanitised).
 */
export interface UpstreamModelCard {
  /** The ingestion source, e.g. `huggingface:hf`. */
  source: string;
  /** The upstream model id, e.g. `acme/tiny`. */
  remoteId: string;
  /** The revision the card was read at (a commit sha). */
  revision: string;
  /** The card's Markdown (at most the first 256 KiB). */
  markdown: string;
  /** True when the card was longer and cut at 256 KiB. */
  truncated: boolean;
}
