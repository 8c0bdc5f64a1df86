import {
  AuditorService,
  BackstageCredentials,
  HttpAuthService,
  LoggerService,
  PermissionsService,
} from '@backstage/backend-plugin-api';
import { InputError } from '@backstage/errors';
import { CatalogService } from '@backstage/plugin-catalog-node';
import {
  FILE_PREVIEW_QUERY,
  isPreviewablePath,
  isPreviewRange,
  MODEL_HUB_SHA256_HEADER,
  ModelHubModelPermission,
  ModelVersion,
  modelAliasUpdatePermission,
  modelVersionCreatePermission,
} from '@internal/plugin-model-hub-common';
import express, { Request } from 'express';
import Router from 'express-promise-router';
import { z } from 'zod';
import { S3DirectTransfers } from '../artifacts/S3DirectTransfers';
import { UploadStaging } from '../artifacts/UploadStaging';
import { redirectToDirectDownload } from '../transfers/directDownloads';
import { ownersOnlyMessage } from '../permissions/rules';
import { ModelVersionService } from '../versions/ModelVersionService';
import { etagMatches } from './http';
import { sendFile } from './sendFile';
import { assertRawUpload } from './uploadHygiene';
import { audited, parseBody } from './requests';
import { accessModel } from './modelAccess';
import { liveModelLookup, ModelLookup } from './cachedEntityLookup';
import { ModelCache } from '../database/ModelCache';

/** Dependencies of {@link createRouter}. */
export interface RouterOptions {
  logger: LoggerService;
  httpAuth: HttpAuthService;
  permissions: PermissionsService;
  catalog: CatalogService;
  versions: ModelVersionService;
  staging: UploadStaging;
  /** Records who created, uploaded to, sealed or re-aliased a version. */
  auditor: AuditorService;
  /** Told of every file download (GET, not HEAD or 304): usage recording. */
  onFileDownload?: (download: {
    credentials: BackstageCredentials;
    entityRef: string;
    version: string;
    headers: Request['headers'];
  }) => Promise<unknown>;
  /** Presigned S3 downloads, when direct transfers are on. */
  directTransfers?: S3DirectTransfers;
  /** The model lookup of the routes (default: the catalog, live). */
  modelLookup?: ModelLookup;
  /** The versions GET's per-model cache (default: none, read live). */
  versionListCache?: ModelCache<ModelVersion[]>;
}

const manifestEntry = z.object({
  path: z.string(),
  sha256: z.string(),
  size: z.number().int().nonnegative().optional(),
});

const createVersionBody = z.object({
  version: z.string(),
  description: z.string().max(10_000).optional(),
  files: z.array(manifestEntry).max(100_000).optional(),
});

const sealBody = z.object({
  files: z.array(manifestEntry).max(100_000).optional(),
});

const setAliasBody = z.object({ version: z.string() });

const MODEL = '/v1/models/:namespace/:name';
const VERSION = `${MODEL}/versions/:version`;
const FILE = `${VERSION}/files/*`;

/**
 * The Model Hub HTTP API (mounted at `/api/model-hub`): model versions,
 * streamed file uploads and downloads, seal and aliases. Every route needs
 * authenticated credentials; publishing needs the publish permissions.
 */
