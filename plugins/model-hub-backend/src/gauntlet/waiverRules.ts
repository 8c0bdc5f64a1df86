import { ConflictError } from '@backstage/errors';
import { ModelVersion } from '@internal/plugin-model-hub-common';

/** The check whose failure on an unsafe file can never be waived. */
const SECURITY_CHECK = 'security';

/**
 * Whether a failing result may be covered by a waiver. A security result
 * that counted unsafe files may not: an `unsafe` verdict means loading the
 * file can run code, which no governance decision makes acceptable. Nor
 * one that counted verdicts awaiting their rescan by the running scanner:
 * a waiver would grant the tier on a verdict nobody has seen yet.
 */
export function isWaivable(result: {
  checkId: string;
  metrics?: Record<string, number>;
}): boolean {
  if (result.checkId !== SECURITY_CHECK) return true;
  return (
    (result.metrics?.unsafe_files ?? 0) === 0 &&
    (result.metrics?.pending_rescan_files ?? 0) === 0
  );
}

/**
 * Refuses a waiver request for the security check when a version it would
 * cover has an unsafe file: the named version, or, for a waiver of every
 * version, any version of the model.
 * @throws ConflictError naming the version and the file
 */
export async function assertWaiverAllowed(options: {
  check: string;
  entityRef: string;
  version?: string;
  versions: {
    getVersion(entityRef: string, version: string): Promise<ModelVersion>;
    listVersions(entityRef: string): Promise<ModelVersion[]>;
  };
}): Promise<void> {
  if (options.check !== SECURITY_CHECK) return;
  const covered = options.version
    ? [await options.versions.getVersion(options.entityRef, options.version)]
    : await options.versions.listVersions(options.entityRef);
  for (const v of covered) {
    const unsafe = v.files.find(f => f.scan.verdict === 'unsafe');
    if (unsafe) {
      throw new ConflictError(
        `The security check cannot be waived: ${unsafe.path} in version ${v.version} is unsafe; remove it and publish a new version`,
      );
    }
  }
}
