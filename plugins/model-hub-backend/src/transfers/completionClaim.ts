import { randomBytes } from 'node:crypto';
import { LoggerService } from '@backstage/backend-plugin-api';
import { ConflictError } from '@backstage/errors';
import { MultipartUpload, MultipartUploadStore } from './MultipartUploadStore';

/**
 * How long a completion's claim holds unless renewed (it is renewed every
 * third of it while the completion runs): a completion whose process
 * stopped blocks a retry for at most this long.
 */
export const COMPLETION_LEASE_MS = 60_000;

/** A claimed completion; `release` ends it (and its renewals). */
export interface CompletionClaim {
  release(): Promise<void>;
}

/**
 * Claims the completion of an upload in the database, so that of two
 * completions on any replicas one goes on and the other gets 409 (the
 * in-memory guard of PartAssembly holds on one replica only), and renews
 * the claim while the completion runs.
 * @throws ConflictError while another completion holds the upload
 */
export async function claimCompletion(options: {
  store: MultipartUploadStore;
  uploadId: string;
  logger: LoggerService;
  leaseMs?: number;
}): Promise<CompletionClaim> {
  const { store, uploadId, logger } = options;
  const leaseMs = options.leaseMs ?? COMPLETION_LEASE_MS;
  const token = randomBytes(16).toString('hex');
  if (!(await store.claimCompletion(uploadId, token, new Date(), leaseMs))) {
    throw new ConflictError(
      `Upload ${uploadId} is being completed by another request; wait for its answer (the version lists the file once it is stored), or retry in a minute`,
    );
  }
  const timer = setInterval(() => {
    store
      .renewCompletion(uploadId, token, new Date(), leaseMs)
      .catch(e =>
        logger.warn(`Renewing the completion of upload ${uploadId}: ${e}`),
      );
  }, Math.max(10, Math.floor(leaseMs / 3)));
  timer.unref?.();
  return {
    async release() {
      clearInterval(timer);
      // A completed upload's row is gone already: nothing to release.
      await store.releaseCompletion(uploadId, token);
    },
  };
}

/**
 * Refuses (409) a part for an upload a completion holds on any replica.
 * Part requests forget their part's record first and check this after, and
 * completions claim first and list the parts after, so either the
 * completion sees the part missing or the part request sees the claim.
 */
export function assertNotCompleting(upload: MultipartUpload): void {
  if (upload.completingUntil && upload.completingUntil > new Date()) {
    throw new ConflictError(
      `Upload ${upload.id} is being completed; wait for that answer before sending parts`,
    );
  }
}
