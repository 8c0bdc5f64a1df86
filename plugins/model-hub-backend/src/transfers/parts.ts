import { ConflictError, InputError } from '@backstage/errors';
import { isSha256Hex } from '../artifacts/ArtifactStore';
import { PayloadTooLargeError } from '../artifacts/errors';
import { assertValidFilePath } from '../versions/validation';
import { MultipartUpload, UploadedPart } from './MultipartUploadStore';

/** How many parts an upload has (at least one, even for an empty file). */
export function partCount(
  upload: Pick<MultipartUpload, 'size' | 'partSize'>,
): number {
  return Math.max(1, Math.ceil(upload.size / upload.partSize));
}

/** The length of part `partNumber` (1-based); the last may be shorter. */
export function partLength(
  upload: Pick<MultipartUpload, 'size' | 'partSize'>,
  partNumber: number,
): number {
  const start = (partNumber - 1) * upload.partSize;
  return Math.min(upload.partSize, upload.size - start);
}

/**
 * Refuses (409) to complete an upload with parts missing, naming the first
 * ten.
 */
export function assertAllParts(
  upload: Pick<MultipartUpload, 'id' | 'size' | 'partSize'>,
  parts: UploadedPart[],
): void {
  const count = partCount(upload);
  const missing: number[] = [];
  for (let n = 1; n <= count; n++) {
    if (!parts.some(p => p.number === n)) missing.push(n);
  }
  if (missing.length > 0) {
    throw new ConflictError(
      `Upload ${upload.id} is missing part(s) ${missing
        .slice(0, 10)
        .join(', ')}${
        missing.length > 10 ? ', …' : ''
      }; send them, then complete`,
    );
  }
}

/**
 * Checks what a client declares when it starts an upload (path, SHA-256,
 * size, part size) against the limits; returns the lower-case SHA-256.
 * @throws InputError, or PayloadTooLargeError past the file size limit
 */
export function assertStartable(
  options: { path: string; sha256: string; size: number; partSize: number },
  limits: { minPartBytes: number; maxPartBytes: number; maxFileBytes: number },
): string {
  const sha256 = options.sha256.toLowerCase();
  assertValidFilePath(options.path);
  if (!isSha256Hex(sha256)) {
    throw new InputError(
      `Declared SHA-256 '${options.sha256}' is not a 64-character hex digest`,
    );
  }
  const { minPartBytes, maxPartBytes, maxFileBytes } = limits;
  if (options.size > maxFileBytes) {
    throw new PayloadTooLargeError(
      `File of ${options.size} bytes exceeds the limit of ${maxFileBytes} bytes (modelHub.artifacts.maxUploadBytes)`,
    );
  }
  if (options.partSize < minPartBytes || options.partSize > maxPartBytes) {
    throw new InputError(
      `Part size ${options.partSize} is outside ${minPartBytes}..${maxPartBytes} bytes (modelHub.transfers.minPartBytes/maxPartBytes)`,
    );
  }
  return sha256;
}
