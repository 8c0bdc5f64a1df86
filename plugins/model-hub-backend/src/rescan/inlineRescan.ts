import { ModelVersionFile } from '@internal/plugin-model-hub-common';
import { ArtifactStore } from '../artifacts/ArtifactStore';
import { FileScanner } from '../artifacts/FileScanner';
import { CurrentScan, GauntletScanFreshness } from '../gauntlet/scanFreshness';
import { needsRescan } from './Rescanner';
import { RescanStore } from './RescanStore';
import { scanStoredBlob } from './scanStoredBlob';

/**
 * What a gauntlet run learns of verdicts the background rescan has not
 * reached yet: it rescans such files itself, smallest first, up to
 * `maxBytes` per run (a run must stay cheap and bounded), and marks the
 * rest pending, so no tier is earned on an older scanner's verdict. The
 * fresh results are not stored: the background rescan stores them, removes
 * protected aliases and re-runs the gauntlet on a changed verdict.
 */
export class InlineRescan implements GauntletScanFreshness {
  readonly #store: RescanStore;
  readonly #artifacts: ArtifactStore;
  readonly #scanner: FileScanner;
  readonly #maxBytes: number;

  constructor(options: {
    store: RescanStore;
    artifacts: ArtifactStore;
    scanner: FileScanner;
    maxBytes: number;
  }) {
    this.#store = options.store;
    this.#artifacts = options.artifacts;
    this.#scanner = options.scanner;
    this.#maxBytes = options.maxBytes;
  }

  async currentScans(
    entityRef: string,
    version: string,
    files: ModelVersionFile[],
  ): Promise<Map<string, CurrentScan>> {
    const result = new Map<string, CurrentScan>();
    const current = this.#scanner.version;
    if (!current) return result;
    const stored = await this.#store.scannerVersionsOf(entityRef, version);
    const stale = files
      .map(file => ({
        file,
        // A file not stored as read (it cannot change once sealed) counts
        // as scanned by no known scanner.
        scannedBy:
          stored.get(file.path)?.sha256 === file.sha256
            ? stored.get(file.path)!.scannerVersion
            : null,
      }))
      .filter(s => needsRescan(s.scannedBy, current))
      .sort((a, b) => a.file.size - b.file.size);
    let budget = this.#maxBytes;
    for (const { file, scannedBy } of stale) {
      if (file.size > budget) {
        result.set(file.path, {
          path: file.path,
          pending: { scannedBy, current },
        });
        continue;
      }
      budget -= file.size;
      const scan = await scanStoredBlob(this.#artifacts, this.#scanner, {
        sha256: file.sha256,
        path: file.path,
        label: `${entityRef}@${version}/${file.path}`,
      });
      result.set(file.path, { path: file.path, scan });
    }
    return result;
  }
}
