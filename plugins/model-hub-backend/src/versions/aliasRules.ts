import { ConflictError } from '@backstage/errors';
import {
  ModelVersion,
  ModelVersionFile,
} from '@internal/plugin-model-hub-common';

/**
 * Aliases that tell consumers "use this one": a version with a file the
 * scanner found unsafe may never hold them.
 */
export const PROTECTED_ALIASES: readonly string[] = ['latest', 'champion'];

/**
 * Refuses to point a protected alias at a version with an unsafe file.
 * @throws ConflictError naming the first unsafe file
 */
export function assertAliasAllowed(
  alias: string,
  version: Pick<ModelVersion, 'version' | 'entityRef'> & {
    files: Array<Pick<ModelVersionFile, 'path' | 'scan'>>;
  },
): void {
  if (!PROTECTED_ALIASES.includes(alias)) return;
  const unsafe = version.files.filter(f => f.scan.verdict === 'unsafe');
  if (unsafe.length === 0) return;
  const top = unsafe[0].scan.findings[0];
  throw new ConflictError(
    `Version ${version.version} of ${version.entityRef} cannot be '${alias}': ${
      unsafe[0].path
    } is unsafe${top ? ` (${top.rule})` : ''}${
      unsafe.length > 1 ? ` and ${unsafe.length - 1} more file(s)` : ''
    }; publish a version without unsafe files`,
  );
}
