import {
  HttpAuthService,
  PermissionsService,
} from '@backstage/backend-plugin-api';
import { ConflictError, InputError, NotFoundError } from '@backstage/errors';
import { CatalogService } from '@backstage/plugin-catalog-node';
import {
  MODEL_HUB_SHA256_HEADER,
  ModelFileFormat,
  modelVersionCreatePermission,
} from '@internal/plugin-model-hub-common';
import express, { Request } from 'express';
import Router from 'express-promise-router';
import { z } from 'zod';
import { isSha256Hex } from '../artifacts/ArtifactStore';
import { ownersOnlyMessage } from '../permissions/rules';
import { liveModelLookup } from '../service/cachedEntityLookup';
import { accessModel, ModelCallerCredentials } from '../service/modelAccess';
import { PrincipalCache } from '../service/PrincipalCache';
import { parseBody } from '../service/requests';
import { ModelVersionService } from '../versions/ModelVersionService';
import { assertValidFilePath } from '../versions/validation';
import { VersionStore } from '../versions/VersionStore';
import { needsRescan } from '../rescan/Rescanner';
import { ContentIndex } from './ContentIndex';
import { MultipartUploads } from './MultipartUploads';

/** Dependencies of {@link createTransfersRouter}. */
export interface TransfersRouterOptions {
  httpAuth: HttpAuthService;
  permissions: PermissionsService;
  catalog: CatalogService;
  versions: ModelVersionService;
  versionStore: VersionStore;
  uploads: MultipartUploads;
  content: ContentIndex;
  /**
   * How long one caller's authorization of an upload is reused for its
   * parts (modelHub.transfers.partAuthorizationSeconds); 0 or absent checks
   * every part.
   */
  partAuthorizationMs?: number;
}

const sha256Schema = z
  .string()
  .transform(s => s.toLowerCase())
  .refine(isSha256Hex, 'must be a 64-character hex SHA-256');

const startBody = z.object({
  path: z.string().min(1),
  sha256: sha256Schema,
  size: z.number().int().min(0),
  partSize: z.number().int().min(1),
  /** The client can PUT parts to presigned S3 URLs. */
  direct: z.boolean().optional(),
});
const directPartBody = z.object({
  number: z.number().int(),
  size: z.number().int().min(0),
  sha256: z.string(),
  etag: z.string().min(1).max(255),
});
const existsBody = z.object({ sha256: z.array(sha256Schema).max(10_000) });
const linkBody = z.object({ path: z.string().min(1), sha256: sha256Schema });

const VERSION = '/v1/models/:namespace/:name/versions/:version';
const UPLOAD = `${VERSION}/uploads/:uploadId`;

/**
 * Transfers at LLM scale, next to the plain file routes: resumable multipart
 * uploads (start or resume, parts, completion), and dedupe by content (which
 * blobs the caller may know exist, and adding one to a draft without sending
 * its bytes again).
 */
