import { AuditorService, LoggerService } from '@backstage/backend-plugin-api';
import { ScanVerdict } from '@internal/plugin-model-hub-common';
import semver from 'semver';
import { ArtifactStore } from '../artifacts/ArtifactStore';
import { FileScanner } from '../artifacts/FileScanner';
import {
  RemovedAlias,
  RescanStore,
  RescanUpdate,
  StoredFileScan,
} from './RescanStore';
import { scanStoredBlob } from './scanStoredBlob';

/** One file whose verdict a rescan changed. */
export interface VerdictChange {
  path: string;
  before: ScanVerdict;
  after: ScanVerdict;
}

/** Called once per sealed version whose verdicts changed in a batch. */
export type VerdictChangeListener = (change: {
  entityRef: string;
  version: string;
  scannerVersion: string;
  files: VerdictChange[];
}) => Promise<void>;

/**
 * Called once per sealed version of a batch whose rescanned files kept
 * their verdicts: a gauntlet run that found them pending can decide now.
 */
export type VerdictConfirmedListener = (confirmed: {
  entityRef: string;
  version: string;
  scannerVersion: string;
}) => Promise<void>;

/** What one {@link Rescanner.run} did. */
export interface RescanSummary {
  scannerVersion: string;
  /** Files rescanned by this call. */
  scanned: number;
  /** Files whose verdict this call changed. */
  changed: number;
  /** True when every stored file is now scanned by this scanner version. */
  finished: boolean;
}

/** Who the audit trail names for what the rescan changes: the hub's own rescan. */
export const RESCAN_ACTOR = 'model-hub:rescan';

/** Whether a result stored by `stored` is older than the running scanner. */
export function needsRescan(stored: string | null, current: string): boolean {
  if (stored === null) return true;
  if (!semver.valid(stored) || !semver.valid(current))
    return stored !== current;
  return semver.lt(stored, current);
}

/**
 * Rescans stored files whose results come from an older scanner, reading
 * their blobs from the artifact store, in batches. Each batch's results and
 * the cursor are committed together, so a restart continues after the last
 * committed batch. Versions whose verdicts changed are reported to the
 * listener after their batch is committed; a version found unsafe loses its
 * `latest` and `champion` aliases with the batch (logged as a warning, and
 * one audit event per alias, by {@link RESCAN_ACTOR}).
 */
export class Rescanner {
  readonly #store: RescanStore;
  readonly #artifacts: ArtifactStore;
  readonly #scanner: FileScanner;
  readonly #scannerVersion: string;
  readonly #batchSize: number;
  readonly #logger: LoggerService;
  readonly #auditor: AuditorService;
  readonly #onVerdictChanged: VerdictChangeListener;
  readonly #onVerdictConfirmed?: VerdictConfirmedListener;
  readonly #clock: () => Date;

  /** Wires the rescanner; `scanner.version` must be set. */
  constructor(options: {
    store: RescanStore;
    artifacts: ArtifactStore;
    scanner: FileScanner;
    batchSize: number;
    logger: LoggerService;
    /** Records every alias the rescan takes off a version. */
    auditor: AuditorService;
    onVerdictChanged: VerdictChangeListener;
    onVerdictConfirmed?: VerdictConfirmedListener;
    clock?: () => Date;
  }) {
    if (!options.scanner.version) {
      throw new Error('The rescan needs a scanner that reports its version');
    }
    this.#store = options.store;
    this.#artifacts = options.artifacts;
    this.#scanner = options.scanner;
    this.#scannerVersion = options.scanner.version;
    this.#batchSize = options.batchSize;
    this.#logger = options.logger;
    this.#auditor = options.auditor;
    this.#onVerdictChanged = options.onVerdictChanged;
    this.#onVerdictConfirmed = options.onVerdictConfirmed;
    this.#clock = options.clock ?? (() => new Date());
  }

