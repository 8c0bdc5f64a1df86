import { LoggerService } from '@backstage/backend-plugin-api';
import { Entity } from '@backstage/catalog-model';
import { Config } from '@backstage/config';
import {
  ModelEntityV1alpha1,
  ModelTier,
  ModelVersion,
  ModelVersionFile,
} from '@internal/plugin-model-hub-common';
import { GauntletCheckResult, GAUNTLET_CHECK_STATUSES } from './types';

/** A file of the version under check, with a way to read its bytes. */
export type GauntletCheckFile = ModelVersionFile & {
  /** Opens the stored content for reading. */
  open(): Promise<NodeJS.ReadableStream>;
  /**
   * Set when `scan` comes from an older scanner than the running one and
   * its rescan has not happened yet: the verdict is not current, and no
   * tier may be earned on it.
   */
  pendingRescan?: PendingRescan;
};

/** Which scanner produced a file's verdict, and which one must rescan it. */
export interface PendingRescan {
  /** The scanner version of the stored verdict; null when unknown. */
  scannedBy: string | null;
  /** The running scanner's version. */
  current: string;
}

/** Read access to the catalog for checks that follow relations (base models, datasets). */
export interface GauntletCatalogReader {
  /** Returns the entity, or undefined when the catalog does not have it. */
  getEntityByRef(ref: string): Promise<Entity | undefined>;
}

/** What a check gets to inspect. */
export interface GauntletCheckContext {
  entity: ModelEntityV1alpha1;
  version: ModelVersion;
  files: GauntletCheckFile[];
  catalog: GauntletCatalogReader;
  /** The root config; checks read their keys under `modelHub.gauntlet`. */
  config: Config;
  /** The tier the run is deciding on. */
  tier: ModelTier;
  logger: LoggerService;
}

/** One gauntlet check. Add more through {@link modelHubGauntletExtensionPoint}. */
export interface GauntletCheck {
  /** Stable id, e.g. `fairness`. */
  id: string;
  title: string;
  /** What the check verifies and how it decides, in a sentence or two. */
  description: string;
  /** Version of the check's rules; bump it when the logic changes so stored results can be told apart. */
  version: string;
  run(ctx: GauntletCheckContext): Promise<GauntletCheckResult>;
}

function isJsonObject(value: unknown): boolean {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

/**
 * Runs a check and never throws: an exception or a malformed result becomes
 * an `error` result naming the problem, so one broken check cannot stop a run.
 */
export async function runGauntletCheck(
  check: GauntletCheck,
  ctx: GauntletCheckContext,
): Promise<GauntletCheckResult> {
  let result: GauntletCheckResult;
  try {
    result = await check.run(ctx);
  } catch (e) {
    const message = e instanceof Error ? e.message : String(e);
    ctx.logger.warn(`Gauntlet check ${check.id} threw: ${message}`);
    return {
      status: 'error',
      summary: `The ${check.id} check failed to run: ${message}`,
      evidence: { error: message },
    };
  }
  const problems: string[] = [];
  if (!result || !GAUNTLET_CHECK_STATUSES.includes(result.status)) {
    problems.push(`unknown status ${JSON.stringify(result?.status)}`);
  }
  if (!result || typeof result.summary !== 'string' || result.summary === '') {
    problems.push('missing summary');
  }
  if (result?.status === 'not-applicable' && !result.reason) {
    problems.push('a not-applicable result needs a reason');
  }
  if (!result || !isJsonObject(result.evidence)) {
    problems.push('evidence must be an object');
  }
  if (result?.metrics !== undefined) {
    for (const [k, v] of Object.entries(result.metrics)) {
      if (typeof v !== 'number' || !Number.isFinite(v)) {
        problems.push(`metric ${k} is not a finite number`);
      }
    }
  }
  if (problems.length > 0) {
    return {
      status: 'error',
      summary: `The ${
        check.id
      } check returned a malformed result: ${problems.join(', ')}`,
      evidence: { problems },
    };
  }
  return result;
}