export async function createTransfersRouter(
  options: TransfersRouterOptions,
): Promise<express.Router> {
  const { httpAuth, permissions, catalog, versions, uploads, content } =
    options;
  const router = Router();
  const json = express.json({ limit: '2mb' });

  /** The authenticated person or granted service calling the route. */
  const caller = async (req: Request): Promise<ModelCallerCredentials> =>
    httpAuth.credentials(req, { allow: ['user', 'service'] });

  async function publisher(
    req: Request,
    authenticated?: ModelCallerCredentials,
  ) {
    const { credentials, entityRef, actor } = await accessModel(
      { httpAuth, permissions, lookupModel: liveModelLookup(catalog) },
      req,
      {
        permission: modelVersionCreatePermission,
        denial: (p, entity, ref) =>
          ownersOnlyMessage(p.name, ref, entity, 'publish to it'),
        credentials: authenticated ?? (await caller(req)),
      },
    );
    return { credentials, entityRef, version: req.params.version, actor };
  }

  /**
   * The publisher of one upload's parts. A part is two loopback calls
   * (catalog lookup, permission decision) of ~15-20 ms of CPU, paid ~40
   * times per GiB: the first part's answer is reused for the same caller
   * and upload for `partAuthorizationMs`. The token is still verified on
   * every request; starting and completing an upload always check live, so
   * a publisher whose access is revoked can stage parts for at most that
   * long and never completes the file.
   */
  const partAuthorizations = new PrincipalCache<
    Awaited<ReturnType<typeof publisher>>
  >({ ttlMs: options.partAuthorizationMs ?? 0, maxEntries: 10_000 });
  async function partPublisher(req: Request) {
    const credentials = await caller(req);
    const { namespace, name, version, uploadId } = req.params;
    const authorized = await partAuthorizations.get(
      credentials,
      [namespace, name, version, uploadId],
      () => publisher(req, credentials),
    );
    return { ...authorized, credentials };
  }

  router.post('/v1/blobs/exists', json, async (req, res) => {
    const credentials = await caller(req);
    const body = parseBody(existsBody, req.body);
    const present = await content.visibleBlobs(body.sha256, credentials);
    res.json({ present: body.sha256.filter(s => present.has(s)) });
  });

  router.post(`${VERSION}/files-by-content`, json, async (req, res) => {
    const { credentials, entityRef, version, actor } = await publisher(req);
    const body = parseBody(linkBody, req.body);
    assertValidFilePath(body.path);
    const absent = () =>
      new NotFoundError(
        `The hub holds no content with SHA-256 ${body.sha256} that you can read; upload the file instead`,
      );
    const visible = await content.visibleBlobs([body.sha256], credentials);
    if (!visible.has(body.sha256)) throw absent();
    const draft = await versions.getVersion(entityRef, version);
    if (draft.version !== version || draft.state !== 'draft') {
      throw new ConflictError(
        `Version ${version} of ${entityRef} is not a draft; files can only be added to drafts`,
      );
    }
    const reference = await content.findReference(body.sha256, body.path);
    // Claim the blob before recording the link: its last other reference
    // may have gone since, and the collector with it.
    if (!(await options.versionStore.claimRecordedBlob(body.sha256))) {
      throw absent();
    }
    // An older scanner's verdict is not current (a rescan is under way):
    // the link must not carry it, nor lose which scanner gave it.
    const scanner = versions.scannerVersion;
    const file =
      reference &&
      (scanner === undefined || !needsRescan(reference.scannerVersion, scanner))
        ? // Same bytes, same kind of file: the scan of the stored copy holds.
          await options.versionStore.addFile(entityRef, version, {
            path: body.path,
            sha256: body.sha256,
            size: reference.size,
            format: reference.format as ModelFileFormat,
            scan: { ...reference.scan, path: body.path },
            uploadedBy: actor,
            scannerVersion: reference.scannerVersion ?? undefined,
          })
        : // Another name, or an older scanner's verdict: re-scan the stored bytes.
          await versions.uploadFile({
            entityRef,
            version,
            path: body.path,
            body: await versions.readFile({ sha256: body.sha256 }),
            expectedSha256: body.sha256,
            uploadedBy: actor,
          });
    res.status(201).json(file);
  });

  router.post(`${VERSION}/uploads`, json, async (req, res) => {
    const { entityRef, version, actor } = await publisher(req);
    const body = parseBody(startBody, req.body);
    res
      .status(201)
      .json(await uploads.start({ ...body, entityRef, version, actor }));
  });

  router.get(UPLOAD, async (req, res) => {
    const { entityRef, version, actor } = await publisher(req);
    res.json(
      await uploads.status({
        entityRef,
        version,
        actor,
        uploadId: req.params.uploadId,
      }),
    );
  });

  router.put(`${UPLOAD}/parts/:partNumber`, async (req, res) => {
    const { entityRef, version, actor } = await partPublisher(req);
    if (!/^\d{1,6}$/.test(req.params.partNumber)) {
      throw new InputError(`Invalid part number '${req.params.partNumber}'`);
    }
    const sha = req.headers[MODEL_HUB_SHA256_HEADER];
    if (Array.isArray(sha)) {
      throw new InputError(
        `Header ${MODEL_HUB_SHA256_HEADER} must be given once`,
      );
    }
    const length = req.headers['content-length'];
    if (length !== undefined && !/^\d+$/.test(length)) {
      throw new InputError(`Invalid Content-Length '${length}'`);
    }
    const part = await uploads.putPart({
      entityRef,
      version,
      actor,
      uploadId: req.params.uploadId,
      partNumber: Number(req.params.partNumber),
      body: req,
      expectedSha256: sha,
      declaredSize: length === undefined ? undefined : Number(length),
    });
    res.status(201).json(part);
  });

  // A part PUT directly to S3 (presigned): the client reports its ETag.
  router.post(`${UPLOAD}/direct-parts`, json, async (req, res) => {
    const { entityRef, version, actor } = await partPublisher(req);
    const part = parseBody(directPartBody, req.body);
    res.status(201).json(
      await uploads.reportPart({
        entityRef,
        version,
        actor,
        uploadId: req.params.uploadId,
        part,
      }),
    );
  });

  router.post(`${UPLOAD}/complete`, async (req, res) => {
    const { entityRef, version, actor } = await publisher(req);
    res.status(201).json(
      await uploads.complete({
        entityRef,
        version,
        actor,
        uploadId: req.params.uploadId,
      }),
    );
  });

  return router;
}
