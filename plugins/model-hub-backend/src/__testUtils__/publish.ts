import {
  MODEL_HUB_SHA256_HEADER,
  modelHubApiPaths,
  ModelVersion,
} from '@internal/plugin-model-hub-common';
import request from 'supertest';
import { sha256 } from './fixtures';

/**
 * Publishes a version through the real routes: draft, one upload per file
 * (with its SHA-256), seal, then each alias. Fails the test on any
 * unexpected status; returns the sealed version.
 */
export async function publishVersion(options: {
  /** A server or a base URL. */
  server: any;
  /** Authorization header of the publisher. */
  auth: string;
  entityRef: string;
  version: string;
  files: Record<string, Buffer>;
  /** Aliases pointed at the version once sealed. */
  aliases?: string[];
}): Promise<ModelVersion> {
  const { server, auth, entityRef, version } = options;
  const api = (p: string) => `/api/model-hub${p}`;
  await request(server)
    .post(api(modelHubApiPaths.versions(entityRef)))
    .set('Authorization', auth)
    .send({ version })
    .expect(201);
  for (const [filePath, bytes] of Object.entries(options.files)) {
    await request(server)
      .put(api(modelHubApiPaths.file(entityRef, version, filePath)))
      .set('Authorization', auth)
      .set('Content-Type', 'application/octet-stream')
      .set(MODEL_HUB_SHA256_HEADER, sha256(bytes))
      .send(bytes)
      .expect(201);
  }
  const sealed = await request(server)
    .post(api(modelHubApiPaths.seal(entityRef, version)))
    .set('Authorization', auth)
    .send({})
    .expect(200);
  for (const alias of options.aliases ?? []) {
    await request(server)
      .put(api(modelHubApiPaths.alias(entityRef, alias)))
      .set('Authorization', auth)
      .send({ version })
      .expect(200);
  }
  return sealed.body as ModelVersion;
}