  /** Runs (or continues) the rescan to its end; a finished rescan returns at once. */
  async run(): Promise<RescanSummary> {
    const version = this.#scannerVersion;
    const progress = await this.#store.begin(version, this.#clock());
    const summary: RescanSummary = {
      scannerVersion: version,
      scanned: 0,
      changed: 0,
      finished: progress.finished,
    };
    if (progress.finished) return summary;
    let cursor = progress.cursor;
    for (;;) {
      const batch = await this.#store.nextFiles(cursor, this.#batchSize);
      if (batch.length === 0) break;
      const updates: RescanUpdate[] = [];
      const changes = new Map<
        number,
        { file: StoredFileScan; changes: VerdictChange[] }
      >();
      for (const file of batch) {
        if (!needsRescan(file.scannerVersion, version)) continue;
        const scan = await this.#scanBlob(file);
        updates.push({
          versionId: file.versionId,
          path: file.path,
          sha256: file.sha256,
          scan,
        });
        if (scan.verdict !== file.verdict) {
          const entry = changes.get(file.versionId) ?? { file, changes: [] };
          entry.changes.push({
            path: file.path,
            before: file.verdict,
            after: scan.verdict,
          });
          changes.set(file.versionId, entry);
        }
      }
      const last = batch[batch.length - 1];
      cursor = { versionId: last.versionId, path: last.path };
      const changedFiles = [...changes.values()].reduce(
        (n, c) => n + c.changes.length,
        0,
      );
      const removed = await this.#store.commitBatch({
        scannerVersion: version,
        updates,
        cursor,
        scanned: updates.length,
        changed: changedFiles,
      });
      await this.#reportRemovedAliases(removed, updates);
      summary.scanned += updates.length;
      summary.changed += changedFiles;
      // Sealed now, not when read: a draft sealed meanwhile has its seal's
      // gauntlet run to re-decide as well.
      const sealed = await this.#store.sealedAmong([
        ...new Set(updates.map(u => u.versionId)),
      ]);
      const confirmed = new Map<number, StoredFileScan>();
      for (const file of batch) {
        if (
          sealed.has(file.versionId) &&
          !changes.has(file.versionId) &&
          updates.some(u => u.versionId === file.versionId)
        ) {
          confirmed.set(file.versionId, file);
        }
      }
      for (const file of confirmed.values()) {
        try {
          await this.#onVerdictConfirmed?.({
            entityRef: file.entityRef,
            version: file.version,
            scannerVersion: version,
          });
        } catch (e) {
          this.#logger.warn(
            `Reacting to confirmed scan verdicts of ${file.entityRef}@${file.version} failed: ${e}`,
          );
        }
      }
      for (const { file, changes: files } of changes.values()) {
        if (!sealed.has(file.versionId)) continue;
        try {
          await this.#onVerdictChanged({
            entityRef: file.entityRef,
            version: file.version,
            scannerVersion: version,
            files,
          });
        } catch (e) {
          this.#logger.warn(
            `Reacting to changed scan verdicts of ${file.entityRef}@${file.version} failed: ${e}`,
          );
        }
      }
    }
    await this.#store.finish(version, this.#clock());
    summary.finished = true;
    this.#logger.info(
      `Rescan with scanner ${version} finished: ${summary.scanned} file(s) rescanned in this run, ${summary.changed} verdict(s) changed`,
    );
    return summary;
  }

  /**
   * Logs, per version, the protected aliases a batch took off it, and
   * audits each removal (the files found unsafe and the scanner in meta).
   */
  async #reportRemovedAliases(
    removed: RemovedAlias[],
    updates: RescanUpdate[],
  ): Promise<void> {
    const byVersion = new Map<string, string[]>();
    for (const r of removed) {
      const key = `${r.entityRef}@${r.version}`;
      byVersion.set(key, [...(byVersion.get(key) ?? []), r.alias]);
    }
    for (const [version, aliases] of byVersion) {
      this.#logger.warn(
        `Rescan found an unsafe file in ${version}: removed its alias(es) ${aliases.join(
          ', ',
        )}`,
      );
    }
    for (const r of removed) {
      const files = updates
        .filter(u => u.versionId === r.versionId && u.scan.verdict === 'unsafe')
        .map(u => u.path);
      try {
        const event = await this.#auditor.createEvent({
          eventId: 'alias-removed',
          severityLevel: 'high',
          meta: {
            actor: RESCAN_ACTOR,
            model: r.entityRef,
            version: r.version,
            alias: r.alias,
            scannerVersion: this.#scannerVersion,
            files,
            reason: 'a rescan found an unsafe file',
          },
        });
        await event.success();
      } catch (e) {
        // The removal is committed; the warning above still names it.
        this.#logger.error(
          `Could not audit the removal of alias ${r.alias} from ${r.entityRef}@${r.version}: ${e}`,
        );
      }
    }
  }

  #scanBlob(file: StoredFileScan) {
    return scanStoredBlob(this.#artifacts, this.#scanner, {
      sha256: file.sha256,
      path: file.path,
      label: `${file.entityRef}@${file.version}/${file.path}`,
    });
  }
}
