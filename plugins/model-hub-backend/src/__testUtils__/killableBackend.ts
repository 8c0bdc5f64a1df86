/*
 * A model-hub backend in a process of its own, for the test that kills a
 * backend mid-gauntlet and restarts it on the same database. Started by
 * `spawnKillableBackend`; prints `READY <port>` once it listens.
 *
 * Its only test-specific part is one extra gauntlet check, `hold`: it writes
 * `<dir>/started-<pid>`, waits until `<dir>/release` exists, then appends the
 * pid to `<dir>/executions` and `<pid> <entity ref> <version> <tier>` to
 * `<dir>/check-runs`. Everything else is the plugin as a portal runs it: the
 * real scheduler on the shared database, migrations, leases.
 */
import fs from 'node:fs/promises';
import path from 'node:path';
import { createBackendModule } from '@backstage/backend-plugin-api';
import { schedulerServiceFactory } from '@backstage/backend-defaults/scheduler';
import { mockServices, startTestBackend } from '@backstage/backend-test-utils';
import { Entity } from '@backstage/catalog-model';
import { JsonObject } from '@backstage/types';
import { catalogServiceMock } from '@backstage/plugin-catalog-node/testUtils';
import { modelHubGauntletExtensionPoint } from '@internal/plugin-model-hub-node';
import knexFactory, { Knex } from 'knex';
import { modelHubPlugin } from '../plugin';
import { catalogServiceHubCatalogFactory } from './modelHubBackend';

/** What the parent passes in `MODEL_HUB_KILLABLE_BACKEND` (JSON). */
export interface KillableBackendOptions {
  /** knex client and connection of the shared database. */
  database: Knex.Config;
  /** Holds the signal files and the backend's artifacts. */
  dir: string;
  /** `modelHub.gauntlet.leaseSeconds`. */
  leaseSeconds: number;
  entities: Entity[];
  /** More `modelHub` config, merged over the defaults (e.g. `artifacts.s3`). */
  modelHub?: JsonObject;
}

/** `over` merged into `base`, objects key by key, everything else replaced. */
function merged(base: JsonObject, over: JsonObject = {}): JsonObject {
  const out: JsonObject = { ...base };
  for (const [key, value] of Object.entries(over)) {
    const prior = out[key];
    out[key] =
      isObject(prior) && isObject(value) ? merged(prior, value) : value;
  }
  return out;
}

function isObject(value: unknown): value is JsonObject {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

const exists = (file: string) =>
  fs.access(file).then(
    () => true,
    () => false,
  );

async function main() {
  const options: KillableBackendOptions = JSON.parse(
    process.env.MODEL_HUB_KILLABLE_BACKEND ?? '',
  );
  const { dir } = options;
  const knex = knexFactory(options.database);
  const holdCheck = createBackendModule({
    pluginId: 'model-hub',
    moduleId: 'hold-check',
    register(env) {
      env.registerInit({
        deps: { gauntlet: modelHubGauntletExtensionPoint },
        async init({ gauntlet }) {
          gauntlet.addCheck({
            id: 'hold',
            title: 'Hold',
            description: 'Waits for the test to release it',
            version: '1',
            async run(ctx) {
              await fs.writeFile(path.join(dir, `started-${process.pid}`), '');
              while (!(await exists(path.join(dir, 'release')))) {
                await new Promise(r => setTimeout(r, 50));
              }
              await fs.appendFile(
                path.join(dir, 'executions'),
                `${process.pid}\n`,
              );
              await fs.appendFile(
                path.join(dir, 'check-runs'),
                `${process.pid} ${ctx.version.entityRef} ${ctx.version.version} ${ctx.tier}\n`,
              );
              return {
                status: 'pass',
                summary: `held by ${process.pid}`,
                evidence: {},
              };
            },
          });
        },
      });
    },
  });
  const backend = await startTestBackend({
    features: [
      modelHubPlugin,
      holdCheck,
      schedulerServiceFactory,
      catalogServiceMock.factory({ entities: options.entities }),
      catalogServiceHubCatalogFactory,
      mockServices.database.factory({ knex }),
      mockServices.rootConfig.factory({
        data: {
          modelHub: merged(
            {
              stewardship: { enabled: false },
              gauntlet: {
                leaseSeconds: options.leaseSeconds,
                // Compressed like the lease: a lost seal is found within seconds.
                lostSealSweepSeconds: options.leaseSeconds,
                workerPollSeconds: 1,
              },
              artifacts: {
                // Per process: staging is a replica's local disk.
                stagingDirectory: path.join(dir, `staging-${process.pid}`),
                local: { directory: path.join(dir, 'artifacts') },
              },
            },
            options.modelHub,
          ),
        },
      }),
    ],
  });
  const { port } = backend.server.address() as { port: number };
  process.stdout.write(`READY ${port}\n`);
  const stop = async () => {
    await backend.stop();
    await knex.destroy();
    process.exit(0);
  };
  process.once('SIGTERM', () => void stop());
}

main().catch(error => {
  process.stderr.write(`${error?.stack ?? error}\n`);
  process.exit(1);
});
