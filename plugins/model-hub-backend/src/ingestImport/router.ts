import {
  AuditorService,
  HttpAuthService,
  PermissionsService,
} from '@backstage/backend-plugin-api';
import { CatalogService } from '@backstage/plugin-catalog-node';
import { AuthorizeResult } from '@backstage/plugin-permission-common';
import {
  ModelImportsResponse,
  modelVersionImportPermission,
} from '@internal/plugin-model-hub-common';
import express, { Request } from 'express';
import Router from 'express-promise-router';
import { z } from 'zod';
import { modelOwnerRef } from '../permissions/rules';
import {
  actorRef,
  audited,
  modelRefParam,
  parseBody,
} from '../service/requests';
import { liveModelLookup } from '../service/cachedEntityLookup';
import { accessModel } from '../service/modelAccess';
import { ImportStore } from './ImportStore';
import { ModelImporter } from './ModelImporter';

const importBody = z.object({ version: z.string().min(1).max(255).optional() });

const MODEL = '/v1/models/:namespace/:name';

/**
 * `POST /v1/models/:ns/:name/import` `{version?}`: imports an upstream
 * version of an ingested model into the hub (permission
 * `model-hub.version.import`: the owners and governance by default; the
 * draft, seal and audit event carry the caller). `GET …/imports` lists the
 * model's imports with their state, for anyone who can see the model,
 * and whether the caller may import (the model page shows the button then).
 * `GET …/upstream-card` gives the model card of an ingested Hugging Face
 * model at the mirrored commit, read by the hub with the source's token
 * (the browser never calls the source), for anyone who can see the model.
 */
export function createImportRouter(options: {
  httpAuth: HttpAuthService;
  permissions: PermissionsService;
  catalog: CatalogService;
  auditor: AuditorService;
  importer: ModelImporter;
  store: ImportStore;
}): express.Router {
  const { httpAuth, permissions, catalog, auditor, importer, store } = options;
  const router = Router();

  const modelAccess = {
    httpAuth,
    permissions,
    lookupModel: liveModelLookup(catalog),
  };
  const visibleModel = (req: Request) => accessModel(modelAccess, req);

  router.post(`${MODEL}/import`, express.json(), async (req, res) => {
    const outcome = await audited(
      auditor,
      req,
      'version-import',
      { model: modelRefParam(req) },
      async () => {
        const { credentials, entity, entityRef } = await accessModel(
          modelAccess,
          req,
          {
            permission: modelVersionImportPermission,
            denial: (permission, model, ref) => {
              const owner = modelOwnerRef(model);
              return `Not allowed to ${permission.name} on ${ref}: only ${
                owner ? `its owner ${owner}` : 'its owners'
              } or the governance group may import its versions`;
            },
          },
        );
        const body = parseBody(importBody, req.body);
        const value = await importer.importVersion({
          entity,
          entityRef,
          remoteVersion: body.version,
          requestedBy: actorRef(credentials),
        });
        return {
          value,
          meta: {
            version: value.result.version,
            source: value.result.source,
            remoteVersion: value.result.remoteVersion,
          },
        };
      },
    );
    res.status(outcome.ran ? 201 : 200).json(outcome.result);
  });

  router.get(`${MODEL}/upstream-card`, async (req, res) => {
    const { entity, entityRef } = await visibleModel(req);
    res.json(await importer.upstreamCard(entity, entityRef));
  });

  router.get(`${MODEL}/imports`, async (req, res) => {
    const { credentials, entity, entityRef } = await visibleModel(req);
    let allowed = false;
    if (importer.canImport(entity)) {
      const [decision] = await permissions.authorize(
        [{ permission: modelVersionImportPermission, resourceRef: entityRef }],
        { credentials },
      );
      allowed = decision.result === AuthorizeResult.ALLOW;
    }
    const body: ModelImportsResponse = {
      items: await store.list(entityRef),
      canImport: allowed,
    };
    res.json(body);
  });

  return router;
}
