import {
  FileScanResult,
  MODEL_TIERS,
  ModelTier,
  ModelVersionFile,
} from '@internal/plugin-model-hub-common';
import { GauntletCheckFile, PendingRescan } from './nodeApi';
import { GauntletStore } from './GauntletStore';
import { NewGauntletResult } from './ResultStore';
import { GauntletResult } from './types';
import { StoredTier } from './TierStore';

/** What a run gets for a file whose stored verdict is an older scanner's. */
export type CurrentScan =
  | { path: string; scan: FileScanResult }
  | { path: string; pending: PendingRescan };

/**
 * Tells a gauntlet run which stored verdicts are not the running
 * scanner's, and rescans those it can afford to (the rescan module's
 * inline rescan fits).
 */
export interface GauntletScanFreshness {
  /**
   * For each file of the version whose verdict an older scanner gave: a
   * fresh scan, or pending when rescanning it now is too costly. Files not
   * in the map are current.
   */
  currentScans(
    entityRef: string,
    version: string,
    files: ModelVersionFile[],
  ): Promise<Map<string, CurrentScan>>;
}

/** The check files of a version, with fresh scans in and pending verdicts marked. */
export function withCurrentScans(
  files: ModelVersionFile[],
  current: Map<string, CurrentScan>,
  open: (file: ModelVersionFile) => Promise<NodeJS.ReadableStream>,
): GauntletCheckFile[] {
  return files.map(f => {
    const c = current.get(f.path);
    const file: GauntletCheckFile = { ...f, open: () => open(f) };
    if (c && 'scan' in c) {
      file.scan = { ...c.scan, path: f.path };
      file.format = c.scan.format;
    } else if (c) {
      file.pendingRescan = c.pending;
    }
    return file;
  });
}

/**
 * The security result to store for a run whose verdicts await their
 * rescan. Such a result (an `error`) earns nothing; when the run's tier is
 * the tier the model holds now on this very version, the result that earned
 * it stands until the rescan re-decides (a changed verdict re-runs the
 * gauntlet), so a scanner upgrade does not take every tier away. A result
 * that failed for another reason stays as it is.
 */
export function heldSecurityResult(options: {
  result: NewGauntletResult;
  run: { version: string; tier: ModelTier };
  held: StoredTier | undefined;
  previous: GauntletResult | undefined;
}): NewGauntletResult {
  const { result, run, held, previous } = options;
  const pending = result.result.metrics?.pending_rescan_files ?? 0;
  if (
    result.checkId !== 'security' ||
    result.result.status !== 'error' ||
    pending === 0 ||
    !held ||
    held.version !== run.version ||
    held.effectiveTier !== run.tier ||
    !previous
  ) {
    return result;
  }
  return {
    ...result,
    result: {
      status: previous.status,
      summary: previous.summary,
      ...(previous.reason ? { reason: previous.reason } : {}),
      evidence: {
        ...previous.evidence,
        heldDuringRescan: {
          fromRunId: previous.runId,
          pending: result.result.summary,
        },
      },
      ...(previous.metrics ? { metrics: previous.metrics } : {}),
    } as NewGauntletResult['result'],
  };
}

/**
 * Whether the latest security result of a version, at any tier, counted
 * verdicts awaiting their rescan: once the rescan confirms them the
 * gauntlet must run again to decide.
 */
export async function awaitsRescan(
  store: Pick<GauntletStore, 'latestResultsOfTiers'>,
  entityRef: string,
  version: string,
): Promise<boolean> {
  const results = await store.latestResultsOfTiers(
    entityRef,
    version,
    MODEL_TIERS,
  );
  return results.some(tier =>
    tier.some(
      r =>
        r.checkId === 'security' && (r.metrics?.pending_rescan_files ?? 0) > 0,
    ),
  );
}
