import { FileScanResult } from '@internal/plugin-model-hub-common';
import { scanFile } from '@internal/plugin-model-hub-node';

/**
 * Scans one uploaded file for unsafe content. Injectable so that a portal can
 * put a different or additional scanner in front of the artifact store.
 */
export interface FileScanner {
  /**
   * Scans the local file at `filePath`; `displayPath` is the file's path in
   * the model version, used in the result and its findings.
   */
  scan(filePath: string, displayPath: string): Promise<FileScanResult>;
}

/** The Model Hub scanner from `@internal/plugin-model-hub-node`. */
export const defaultFileScanner: FileScanner = {
  scan: (filePath, displayPath) => scanFile(filePath, { displayPath }),
};
