/**
 * Result types of the model-file security scanner. Shared by the backend
 * (stored with each version), the CLI (`model-hub scan --json`) and the UI.
 */

/** How bad a finding is. `critical` and `high` make a file `unsafe`. */
export type ScanSeverity = 'critical' | 'high' | 'medium' | 'low';

/**
 * The overall verdict for one file:
 * `unsafe` when any critical or high finding, `error` when the file could not
 * be fully parsed, `unsupported` when the content is not a model format,
 * otherwise `safe`.
 */
export type ScanVerdict = 'safe' | 'unsafe' | 'error' | 'unsupported';

/** One thing the scanner found in a file. */
export interface ScanFinding {
  severity: ScanSeverity;
  /** Stable rule id, e.g. `pickle/dangerous-import`, `zip/path-traversal`. */
  rule: string;
  /** A sentence a human can act on. */
  message: string;
  /** Where in the file: e.g. `data.pkl@offset 1234`, `header.__metadata__`. */
  location?: string;
}

/** Detected content format of a file (by content, never by name). */
export type ModelFileFormat =
  | 'pickle'
  | 'pytorch-zip'
  | 'zip'
  | 'numpy'
  | 'numpy-zip'
  | 'safetensors'
  | 'gguf'
  | 'keras'
  | 'onnx'
  | 'tar'
  | 'hdf5'
  | 'msgpack'
  | 'tflite'
  | 'unknown';

/** The scan result of one file. */
export interface FileScanResult {
  path: string;
  format: ModelFileFormat;
  verdict: ScanVerdict;
  sha256: string;
  size: number;
  findings: ScanFinding[];
}

/** Identifies the scanner that produced a result. */
export interface ScannerInfo {
  name: string;
  version: string;
}