export async function createRouter(
  options: RouterOptions,
): Promise<express.Router> {
  const { httpAuth, permissions, catalog, versions, staging, auditor } =
    options;
  /** Runs a publishing step inside an audit event naming the model (and version). */
  const auditedPublish = <T>(
    req: Request,
    eventId: string,
    fn: () => Promise<T>,
  ) =>
    audited(
      auditor,
      req,
      eventId,
      {
        model: `model:${req.params.namespace}/${req.params.name}`,
        ...(req.params.version ? { version: req.params.version } : {}),
      },
      async () => ({ value: await fn() }),
    );
  const lookupModel = options.modelLookup ?? liveModelLookup(catalog);
  const router = Router();
  // JSON only where a JSON body is expected: upload streams stay untouched.
  const json = express.json({ limit: '5mb' });

  /** Resolves the model in the catalog (as the caller) and checks a permission. */
  const access = (req: Request, permission?: ModelHubModelPermission) =>
    accessModel({ httpAuth, permissions, lookupModel }, req, {
      permission,
      denial: (p, entity, entityRef) =>
        ownersOnlyMessage(p.name, entityRef, entity, 'publish to it'),
    });

  router.get('/v1/health', (_req, res) => {
    res.json({ status: 'ok' });
  });

  router.get(`${MODEL}/versions`, async (req, res) => {
    const { entityRef } = await access(req);
    const list = () => versions.listVersions(entityRef);
    res.json({
      items: await (options.versionListCache?.get(
        entityRef,
        'versions',
        list,
      ) ?? list()),
    });
  });

  router.post(`${MODEL}/versions`, json, async (req, res) => {
    const result = await auditedPublish(req, 'version-create', async () => {
      const { entityRef, actor } = await access(
        req,
        modelVersionCreatePermission,
      );
      const body = parseBody(createVersionBody, req.body);
      return versions.createVersion(entityRef, body, actor);
    });
    res.status(result.created ? 201 : 200).json(result.version);
  });

  router.get(`${MODEL}/versions/:versionOrAlias`, async (req, res) => {
    const { entityRef } = await access(req);
    res.json(await versions.getVersion(entityRef, req.params.versionOrAlias));
  });

  router.post(`${VERSION}/seal`, json, async (req, res) => {
    const sealed = await auditedPublish(req, 'version-seal', async () => {
      const { entityRef, actor } = await access(
        req,
        modelVersionCreatePermission,
      );
      const body = parseBody(sealBody, req.body);
      return versions.sealVersion(entityRef, req.params.version, {
        sealedBy: actor,
        files: body.files,
      });
    });
    res.json(sealed);
  });

  router.put(FILE, async (req, res) => {
    const file = await auditedPublish(req, 'version-file-upload', () =>
      uploadFile(req),
    );
    res.status(201).json(file);
  });

  async function uploadFile(req: Request) {
    const { entityRef, actor } = await access(
      req,
      modelVersionCreatePermission,
    );
    assertRawUpload(req);
    const declaredLength = parseContentLength(req);
    // Refuse what is announced as too large before reading a byte of it.
    staging.checkDeclaredSize(declaredLength);
    const file = await versions.uploadFile({
      entityRef,
      version: req.params.version,
      path: filePathParam(req),
      body: req,
      expectedSha256: singleHeader(req, MODEL_HUB_SHA256_HEADER),
      expectedSize: declaredLength,
      uploadedBy: actor,
    });
    return file;
  }

  router.get(FILE, async (req, res) => {
    const { entityRef, credentials } = await access(req);
    const { file, version } = await versions.getFile(
      entityRef,
      req.params.version,
      filePathParam(req),
      await options.versionListCache?.peek(entityRef, 'versions'),
    );
    if (
      options.onFileDownload &&
      req.method === 'GET' &&
      !etagMatches(req.headers['if-none-match'], `"${file.sha256}"`) &&
      !isPreviewRead(req)
    ) {
      // A download redirected to S3 is a pull too.
      await options.onFileDownload({
        credentials,
        entityRef,
        version: version.version,
        headers: req.headers,
      });
    }
    if (
      await redirectToDirectDownload(req, res, file, options.directTransfers)
    ) {
      return;
    }
    await sendFile(req, res, file, versions);
  });

  router.put(`${MODEL}/aliases/:alias`, json, async (req, res) => {
    const alias = await auditedPublish(req, 'alias-set', async () => {
      const { entityRef, actor } = await access(
        req,
        modelAliasUpdatePermission,
      );
      const body = parseBody(setAliasBody, req.body);
      return versions.setAlias({
        entityRef,
        alias: req.params.alias,
        version: body.version,
        updatedBy: actor,
      });
    });
    res.json(alias);
  });

  return router;
}

function filePathParam(req: Request): string {
  return (req.params as Record<string, string>)[0] ?? '';
}

/**
 * Whether a file GET shows a model card in the portal rather than
 * downloading the file (see `isPreviewablePath`): not a pull.
 */
function isPreviewRead(req: Request): boolean {
  return (
    req.query[FILE_PREVIEW_QUERY.name] === FILE_PREVIEW_QUERY.value &&
    isPreviewablePath(filePathParam(req)) &&
    isPreviewRange(req.headers.range)
  );
}

function singleHeader(req: Request, name: string): string | undefined {
  const value = req.headers[name];
  if (Array.isArray(value)) {
    throw new InputError(`Header ${name} must be given once`);
  }
  return value;
}

function parseContentLength(req: Request): number | undefined {
  const value = req.headers['content-length'];
  if (value === undefined) {
    return undefined;
  }
  if (!/^\d+$/.test(value)) {
    throw new InputError(`Invalid Content-Length '${value}'`);
  }
  return Number(value);
}
