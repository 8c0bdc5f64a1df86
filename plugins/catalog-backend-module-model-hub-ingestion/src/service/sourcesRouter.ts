import {
  HttpAuthService,
  PermissionsService,
  SchedulerService,
} from '@backstage/backend-plugin-api';
import { NotAllowedError, NotFoundError } from '@backstage/errors';
import { AuthorizeResult } from '@backstage/plugin-permission-common';
import {
  INGESTION_SOURCES_PATH,
  IngestionSourcesResponse,
  modelHubIngestionSyncPermission,
} from '@internal/plugin-model-hub-common';
import express from 'express';
import Router from 'express-promise-router';
import { IngestionEntityProvider } from '../provider/IngestionEntityProvider';

/** Paths of the sources routes, under the catalog plugin (`/api/catalog`). */
export { INGESTION_SOURCES_PATH };

/**
 * Routes of the ingestion sources, mounted in the catalog plugin:
 *
 * - `GET  /model-hub-ingestion/sources` (any signed-in caller): each
 *   source's status: state, last sync and success, entity count, entities
 *   emitted by the last sync, last error; and `canSync`, whether the
 *   caller may start one;
 * - `POST /model-hub-ingestion/sources/:source/sync` (permission
 *   `model-hub.ingestion.sync`, the governance group by default): runs the
 *   source's scheduled task now (on whichever replica holds it) and answers
 *   202; the status shows the outcome.
 */
export function createSourcesRouter(options: {
  providers: IngestionEntityProvider[];
  httpAuth: HttpAuthService;
  permissions: PermissionsService;
  scheduler: SchedulerService;
}): express.Router {
  const { providers, httpAuth, permissions, scheduler } = options;
  const router = Router();
  router.use(express.json());

  router.get(INGESTION_SOURCES_PATH, async (req, res) => {
    const credentials = await httpAuth.credentials(req, {
      allow: ['user', 'service'],
    });
    const [decision] = await permissions.authorize(
      [{ permission: modelHubIngestionSyncPermission }],
      { credentials },
    );
    const body: IngestionSourcesResponse = {
      items: providers.map(p => p.getStatus()),
      canSync: decision.result === AuthorizeResult.ALLOW,
    };
    res.json(body);
  });

  router.post(`${INGESTION_SOURCES_PATH}/:source/sync`, async (req, res) => {
    const credentials = await httpAuth.credentials(req, {
      allow: ['user', 'service'],
    });
    const provider = providers.find(
      p => p.getStatus().source === req.params.source,
    );
    if (!provider) {
      throw new NotFoundError(
        `no ingestion source "${req.params.source}"; GET ${INGESTION_SOURCES_PATH} lists them`,
      );
    }
    const [decision] = await permissions.authorize(
      [{ permission: modelHubIngestionSyncPermission }],
      { credentials },
    );
    if (decision.result !== AuthorizeResult.ALLOW) {
      throw new NotAllowedError(
        'only the governance group may start a sync; the source syncs on its schedule',
      );
    }
    await scheduler.triggerTask(provider.getTaskId());
    res.status(202).json({ source: req.params.source, triggered: true });
  });

  return router;
}
