import { createWriteStream, mkdtempSync } from 'node:fs';
import fs from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { Readable } from 'node:stream';
import { pipeline } from 'node:stream/promises';
import { BackstageCredentials } from '@backstage/backend-plugin-api';
import {
  modelHubApiPaths,
  ModelVersionFile,
} from '@internal/plugin-model-hub-common';
import {
  choosePartSize,
  uploadFileInParts,
  uploadWholeFile,
} from '@internal/plugin-model-hub-node';
import { ModelHubClient } from '../client/ModelHubClient';

/** Parts of one large artifact sent at the same time. */
const PARALLEL_PARTS = 4;

/** Where an artifact stream goes and how it was measured on the way. */
export interface SpooledUploadOptions {
  client: ModelHubClient;
  entityRef: string;
  version: string;
  /** Path of the file in the version. */
  path: string;
  /** The artifact's bytes, hashed and counted as they are read. */
  body: Readable;
  /** SHA-256 and size of what `body` delivered, valid once it ended. */
  sha256(): string;
  size(): number;
  credentials: BackstageCredentials;
  /** Part size; by default chosen from the size (8–64 MiB). */
  partSize?: number;
}

/**
 * Sends an artifact read from a URL to a draft with constant memory: the
 * stream is written to a temporary file (back-pressure through `pipeline`)
 * while hashed, then content the hub already holds is added by reference,
 * a small file goes up in one streamed request and a large one in resumable,
 * hashed parts, through the transfer code the CLI uses: straight to S3 with
 * presigned URLs when the hub offers them (the hub still verifies size and
 * SHA-256 before the file is visible), through the hub otherwise. The temporary file
 * is always removed.
 */
export async function uploadSpooled(
  options: SpooledUploadOptions,
): Promise<ModelVersionFile> {
  const { client, entityRef, version } = options;
  const call = { credentials: options.credentials };
  // Synchronously, so the body has a consumer (and its errors a listener)
  // before anything else can happen.
  const dir = mkdtempSync(path.join(os.tmpdir(), 'model-hub-artifact-'));
  try {
    const file = path.join(dir, 'artifact');
    await pipeline(options.body, createWriteStream(file));
    const local = {
      file,
      path: options.path,
      sha256: options.sha256(),
      size: options.size(),
    };
    if ((await client.presentBlobs([local.sha256], call)).has(local.sha256)) {
      return await client.addFileByContent(
        entityRef,
        version,
        local.path,
        local.sha256,
        call,
      );
    }
    const transport = client.transport(
      `upload ${local.path} to version ${version} of ${entityRef}`,
      call,
    );
    const partSize =
      options.partSize ?? choosePartSize(local.size, PARALLEL_PARTS);
    if (local.size > partSize) {
      return await uploadFileInParts(
        transport,
        `${modelHubApiPaths.version(entityRef, version)}/uploads`,
        local,
        // Parts go straight to S3 when the hub offers presigned URLs.
        { partSize, parallel: PARALLEL_PARTS, direct: true },
      );
    }
    return await uploadWholeFile(
      transport,
      modelHubApiPaths.file(entityRef, version, local.path),
      local,
    );
  } finally {
    await fs.rm(dir, { recursive: true, force: true });
  }
}
