import { FileScanResult } from '@internal/plugin-model-hub-common';
import { SCANNER_INFO, scanFile } from '@internal/plugin-model-hub-node';

/**
 * Scans one uploaded file for unsafe content. Injectable so that a portal can
 * put a different or additional scanner in front of the artifact store.
 */
export interface FileScanner {
  /**
   * Scans the local file at `filePath`; `displayPath` is the file's path in
   * the model version, used in the result and its findings; `sha256`, when
   * the caller hashed exactly these bytes already, spares a second hash.
   */
  scan(
    filePath: string,
    displayPath: string,
    options?: { sha256?: string },
  ): Promise<FileScanResult>;
  /** Version of the scanner's rules, stored with each result; a newer one rescans stored files. */
  readonly version?: string;
}

/** The Model Hub scanner from `@internal/plugin-model-hub-node`. */
export const defaultFileScanner: FileScanner = createFileScanner();

/**
 * The Model Hub scanner with options from `modelHub.scanner`
 * (e.g. `trustedGlobals`, which extends the pickle allowlist).
 */
export function createFileScanner(
  options: { trustedGlobals?: string[] } = {},
): FileScanner {
  return {
    scan: (filePath, displayPath, known) =>
      scanFile(filePath, {
        ...options,
        displayPath,
        knownSha256: known?.sha256,
      }),
    version: SCANNER_INFO.version,
  };
}
