import fs from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import {
  coreServices,
  createServiceFactory,
} from '@backstage/backend-plugin-api';
import { mockServices, startTestBackend } from '@backstage/backend-test-utils';
import { Entity } from '@backstage/catalog-model';
import { catalogServiceRef } from '@backstage/plugin-catalog-node';
import { catalogServiceMock } from '@backstage/plugin-catalog-node/testUtils';
import {
  AuthorizeResult,
  isPermission,
} from '@backstage/plugin-permission-common';
import { JsonObject } from '@backstage/types';
import { modelVersionImportPermission } from '@internal/plugin-model-hub-common';
// Tests only: the hub plugin runs next to the fake sources to prove an import end to end.
// eslint-disable-next-line @backstage/no-mixed-plugin-imports
import modelHubPlugin from '@internal/plugin-model-hub-backend';
// eslint-disable-next-line @backstage/no-mixed-plugin-imports, @backstage/no-forbidden-package-imports
import { catalogServiceHubCatalogFactory } from '@internal/plugin-model-hub-backend/src/__testUtils__/hubCatalogFactory';

/** A running hub backend (the model-hub plugin) next to the fake sources. */
export interface HubBackend {
  server: any;
  /** Holds `artifacts/` (the local content-addressed store) and `staging/`. */
  dataDir: string;
  stop(): Promise<void>;
}

/**
 * Starts the Model Hub backend plugin with a catalog holding `entities` (as
 * the ingestion providers map them) and `modelHub.ingestion` pointing at the
 * fake sources. The permissions service allows everything except
 * `model-hub.version.import` for the users in `refuseImport` (the portal's
 * rule itself is tested in the backend package).
 */
export async function startHubBackend(options: {
  entities: Entity[];
  ingestion: JsonObject;
  refuseImport?: string[];
  modelHub?: JsonObject;
}): Promise<HubBackend> {
  const dataDir = await fs.mkdtemp(path.join(os.tmpdir(), 'hub-import-'));
  const refused = new Set(options.refuseImport ?? []);
  const backend = await startTestBackend({
    features: [
      modelHubPlugin,
      createServiceFactory({
        service: catalogServiceRef,
        deps: {},
        factory: () => catalogServiceMock({ entities: options.entities }),
      }),
      // The hub's own catalog reads go to the catalog's HTTP API, which this
      // backend does not run: they use the mock catalog too.
      catalogServiceHubCatalogFactory,
      createServiceFactory({
        service: coreServices.permissions,
        deps: {},
        factory: () =>
          ({
            async authorize(requests: any[], opts: any) {
              const user = opts?.credentials?.principal?.userEntityRef;
              return requests.map(r => ({
                result:
                  isPermission(r.permission, modelVersionImportPermission) &&
                  refused.has(user)
                    ? AuthorizeResult.DENY
                    : AuthorizeResult.ALLOW,
              }));
            },
            async authorizeConditional(requests: any[]) {
              return requests.map(() => ({ result: AuthorizeResult.ALLOW }));
            },
          } as any),
      }),
      mockServices.rootConfig.factory({
        data: {
          modelHub: {
            stewardship: { enabled: false },
            ...options.modelHub,
            ingestion: options.ingestion,
            artifacts: {
              ...(options.modelHub?.artifacts as JsonObject | undefined),
              stagingDirectory: path.join(dataDir, 'staging'),
              local: { directory: path.join(dataDir, 'artifacts') },
            },
          },
        },
      }),
    ],
  });
  return {
    server: backend.server,
    dataDir,
    async stop() {
      await backend.stop();
      await fs.rm(dataDir, { recursive: true, force: true });
    },
  };
}

/** A supertest parser that keeps the response body as raw bytes (whatever its content type). */
export function rawBytes(
  // superagent types it as its Response; at run time it is the message stream.
  res: any,
  callback: (error: Error | null, body: any) => void,
) {
  const chunks: Buffer[] = [];
  res.on('data', (c: Buffer) => chunks.push(c));
  res.on('end', () => callback(null, Buffer.concat(chunks)));
}
