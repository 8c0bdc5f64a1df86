import { MultipartUpload } from './MultipartUploadStore';

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
