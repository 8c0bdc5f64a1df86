import { LoggerService } from '@backstage/backend-plugin-api';
import { ArtifactStore } from '../artifacts/ArtifactStore';
import { VersionStore } from '../versions/VersionStore';

/**
 * Deletes the blobs no version (sealed or draft) references and no upload
 * claimed within the grace period, from the database and the artifact
 * store. Each blob is re-checked and deleted under its own transaction, so
 * a publish referencing it concurrently either keeps it or stores it again.
 * Returns the SHA-256s deleted.
 */
export async function collectUnreferencedBlobs(options: {
  versions: VersionStore;
  artifacts: ArtifactStore;
  graceMs: number;
  now: Date;
  logger: LoggerService;
}): Promise<string[]> {
  const { versions, artifacts, logger } = options;
  const cutoff = new Date(options.now.getTime() - options.graceMs);
  const deleted: string[] = [];
  const failed = new Set<string>();
  for (;;) {
    const batch = (await versions.listUnreferencedBlobs(cutoff, 500)).filter(
      sha256 => !failed.has(sha256),
    );
    if (batch.length === 0) break;
    for (const sha256 of batch) {
      try {
        if (
          await versions.deleteBlobIfUnreferenced(sha256, cutoff, () =>
            artifacts.delete(sha256),
          )
        ) {
          deleted.push(sha256);
        } else {
          failed.add(sha256);
        }
      } catch (error) {
        failed.add(sha256);
        logger.warn(
          `Could not collect unreferenced blob ${sha256}; it is retried on the next run: ${error}`,
        );
      }
    }
  }
  return deleted;
}
