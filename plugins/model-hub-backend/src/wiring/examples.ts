import path from 'node:path';
import { ExampleSeeder } from '../examples';
import { GauntletConfig } from '../gauntlet/config';
import { GauntletRunner } from '../gauntlet/GauntletRunner';
import { createSeedGovernance } from '../gauntlet/seedGovernance';
import { PullRecorder, seedExamplePulls, UsageStore } from '../usage';
import { ModelVersionService } from '../versions/ModelVersionService';
import { ModelHubPluginDeps } from './deps';
import { ModelHubPlatform } from './platform';

/**
 * The embedded demo publishes the example versions once the catalog has the
 * example models (modelHub.examples.seedFile), then records the example
 * pulls; nothing without that key.
 */
export function wireExamples(
  deps: ModelHubPluginDeps,
  platform: Pick<ModelHubPlatform, 'auditor'>,
  options: {
    versions: ModelVersionService;
    gauntlet: { runner: GauntletRunner; config: GauntletConfig };
    usage: { recorder: PullRecorder; store: UsageStore };
  },
) {
  const { logger, config, auth, catalog, lifecycle } = deps;
  const { auditor } = platform;
  const { versions, gauntlet, usage } = options;
  const seedFile = config.getOptionalString('modelHub.examples.seedFile');
  if (seedFile) {
    const seeder = new ExampleSeeder({
      seedFile: path.resolve(seedFile),
      versions,
      catalog,
      auth,
      logger: logger.child({ service: 'examples' }),
      auditor,
      governance: createSeedGovernance({
        runner: gauntlet.runner,
        getEntity: async ref =>
          catalog.getEntityByRef(ref, {
            credentials: await auth.getOwnServiceCredentials(),
          }),
        auditor,
        catalog,
        auth,
        gauntletConfig: gauntlet.config,
        versions,
      }),
    });
    lifecycle.addStartupHook(() => {
      void seeder
        .seedInBackground()
        // Then the demo's usage: real pulls as example users.
        .then(() =>
          seedExamplePulls({
            seedFile: path.resolve(seedFile),
            versions,
            recorder: usage.recorder,
            store: usage.store,
            logger: logger.child({ service: 'examples' }),
          }),
        )
        .catch(e => logger.error(`Seeding example pulls failed: ${e.message}`));
    });
  }
}
