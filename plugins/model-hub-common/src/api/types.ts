import { FileScanResult, ModelFileFormat, ScanVerdict } from '../scan/types';

/**
 * Wire types of the Model Hub HTTP API (`/api/model-hub/v1/...`), shared by
 * the backend that serves them, the CLI and the front end that call them.
 */

/** A version is `draft` while files are uploaded and `sealed` (immutable) after. */
export type ModelVersionState = 'draft' | 'sealed';

/** One file of a model version, stored content-addressed by its SHA-256. */
export interface ModelVersionFile {
  /** Relative path inside the version, using `/` separators. */
  path: string;
  size: number;
  sha256: string;
  /** Format detected from the content by the scanner. */
  format: ModelFileFormat;
  /** The scanner's result for this file, taken when it was uploaded. */
  scan: FileScanResult;
  uploadedBy: string;
  uploadedAt: string;
}

/** A version of a Model entity. */
export interface ModelVersion {
  /** The Model entity ref, e.g. `model:default/support-assistant`. */
  entityRef: string;
  /** Semantic version, e.g. `1.2.0`. */
  version: string;
  state: ModelVersionState;
  description?: string;
  files: ModelVersionFile[];
  /** Aliases currently pointing at this version, e.g. `latest`, `champion`. */
  aliases: string[];
  /** Worst verdict over the files (`unsafe` > `error` > `unsupported` > `safe`); `safe` when no files. */
  scanVerdict: ScanVerdict;
  /** Entity ref of the user or service that created the version. */
  createdBy: string;
  createdAt: string;
  sealedAt?: string;
}

/** Body of `POST /v1/models/:namespace/:name/versions`. */
export interface CreateModelVersionRequest {
  version: string;
  description?: string;
  /**
   * Optional manifest: the files the publisher will upload. A new draft
   * declares it, and the seal is refused (409) unless the uploaded files
   * match it exactly (path, size when given, SHA-256). When the version is
   * already sealed, a manifest equal to its files makes the call an
   * idempotent no-op (200); any difference is a 409 Conflict.
   */
  files?: ModelVersionManifestEntry[];
}

/** One declared file of a version manifest. */
export interface ModelVersionManifestEntry {
  path: string;
  sha256: string;
  /** Size in bytes; compared when given. */
  size?: number;
}

/**
 * Body of `POST /v1/models/:namespace/:name/versions/:version/seal`
 * (optional): a manifest the uploaded files must match, for clients that
 * learn the hashes only while uploading.
 */
export interface SealModelVersionRequest {
  files?: ModelVersionManifestEntry[];
}

/** Body of `PUT /v1/models/:namespace/:name/aliases/:alias`. */
export interface SetAliasRequest {
  version: string;
}

/** A list response. */
export interface ListResponse<T> {
  items: T[];
}

/** Header a client sets on an upload to declare the expected SHA-256 (hex). */
export const MODEL_HUB_SHA256_HEADER = 'x-model-hub-sha256';

/**
 * Header a client sets on a file download (value `redirect`) to accept a 307
 * redirect to a short-lived presigned URL of the artifact store, when the hub
 * offers direct transfers. Browsers do not send it and keep streaming through
 * the hub.
 */
export const MODEL_HUB_DIRECT_DOWNLOAD_HEADER = 'x-model-hub-direct';
