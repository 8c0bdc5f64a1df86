import { randomBytes } from 'node:crypto';
import { LoggerService } from '@backstage/backend-plugin-api';
import { ConflictError, NotFoundError } from '@backstage/errors';
import { MultipartUploadStore } from './MultipartUploadStore';

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
    if (!(await store.get(uploadId))) throw gone(uploadId);
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
 * Touches the upload for a part about to be written, refusing (409) while a
 * completion holds it on any replica and (404) once it was completed or
 * collected. Part requests forget their part's record first and touch after;
 * completions claim first and list the parts after, so either the
 * completion sees the part missing or the part request sees the claim; and
 * the collection deletes only uploads untouched since its cutoff.
 */
export async function touchForPart(
  store: MultipartUploadStore,
  upload: { id: string; entityRef: string; version: string },
): Promise<void> {
  const state = await store.touchForPart(upload.id, new Date());
  if (state === 'gone') throw gone(upload.id, upload);
  if (state === 'completing') {
    throw new ConflictError(
      `Upload ${upload.id} is being completed; wait for that answer before sending parts`,
    );
  }
}

function gone(
  uploadId: string,
  where?: { entityRef: string; version: string },
): NotFoundError {
  return new NotFoundError(
    `No upload ${uploadId}${
      where ? ` in ${where.entityRef}@${where.version}` : ''
    }; it may have been completed or collected, start it again`,
  );
}
