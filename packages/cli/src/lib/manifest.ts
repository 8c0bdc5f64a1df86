import {
  ModelVersion,
  ModelVersionManifestEntry,
} from '@internal/plugin-model-hub-common';
import { PortalError } from './portal';

/**
 * Checks that the version the portal sealed holds exactly the files this
 * client hashed locally (path, size, SHA-256), so a publish that was mixed
 * with another one, or altered on the way, is never reported as done.
 * @throws PortalError naming the first difference
 */
export function verifySealedManifest(
  local: ReadonlyArray<Required<ModelVersionManifestEntry>>,
  sealed: ModelVersion,
): void {
  const label = `${sealed.entityRef}@${sealed.version}`;
  if (sealed.state !== 'sealed') {
    throw new PortalError(
      `the portal answered the seal of ${label} with a ${sealed.state} version; run the publish again`,
    );
  }
  const remote = new Map(sealed.files.map(f => [f.path, f]));
  for (const file of [...local].sort((a, b) => compare(a.path, b.path))) {
    const stored = remote.get(file.path);
    if (!stored) {
      throw new PortalError(
        `the portal sealed ${label} without ${file.path}; do not use this version, publish a new one`,
      );
    }
    if (stored.size !== file.size || stored.sha256 !== file.sha256) {
      throw new PortalError(
        `the portal sealed ${label} with ${file.path} as ${stored.size} bytes sha256:${stored.sha256}, but it was ${file.size} bytes sha256:${file.sha256} here; do not use this version, publish a new one`,
      );
    }
  }
  const mine = new Set(local.map(f => f.path));
  const extra = sealed.files
    .map(f => f.path)
    .filter(p => !mine.has(p))
    .sort(compare);
  if (extra.length > 0) {
    throw new PortalError(
      `the portal sealed ${label} with ${extra[0]}, which this publish did not send; do not use this version, publish a new one`,
    );
  }
}

function compare(a: string, b: string): number {
  if (a === b) return 0;
  return a < b ? -1 : 1;
}
