import { resolvePackagePath } from '@backstage/backend-plugin-api';
import { JsonObject } from '@backstage/types';
import { readFile } from 'node:fs/promises';
import { FakeMlflowRegistry, FakeMlflowServer } from './FakeMlflowServer';

/**
 * The example portal's ingestion demo (`modelHub.ingestion.demo: true`): the
 * bundled registry `demo/mlflow-registry.json` served by a
 * {@link FakeMlflowServer} on a free local port, and the MLflow source
 * config pointing at it (id `demo`, synced every minute). Never for
 * production: the data is made up, and says so in its descriptions' source.
 */
export async function startDemoMlflowSource(): Promise<{
  server: FakeMlflowServer;
  source: JsonObject;
}> {
  const file = resolvePackagePath(
    '@internal/plugin-catalog-backend-module-model-hub-ingestion',
    'demo/mlflow-registry.json',
  );
  const registry = JSON.parse(
    await readFile(file, 'utf8'),
  ) as FakeMlflowRegistry;
  const server = await FakeMlflowServer.start(registry);
  return {
    server,
    source: {
      id: 'demo',
      baseUrl: server.url,
      defaultOwner: 'group:default/ml-platform',
      ownerTag: 'owner',
      pageSize: 100,
      schedule: { frequency: { minutes: 1 }, timeout: { minutes: 1 } },
    },
  };
}
