import {
  MODEL_HUB_DIRECT_DOWNLOAD_HEADER,
  ModelVersionFile,
} from '@internal/plugin-model-hub-common';
import { Request, Response } from 'express';
import { S3DirectTransfers } from '../artifacts/S3DirectTransfers';

/**
 * Answers a file download with a 307 redirect to a presigned S3 GET when the
 * caller asked for one (header `x-model-hub-direct: redirect`) and the hub
 * offers direct transfers. Call it only after the caller's access to the
 * file was checked. Files the scanner found unsafe are never redirected:
 * they stay behind the hub's own route. Returns false when the caller is to
 * be served through the hub.
 */
export async function redirectToDirectDownload(
  req: Request,
  res: Response,
  file: Pick<ModelVersionFile, 'sha256' | 'path' | 'scan'>,
  direct: S3DirectTransfers | undefined,
): Promise<boolean> {
  if (
    !direct ||
    req.method !== 'GET' ||
    req.headers[MODEL_HUB_DIRECT_DOWNLOAD_HEADER] !== 'redirect' ||
    file.scan?.verdict === 'unsafe'
  ) {
    return false;
  }
  const name = file.path.split('/').pop()!;
  const url = await direct.presignDownload(file.sha256, name);
  // The URL is a short-lived credential: never cached, by anyone.
  res.setHeader('Cache-Control', 'no-store');
  // The content's SHA-256, to verify the bytes S3 sends (its ETag differs).
  res.setHeader('ETag', `"${file.sha256}"`);
  res.redirect(307, url);
  return true;
}
