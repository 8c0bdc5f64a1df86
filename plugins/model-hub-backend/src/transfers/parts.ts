import { ConflictError } from '@backstage/errors';
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
